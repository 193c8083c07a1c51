// Linux x86-64 and aarch64: a hostile same-user target shrinks the locator files the writer maps
// (issue 16, point 2; docs/locator-security.md "A shrunk file"). Between two
// buffers_process_get_buffer calls the target empties its further locator's file, or its first
// one's, or empties the first and maps a look-alike anonymous page at its address: the writer's next
// call fails with an error and the writer lives (the calls run in a fork, so a SIGBUS there, as on
// the old code, fails the test instead of ending it).
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "process_buffers_child.h"
#include "process_runner.h"

namespace {

class ProcessShrink : public ProcessBuffers {
  protected:
    // A shrink target whose first locator holds only full buffers and whose second holds one, opened
    // here; one buffer got, written and released through the handle, so the writer maps both files.
    void SetUp() override {
        ProcessBuffers::SetUp();
        if (IsSkipped()) return;
        target = new Child({PROCESS_BUFFERS_PEER_PATH, "shrink", std::to_string(kItemsPerLocator + 1)}, "document");
        ASSERT_GT(target->pid, 0);
        ASSERT_EQ(target->Lines("ready").back(), "ready document\n");
        ASSERT_EQ(ReadChain(target->pid).size(), 2u);
        ASSERT_EQ(buffers_process_open((uint32_t)target->pid, &process), BUFFERS_OK) << buffers_last_error();
        buffers_item *item = nullptr;
        ASSERT_EQ(buffers_process_get_buffer(process, &settings, &item), BUFFERS_OK) << buffers_last_error();
        EXPECT_EQ(LocatorOf(ReadChain(target->pid), buffers_item_base_address(item)), 1);
        const unsigned char bytes[] = {1, 2, 3};
        EXPECT_NE(buffers_item_append(item, bytes, sizeof bytes), 0u) << buffers_last_error();
        buffers_item_release(item);
    }
    void TearDown() override {
        if (process) buffers_process_close(process);
        if (target) {
            target->Say("exit");
            EXPECT_EQ(target->Wait(), 0);
            delete target;
        }
    }

    // The target obeys command ("done"); then the writer's next get, in a fork: "<status> <message>".
    ForkResult NextGetAfter(const char *command) {
        target->Say(command);
        char line[512] = {};
        EXPECT_NE(fgets(line, sizeof line, target->out), nullptr);
        EXPECT_STREQ(line, "done\n");
        return NextGet();
    }
    ForkResult NextGet() {
        return RunInFork([&] {
            buffers_item *item = nullptr;
            int status = buffers_process_get_buffer(process, &settings, &item);
            return std::to_string(status) + " " + buffers_last_error();
        });
    }

    Child *target = nullptr;
    buffers_process *process = nullptr;
    buffers_search_settings settings = {0, kTwoGiB, 64};
};

void ExpectRefusal(const ForkResult &run, buffers_status status, const std::string &fragment) {
    ASSERT_TRUE(run.ExitedCleanly()) << "the writer " << run.HowItEnded();
    EXPECT_EQ(run.text.rfind(std::to_string(status) + " ", 0), 0u) << run.text;
    EXPECT_NE(run.text.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << run.text;
}

TEST_F(ProcessShrink, AFurtherLocatorEmptiedByTheTargetIsALocatorErrorNotSIGBUS) {
    ExpectRefusal(NextGetAfter("truncate further"), BUFFERS_ERROR_LOCATOR,
                  "locator 2 of its chain (at 0x");
    ExpectRefusal(NextGet(), BUFFERS_ERROR_LOCATOR, "is 0 bytes now, shorter than the 4096 "
                  "mapped here: truncated");
}

// The per-call check reads the first word from the target: the look-alike page passes it.
TEST_F(ProcessShrink, AFirstLocatorSwappedForALookAlikePageIsALocatorErrorNotSIGBUS) {
    ExpectRefusal(NextGetAfter("swap first"), BUFFERS_ERROR_LOCATOR, "locator 1 of its chain");
    ExpectRefusal(NextGet(), BUFFERS_ERROR_LOCATOR, "truncated");
}

// The target's own page of the emptied file is gone too: the per-call check cannot read it there.
TEST_F(ProcessShrink, AFirstLocatorEmptiedByTheTargetIsRefusedNotSIGBUS) {
    ForkResult run = NextGetAfter("truncate first");
    ASSERT_TRUE(run.ExitedCleanly()) << "the writer " << run.HowItEnded();
    EXPECT_NE(run.text.rfind("0 ", 0), 0u) << run.text;
}

// An item held while the target empties the file its lock and position words lie in: each call on
// it (in a fork of its own, so one SIGBUS hides no other) is a locator error naming the truncation.
TEST_F(ProcessShrink, AHeldItemWhoseFileIsEmptiedIsALocatorErrorNotSIGBUS) {
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_process_get_buffer(process, &settings, &item), BUFFERS_OK) << buffers_last_error();
    ASSERT_EQ(LocatorOf(ReadChain(target->pid), buffers_item_base_address(item)), 1);
    target->Say("truncate further");
    char line[512] = {};
    ASSERT_NE(fgets(line, sizeof line, target->out), nullptr);
    ASSERT_STREQ(line, "done\n");
    // position, bytes_left and release read or write the item's words in the emptied file: each is a
    // locator error. An append touches none of them (the position of a held item is kept privately and
    // stored at release): its bytes go into the target's buffer, which is still there.
    const unsigned char bytes[] = {4, 5, 6};
    struct Call {
        const char *name;
        bool touches_the_file;
        std::function<uint64_t()> run;
    };
    const std::vector<Call> calls = {
        {"position", true, [&] { return (uint64_t)buffers_item_position(item); }},
        {"bytes_left", true, [&] { return (uint64_t)buffers_item_bytes_left(item); }},
        {"append", false, [&] { return (uint64_t)buffers_item_append(item, bytes, sizeof bytes); }},
        {"append_code", false, [&] { return (uint64_t)buffers_item_append_code(item, bytes, sizeof bytes); }},
        {"release", true, [&] { buffers_item_release(item); return (uint64_t)0; }},
    };
    for (const Call &call : calls) {
        ForkResult run = RunInFork([&] {
            uint64_t got = call.run();
            return std::to_string(got) + " " + std::to_string(buffers_last_status()) + " " + buffers_last_error();
        });
        if (!run.ExitedCleanly()) {
            ADD_FAILURE() << call.name << ": the writer " << run.HowItEnded();
            continue;
        }
        if (!call.touches_the_file) {
            EXPECT_NE(run.text.rfind("0 ", 0), 0u) << call.name << " wrote nothing: " << run.text;
            continue;
        }
        EXPECT_EQ(run.text.rfind("0 " + std::to_string(BUFFERS_ERROR_LOCATOR) + " ", 0), 0u) << call.name << ": " << run.text;
        EXPECT_NE(run.text.find("truncated"), std::string::npos) << call.name << ": " << run.text;
    }
}

}  // namespace
