// libbuffers in one process with the upstream libraries (issue 8 point 4), through stand-ins that
// behave like upstream C# v3 and Rust v4 (tests/native/upstream_*.c; docs/coexistence-tests.md).
// Every case runs in a fresh `coexistence` process, so the locator is created in the order under test.
//
// The stand-ins themselves (must pass with any libbuffers):
//   Offsets          - a stand-in's header and item fields sit at its upstream's offsets (C#: count at
//                      23/15; Rust: size, position, taken at P, P+4, P+8), and a failed lock behaves
//                      as upstream's (C# CAS leaves a foreign word alone, Rust's swap overwrites it).
//   TwoCopies*       - two copies of one stand-in share one locator and one buffer, and 3 threads of
//                      each write at once without overlap (every byte checked).
//   Clash            - the C# and Rust stand-ins cannot share: C# writes its item 0 over Rust's,
//                      as upstream.md 2.3 says the real ones do.
// libbuffers with a stand-in (fail before issue 8 point 4 is implemented):
//   Share*           - the first library writes 100 bytes; the second must append right after them in
//                      the same buffer, then the first right after that; both list the same buffers.
//                      Orders: C# then us, us then C#, Rust then us, us (BUFFERS_LOCATOR_LAYOUT=rust)
//                      then Rust.
//   Concurrent*      - the same four orders: one write each (in that order), then 3 threads of each
//                      side write 8..192-byte patterns at once; afterwards every write succeeded, every
//                      byte is still what was written (nothing overwritten by the other side), no two
//                      handed-out ranges overlap, each side's writes lie in buffers it lists, no
//                      buffer's position is below a handed-out byte (it would be handed out again),
//                      and both sides list the same buffers with the same positions.
//   KeepsLayout*     - a stand-in registers buffers; libbuffers asks for more than any of them has
//                      left, so must register its own: the stand-in's items stay byte for byte as
//                      they were, and the stand-in reads libbuffers' new item (in its own layout)
//                      with the base, size and position libbuffers reports.
#include <gtest/gtest.h>

#include "process_runner.h"

namespace {

const std::string kHelper = std::string(HELPER_LAUNCHER) + COEXISTENCE_PATH;
const std::string kRustLayout = "BUFFERS_LOCATOR_LAYOUT=rust ";
constexpr int kConcurrentWrites = 2 + 2 * 3 * 150;

class Coexistence : public ScratchRoot {
protected:
    // Runs one case; it passes when the helper found no problem and did all its writes.
    void ExpectClean(const std::string &arguments, int writes, const std::string &environment = "") {
        RunResult run = RunWithRoot(root, environment + kHelper + " " + arguments);
        EXPECT_EQ(run.exit_code, 0) << run.output;
        EXPECT_EQ(run.Field("problems"), "0") << run.output;
        if (writes) EXPECT_EQ(run.Field("writes"), std::to_string(writes)) << run.output;
    }
};

}  // namespace

TEST_F(Coexistence, OffsetsOfTheCSharpStandIn) {
    RunResult run = RunWithRoot(root, kHelper + " offsets csharp");
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("position"), "100") << run.output;
    EXPECT_EQ(run.Field("taken_after_failed_lock"), "5") << run.output;
}

TEST_F(Coexistence, OffsetsOfTheRustStandIn) {
    RunResult run = RunWithRoot(root, kHelper + " offsets rust");
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("position"), "100") << run.output;
    EXPECT_EQ(run.Field("taken_after_failed_lock"), "1") << run.output;
}

TEST_F(Coexistence, TwoCopiesOfTheCSharpStandInShare) {
    ExpectClean("share csharp csharp", 3);
    ExpectClean("concurrent csharp csharp", kConcurrentWrites);
}

TEST_F(Coexistence, TwoCopiesOfTheRustStandInShare) {
    ExpectClean("share rust rust", 3);
    ExpectClean("concurrent rust rust", kConcurrentWrites);
}

TEST_F(Coexistence, TheCSharpAndRustStandInsClashAsUpstreamDoes) {
    RunResult run = RunWithRoot(root, kHelper + " clash rust csharp");
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("rust_item0"), run.Field("csharp_wrote")) << run.output;
}

TEST_F(Coexistence, ShareCSharpFirstThenUs) { ExpectClean("share csharp us", 3); }
TEST_F(Coexistence, ShareUsFirstThenCSharp) { ExpectClean("share us csharp", 3); }
TEST_F(Coexistence, ShareRustFirstThenUs) { ExpectClean("share rust us", 3); }
TEST_F(Coexistence, ShareUsFirstInRustLayoutThenRust) { ExpectClean("share us rust", 3, kRustLayout); }

TEST_F(Coexistence, ConcurrentCSharpFirstThenUs) { ExpectClean("concurrent csharp us", kConcurrentWrites); }
TEST_F(Coexistence, ConcurrentUsFirstThenCSharp) { ExpectClean("concurrent us csharp", kConcurrentWrites); }
TEST_F(Coexistence, ConcurrentRustFirstThenUs) { ExpectClean("concurrent rust us", kConcurrentWrites); }
TEST_F(Coexistence, ConcurrentUsFirstInRustLayoutThenRust) {
    ExpectClean("concurrent us rust", kConcurrentWrites, kRustLayout);
}

TEST_F(Coexistence, KeepsLayoutOfACSharpLocator) { ExpectClean("keeps-layout csharp us", 4); }
TEST_F(Coexistence, KeepsLayoutOfARustLocator) { ExpectClean("keeps-layout rust us", 4); }
