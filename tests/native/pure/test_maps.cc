#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

extern "C" {
#include "pure/maps.h"
}

namespace {
using Gaps = std::vector<std::pair<uintptr_t, uintptr_t>>;

bool Collect(uintptr_t start, uintptr_t end, void *context) {
    static_cast<Gaps *>(context)->emplace_back(start, end);
    return false;
}

Gaps GapsOf(const std::string &text, uintptr_t max) {
    Gaps gaps;
    maps_for_each_gap(text.data(), text.size(), max, Collect, &gaps);
    return gaps;
}
}  // namespace

TEST(Maps, ParsesAFullLine) {
    // A 64-bit process's addresses do not fit a 32-bit one's uintptr_t: use the width at hand.
    const bool wide = sizeof(uintptr_t) >= 8;
    std::string line = std::string(wide ? "7f3c1a200000-7f3c1a222000" : "f7c1a000-f7c1c200") +
                       " r-xp 0001a000 fd:01 1234567   /usr/lib/libc.so.6";
    maps_entry entry;
    ASSERT_TRUE(maps_parse_line(line.data(), line.size(), &entry));
    EXPECT_EQ(entry.start, wide ? (uintptr_t)0x7f3c1a200000ull : (uintptr_t)0xf7c1a000u);
    EXPECT_EQ(entry.end, wide ? (uintptr_t)0x7f3c1a222000ull : (uintptr_t)0xf7c1c200u);
    EXPECT_TRUE(entry.has_identity);
    EXPECT_EQ(entry.offset, 0x1a000u);
    EXPECT_EQ(entry.dev_major, 0xfdu);
    EXPECT_EQ(entry.dev_minor, 1u);
    EXPECT_EQ(entry.inode, 1234567u);
}

TEST(Maps, AnonymousLineHasInodeZero) {
    std::string line = "10000-20000 rw-p 00000000 00:00 0 ";
    maps_entry entry;
    ASSERT_TRUE(maps_parse_line(line.data(), line.size(), &entry));
    EXPECT_TRUE(entry.has_identity);
    EXPECT_EQ(entry.inode, 0u);
}

TEST(Maps, RejectsGarbage) {
    maps_entry entry;
    for (std::string bad : {"", "hello", "10000 rw-p", "10000-", "-20000 ", "20000-10000 rw-p", "10000-10000 r",
                            "1000g-2000 r", "10000-20000", "11112222333344445-11112222333344446 r"}) {
        EXPECT_FALSE(maps_parse_line(bad.data(), bad.size(), &entry)) << bad;
    }
}

TEST(Maps, RangeWithoutIdentityStillCounts) {
    std::string line = "10000-20000 rw-p zz";
    maps_entry entry;
    ASSERT_TRUE(maps_parse_line(line.data(), line.size(), &entry));
    EXPECT_FALSE(entry.has_identity);
}

TEST(Maps, GapsBetweenMappingsAreExact) {
    Gaps gaps = GapsOf("10000-20000 r--p 0 0:0 0\n30000-40000 r--p 0 0:0 0\n", 0xFFFFF);
    ASSERT_EQ(gaps.size(), 3u);
    EXPECT_EQ(gaps[0], std::make_pair((uintptr_t)0, (uintptr_t)0x10000));
    EXPECT_EQ(gaps[1], std::make_pair((uintptr_t)0x20000, (uintptr_t)0x30000));  // exactly 0x10000 bytes
    EXPECT_EQ(gaps[2], std::make_pair((uintptr_t)0x40000, (uintptr_t)0x100000));
}

TEST(Maps, AdjacentMappingsLeaveNoGap) {
    Gaps gaps = GapsOf("10000-20000 r--p 0 0:0 0\n20000-30000 r--p 0 0:0 0\n", 0x2FFFF);
    ASSERT_EQ(gaps.size(), 1u);
    EXPECT_EQ(gaps[0], std::make_pair((uintptr_t)0, (uintptr_t)0x10000));
}

TEST(Maps, GarbageLinesAreSkipped) {
    Gaps gaps = GapsOf("garbage\n10000-20000 r--p 0 0:0 0\n\n  nonsense 1-2\n30000-40000 r--p 0 0:0 0", 0x3FFFF);
    ASSERT_EQ(gaps.size(), 2u);
    EXPECT_EQ(gaps[1], std::make_pair((uintptr_t)0x20000, (uintptr_t)0x30000));
}

#if UINTPTR_MAX > 0xFFFFFFFFu
TEST(Maps, VsyscallAboveTheMaximumEndsTheWalk) {
    std::string text =
        "555555554000-555555556000 r-xp 00000000 08:01 42 /bin/app\n"
        "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 [stack]\n"
        "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n";
    Gaps gaps = GapsOf(text, 0x7FFFFFFFFFFF);
    ASSERT_EQ(gaps.size(), 3u);
    EXPECT_EQ(gaps[0], std::make_pair((uintptr_t)0, (uintptr_t)0x555555554000));
    EXPECT_EQ(gaps[1], std::make_pair((uintptr_t)0x555555556000, (uintptr_t)0x7ffffffde000));
    EXPECT_EQ(gaps[2], std::make_pair((uintptr_t)0x7ffffffff000, (uintptr_t)0x800000000000));
}
#endif

TEST(Maps, GapsAreClippedToTheMaximum) {
    Gaps gaps = GapsOf("10000-20000 r--p 0 0:0 0\n90000-a0000 r--p 0 0:0 0\n", 0x4FFFF);
    ASSERT_EQ(gaps.size(), 2u);
    EXPECT_EQ(gaps[1], std::make_pair((uintptr_t)0x20000, (uintptr_t)0x50000));
}

TEST(Maps, CallbackCanStopTheWalk) {
    Gaps gaps;
    std::string text = "10000-20000 r--p 0 0:0 0\n30000-40000 r--p 0 0:0 0\n";
    maps_for_each_gap(text.data(), text.size(), 0xFFFFF, [](uintptr_t s, uintptr_t e, void *c) {
        static_cast<Gaps *>(c)->emplace_back(s, e);
        return true;
    }, &gaps);
    EXPECT_EQ(gaps.size(), 1u);
}

TEST(Maps, EntriesAreCounted) {
    std::string text = "10000-20000 r--p 0 0:0 0\nbad\n30000-40000 r--p 0 0:0 0\n";
    size_t seen = maps_for_each_entry(text.data(), text.size(), [](const maps_entry *, void *) { return false; },
                                      nullptr);
    EXPECT_EQ(seen, 2u);
}

// ---- is it buffer memory? (what the index checks before it writes into an item) ----

namespace {
maps_kind KindOf(const std::string &line) {
    maps_entry entry;
    if (!maps_parse_line(line.data(), line.size(), &entry)) return MAPS_KIND_UNMAPPED;
    return maps_kind_of(&entry);
}
}  // namespace

TEST(MapsBufferMemory, OnlyUnnamedPrivateAnonymousRwxIsBufferMemory) {
    EXPECT_EQ(KindOf("10000-20000 rwxp 00000000 00:00 0"), MAPS_KIND_BUFFER);
    EXPECT_EQ(KindOf("10000-20000 rwxp 00000000 00:00 0 "), MAPS_KIND_BUFFER) << "trailing spaces are no name";
    EXPECT_EQ(KindOf("10000-20000 rw-p 00000000 00:00 0"), MAPS_KIND_NOT_RWX) << "a .bss or a thread stack";
    EXPECT_EQ(KindOf("10000-20000 rwxs 00000000 00:01 4242   /dev/zero (deleted)"), MAPS_KIND_FILE);
    EXPECT_EQ(KindOf("10000-20000 rwxs 00000000 00:00 0"), MAPS_KIND_SHARED);
    EXPECT_EQ(KindOf("10000-20000 rwxp 00001000 fd:01 1234   /usr/bin/victim"), MAPS_KIND_FILE);
    EXPECT_EQ(KindOf("10000-20000 rwxp 00000000 00:00 0      [heap]"), MAPS_KIND_SPECIAL);
    EXPECT_EQ(KindOf("10000-20000 rwxp 00000000 00:00 0      [stack]"), MAPS_KIND_SPECIAL);
    EXPECT_EQ(KindOf("10000-20000 r-xp 00000000 00:00 0      [vdso]"), MAPS_KIND_SPECIAL);
    EXPECT_EQ(KindOf("10000-20000 rwxp"), MAPS_KIND_FILE) << "no identity columns: nothing says anonymous";
}

TEST(MapsBufferMemory, TheWholeRangeMustLieInBufferRegions) {
    const uint8_t rwx = MAPS_READ | MAPS_WRITE | MAPS_EXECUTE;
    const maps_region regions[] = {
        {0x10000, 0x20000, rwx, MAPS_KIND_BUFFER},
        {0x20000, 0x30000, rwx, MAPS_KIND_BUFFER},   // adjacent, listed apart
        {0x30000, 0x31000, MAPS_READ | MAPS_WRITE, MAPS_KIND_NOT_RWX},
        {0x40000, 0x50000, rwx, MAPS_KIND_BUFFER},
        {0x60000, 0x70000, rwx | MAPS_SHARED, MAPS_KIND_FILE},   // a locator file with code chunks
    };
    const size_t n = sizeof regions / sizeof regions[0];
    EXPECT_EQ(maps_check_range(regions, n, 0x10000, 0x1000, 0, 0), MAPS_KIND_BUFFER);
    EXPECT_EQ(maps_check_range(regions, n, 0x1F000, 0x2000, 0, 0), MAPS_KIND_BUFFER) << "over two regions";
    EXPECT_EQ(maps_check_range(regions, n, 0x2F000, 0x2000, 0, 0), MAPS_KIND_NOT_RWX);
    EXPECT_EQ(maps_check_range(regions, n, 0x30000, 0x1000, 0, 0), MAPS_KIND_NOT_RWX);
    EXPECT_EQ(maps_check_range(regions, n, 0x3F000, 0x2000, 0, 0), MAPS_KIND_UNMAPPED) << "starts in a hole";
    EXPECT_EQ(maps_check_range(regions, n, 0x4F000, 0x2000, 0, 0), MAPS_KIND_UNMAPPED) << "runs into a hole";
    EXPECT_EQ(maps_check_range(regions, n, 0x80000, 0x1000, 0, 0), MAPS_KIND_UNMAPPED) << "past the last region";
    EXPECT_EQ(maps_check_range(regions, n, 0x10000, 0, 0, 0), MAPS_KIND_UNMAPPED) << "empty";
    EXPECT_EQ(maps_check_range(regions, n, UINTPTR_MAX - 0xFFF, 0x2000, 0, 0), MAPS_KIND_UNMAPPED) << "wraps";
    // Code chunks of a locator block: inside its own mapping, past its header, pass; the header never.
    EXPECT_EQ(maps_check_range(regions, n, 0x61000, 0x4000, 0x60000, 0x1000), MAPS_KIND_BUFFER);
    EXPECT_EQ(maps_check_range(regions, n, 0x60800, 0x1000, 0x60000, 0x1000), MAPS_KIND_HOME_HEADER);
    EXPECT_EQ(maps_check_range(regions, n, 0x61000, 0x10000, 0x60000, 0x1000), MAPS_KIND_FILE) << "runs past it";
    EXPECT_EQ(maps_check_range(regions, n, 0x10000, 0x1000, 0x10000, 0x1000), MAPS_KIND_HOME_HEADER)
        << "a private further locator's own header is buffer-like memory, still refused";
    EXPECT_EQ(maps_check_range(regions, n, 0x61000, 0x1000, 0x40000, 0x1000), MAPS_KIND_FILE) << "not its home";
}

// Write-xor-execute views are read from text, as /proc/self/maps lists them.
namespace {
std::vector<maps_region> RegionsOf(const std::string &text) {
    std::vector<maps_region> regions;
    maps_for_each_entry(text.data(), text.size(), [](const maps_entry *entry, void *context) {
        static_cast<std::vector<maps_region> *>(context)->push_back(maps_region_of(entry));
        return false;
    }, &regions);
    return regions;
}
}  // namespace

TEST(MapsDualViews, CodeAndWriteViewsMustMapTheSameObjectAtTheSameOffsets) {
    const std::vector<maps_region> r = RegionsOf(
        "10000-12000 r-xs 00000000 00:01 77   /memfd:buffers.wx (deleted)\n"
        "20000-21000 r-xs 00001000 00:01 78   /memfd:buffers.wx (deleted)\n"   // another object
        "30000-32000 rw-s 00000000 00:01 77   /memfd:buffers.wx (deleted)\n"
        "40000-41000 rw-s 00000000 00:01 78   /memfd:buffers.wx (deleted)\n"
        "41000-42000 rw-s 00001000 00:01 78   /memfd:buffers.wx (deleted)\n"   // the same object, listed apart
        "50000-52000 r-xs 00000000 00:01 90   /memfd:libffi (deleted)\n"       // someone else's pair
        "60000-62000 rw-s 00000000 00:01 90   /memfd:libffi (deleted)\n"
        "70000-72000 rwxs 00000000 00:01 77   /memfd:buffers.wx (deleted)\n"   // writable and executable
        "80000-82000 r-xp 00000000 00:00 0\n");
    const maps_region *regions = r.data();
    const size_t n = r.size();
    EXPECT_EQ(maps_check_dual(regions, n, 0x10000, 0x30000, 0x2000), MAPS_KIND_BUFFER);
    EXPECT_EQ(maps_check_dual(regions, n, 0x10000, 0, 0x2000), MAPS_KIND_BUFFER) << "the code view alone";
    EXPECT_EQ(maps_check_dual(regions, n, 0x11000, 0x31000, 0x1000), MAPS_KIND_BUFFER) << "a part, same offsets";
    EXPECT_EQ(maps_check_dual(regions, n, 0x20000, 0x41000, 0x1000), MAPS_KIND_BUFFER) << "offset 0x1000 both";
    EXPECT_EQ(maps_check_dual(regions, n, 0x11000, 0x30000, 0x1000), MAPS_KIND_NOT_WRITE_VIEW) << "shifted offset";
    EXPECT_EQ(maps_check_dual(regions, n, 0x10000, 0x40000, 0x2000), MAPS_KIND_NOT_WRITE_VIEW) << "another inode";
    EXPECT_EQ(maps_check_dual(regions, n, 0x10000, 0x31000, 0x2000), MAPS_KIND_NOT_WRITE_VIEW) << "runs out";
    EXPECT_EQ(maps_check_dual(regions, n, 0x10000, 0x10000, 0x2000), MAPS_KIND_NOT_WRITE_VIEW) << "itself";
    EXPECT_EQ(maps_check_dual(regions, n, 0x10000, 0x70000, 0x2000), MAPS_KIND_NOT_WRITE_VIEW) << "rwx";
    EXPECT_EQ(maps_check_dual(regions, n, 0x50000, 0x60000, 0x2000), MAPS_KIND_NOT_CODE_VIEW) << "not ours";
    EXPECT_EQ(maps_check_dual(regions, n, 0x70000, 0, 0x1000), MAPS_KIND_NOT_CODE_VIEW) << "writable code";
    EXPECT_EQ(maps_check_dual(regions, n, 0x80000, 0, 0x1000), MAPS_KIND_NOT_CODE_VIEW) << "anonymous";
    EXPECT_EQ(maps_check_dual(regions, n, 0x10000, 0, 0x3000), MAPS_KIND_UNMAPPED) << "runs into a hole";
    EXPECT_EQ(maps_check_dual(regions, n, 0x10000, 0x30000, 0), MAPS_KIND_UNMAPPED) << "empty";
    EXPECT_EQ(maps_check_dual(regions, n, UINTPTR_MAX - 0xFFF, 0, 0x2000), MAPS_KIND_UNMAPPED) << "wraps";
}
