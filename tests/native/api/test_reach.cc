// The reach helpers against exact arithmetic: buffers_search_settings_rel32 is checked against what
// a jmp rel32 can really reach (every byte of every chunk inside the window, and nothing just
// outside it), buffers_search_settings_within against the distance to every target. Thousands of
// random jump addresses, near 0 and near the top of the address space included; in a 32-bit build
// the same tests run with 32-bit addresses.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <reloaded/buffers.h>

namespace {
#if UINTPTR_MAX > 0xFFFFFFFFu
using Wide = unsigned __int128;   // every sum below fits without wrapping
using WideSigned = __int128;
#else
using Wide = uint64_t;
using WideSigned = int64_t;
#endif

// Whether a 5-byte jmp rel32 at jump lands on destination: some signed 32-bit displacement d with
// jump + 5 + d == destination. 64-bit: exact integers (the address space does not wrap). 32-bit:
// EIP arithmetic is modulo 2^32, so the displacement is the difference taken modulo 2^32.
bool Rel32Reaches(uintptr_t jump, uintptr_t destination) {
    if (sizeof(uintptr_t) == 4) {
        int32_t d = (int32_t)(uint32_t)(destination - (uintptr_t)(jump + 5));
        return (uintptr_t)(jump + 5 + (uintptr_t)(intptr_t)d) == destination;
    }
    WideSigned d = (WideSigned)destination - ((WideSigned)jump + 5);
    return d >= INT32_MIN && d <= INT32_MAX;
}

bool ChunkReachable(uintptr_t jump, uintptr_t start, uint32_t size) {
    // Reachability from one jump is an interval, so the first and last byte decide for the chunk.
    return Rel32Reaches(jump, start) && Rel32Reaches(jump, start + (size - 1));
}

bool Within(uintptr_t address, uintptr_t target, size_t distance) {
    Wide apart = address > target ? (Wide)address - target : (Wide)target - address;
    return apart <= (Wide)distance;
}

bool WithinAll(uintptr_t address, const std::vector<uintptr_t> &targets, size_t distance) {
    for (uintptr_t t : targets)
        if (!Within(address, t, distance)) return false;
    return true;
}

// Jump addresses: uniform, near 0, near 2^31 and 2^32, and near the top of the address space.
uintptr_t RandomAddress(std::mt19937_64 &random) {
    uintptr_t offset = (uintptr_t)(random() % 0x100000000ull);
    switch (random() % 6) {
    case 0: return (uintptr_t)random();
    case 1: return offset % 0x1000;
    case 2: return UINTPTR_MAX - offset % 0x1000;
    case 3: return (uintptr_t)0x7FFFFFF0u + offset % 0x40;
    case 4: return UINTPTR_MAX - (uintptr_t)0x80000010u + offset % 0x40;
    default: return offset;
    }
}

uint32_t RandomSize(std::mt19937_64 &random) {
    return random() % 8 ? 1 + (uint32_t)(random() % 4096) : 1 + (uint32_t)(random() % 0x80000000u);
}
}  // namespace

TEST(Reach, Rel32AdmitsOnlyReachableChunksAndIsNotNarrower) {
    std::mt19937_64 random(17);
    for (int round = 0; round < 20000; round++) {
        uintptr_t jump = RandomAddress(random);
        uint32_t size = RandomSize(random);
        buffers_search_settings s = buffers_search_settings_rel32(jump, size);
        SCOPED_TRACE(::testing::Message() << std::hex << "jump 0x" << jump << " size 0x" << size << " window [0x"
                                          << s.min_address << ", 0x" << s.max_address << "]");
        ASSERT_EQ(s.size, size);
        ASSERT_LE(s.min_address, s.max_address);
        ASSERT_TRUE(Rel32Reaches(jump, s.min_address));
        ASSERT_TRUE(Rel32Reaches(jump, s.max_address));
        if ((Wide)s.max_address - s.min_address + 1 >= size) {
            // The lowest and highest chunks, and chunks anywhere in between.
            ASSERT_TRUE(ChunkReachable(jump, s.min_address, size));
            ASSERT_TRUE(ChunkReachable(jump, s.max_address - (size - 1), size));
            for (int i = 0; i < 8; i++) {
                uintptr_t span = s.max_address - s.min_address - (size - 1);
                uintptr_t start = s.min_address + (span == UINTPTR_MAX ? (uintptr_t)random() : (uintptr_t)(random() % ((Wide)span + 1)));
                ASSERT_TRUE(ChunkReachable(jump, start, size));
            }
        }
        // Not needlessly narrower: a chunk one byte lower or higher would hold an unreachable byte.
        if (s.min_address > 0) ASSERT_FALSE(ChunkReachable(jump, s.min_address - 1, size));
        if (s.max_address < UINTPTR_MAX) ASSERT_FALSE(ChunkReachable(jump, s.max_address + 1 - (size - 1), size));
    }
}

TEST(Reach, Rel32SaturatesAtTheEndsOfTheAddressSpace) {
    for (uintptr_t jump : {(uintptr_t)0, (uintptr_t)5, (uintptr_t)0x7FFFFFFAu}) {
        EXPECT_EQ(buffers_search_settings_rel32(jump, 64).min_address, 0u) << jump;
    }
    for (uintptr_t jump : {UINTPTR_MAX, UINTPTR_MAX - 4, UINTPTR_MAX - (uintptr_t)0x80000003u}) {
        EXPECT_EQ(buffers_search_settings_rel32(jump, 64).max_address, UINTPTR_MAX) << jump;
    }
#if UINTPTR_MAX > 0xFFFFFFFFu
    // The first jump whose window no longer starts at 0, and the exact window of a typical one.
    EXPECT_EQ(buffers_search_settings_rel32(0x7FFFFFFCu, 64).min_address, 1u);
    buffers_search_settings s = buffers_search_settings_rel32(0x7F0000001000u, 64);
    EXPECT_EQ(s.min_address, 0x7F0000001000u + 5 - 0x80000000u);
    EXPECT_EQ(s.max_address, 0x7F0000001000u + 5 + 0x7FFFFFFFu);
#else
    buffers_search_settings s = buffers_search_settings_rel32(0x12345678u, 64);
    EXPECT_EQ(s.min_address, 0u);
    EXPECT_EQ(s.max_address, UINTPTR_MAX);
#endif
}

TEST(Reach, TheOldProximityExampleAdmitsUnreachableBytes) {
#if UINTPTR_MAX > 0xFFFFFFFFu
    // What the header used to suggest: the displacement counts from the jump's end, so the lowest
    // 4 bytes of its window lie beyond the jump's reach (and the 5 highest reachable are left out).
    uintptr_t target = 0x7F0000001000u;
    buffers_search_settings old = buffers_search_settings_from_proximity(0x7FFFFFFF, target, 64);
    EXPECT_FALSE(Rel32Reaches(target, old.min_address));
    EXPECT_FALSE(Rel32Reaches(target, old.min_address + 3));
    buffers_search_settings exact = buffers_search_settings_rel32(target, 64);
    EXPECT_EQ(exact.min_address, old.min_address + 4);
    EXPECT_EQ(exact.max_address, old.max_address + 5);
#else
    GTEST_SKIP() << "32-bit addresses: a jmp rel32 reaches every address, so no window admits an unreachable byte";
#endif
}

TEST(Reach, WithinIsTheExactIntersection) {
    std::mt19937_64 random(3);
    int windows = 0, refusals = 0;
    for (int round = 0; round < 20000; round++) {
        uintptr_t center = RandomAddress(random);
        size_t distance = random() % 4 ? (size_t)(random() % 0x100000000ull) : (size_t)random();
        size_t spread = 1 + (size_t)(random() % (random() % 2 ? 0x1000 : 0x200000000ull));
        std::vector<uintptr_t> targets(1 + random() % 8);
        for (uintptr_t &t : targets) t = center + (uintptr_t)(random() % spread);   // may wrap: any address will do
        uint32_t size = 1 + (uint32_t)(random() % 4096);
        buffers_search_settings s = {1, 1, 1};
        buffers_status status = buffers_search_settings_within(distance, targets.data(), targets.size(), size, &s);
        uintptr_t low = *std::min_element(targets.begin(), targets.end());
        uintptr_t high = *std::max_element(targets.begin(), targets.end());
        SCOPED_TRACE(::testing::Message() << std::hex << "targets 0x" << low << "..0x" << high << " distance 0x"
                                          << distance << " size 0x" << size);
        if (status == BUFFERS_OK) {
            windows++;
            ASSERT_EQ(s.size, size);
            ASSERT_TRUE(WithinAll(s.min_address, targets, distance));
            ASSERT_TRUE(WithinAll(s.max_address, targets, distance));
            ASSERT_GE((Wide)s.max_address - s.min_address + 1, size);
            if (s.min_address > 0) ASSERT_FALSE(WithinAll(s.min_address - 1, targets, distance));
            if (s.max_address < UINTPTR_MAX) ASSERT_FALSE(WithinAll(s.max_address + 1, targets, distance));
        } else {
            refusals++;
            ASSERT_EQ(status, BUFFERS_ERROR_NO_SPACE) << buffers_last_error();
            ASSERT_EQ(s.min_address, 1u);   // untouched
            // No window of size bytes exists: the farthest pair leaves fewer than size common addresses.
            Wide from = (Wide)high > (Wide)distance ? (Wide)high - distance : 0;
            Wide to = (Wide)low + distance > (Wide)UINTPTR_MAX ? (Wide)UINTPTR_MAX : (Wide)low + distance;
            ASSERT_TRUE(from > to || to - from + 1 < size);
        }
    }
    EXPECT_GT(windows, 1000);
    EXPECT_GT(refusals, 1000);
}

TEST(Reach, WithinTooFarApartNamesTheFarthestTargetsAndTheDistance) {
    uintptr_t targets[] = {0x50000000u, 0x10000000u, 0x30000000u, 0x90000000u};
    buffers_search_settings s;
    ASSERT_EQ(buffers_search_settings_within(0x10000000u, targets, 4, 64, &s), BUFFERS_ERROR_NO_SPACE);
    std::string text = buffers_last_error();
    EXPECT_NE(text.find("0x10000000 (index 1)"), std::string::npos) << text;
    EXPECT_NE(text.find("0x90000000 (index 3)"), std::string::npos) << text;
    EXPECT_NE(text.find("distance 0x10000000"), std::string::npos) << text;
}

TEST(Reach, WithinOneTargetIsProximity) {
    uintptr_t target = 0x40000000u;
    buffers_search_settings s;
    ASSERT_EQ(buffers_search_settings_within(0x1000, &target, 1, 16, &s), BUFFERS_OK);
    buffers_search_settings p = buffers_search_settings_from_proximity(0x1000, target, 16);
    EXPECT_EQ(s.min_address, p.min_address);
    EXPECT_EQ(s.max_address, p.max_address);
}

TEST(Reach, WithinRefusesBadArguments) {
    uintptr_t targets[] = {0x1000};
    buffers_search_settings s = {7, 7, 7};
    EXPECT_EQ(buffers_search_settings_within(1, nullptr, 1, 16, &s), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_search_settings_within(1, targets, 0, 16, &s), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(buffers_last_error()).find("no targets"), std::string::npos) << buffers_last_error();
    EXPECT_EQ(buffers_search_settings_within(1, targets, 1, 0, &s), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_search_settings_within(1, targets, 1, 16, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(s.min_address, 7u);
    // A window smaller than the chunk: NO_SPACE, not a window that cannot hold it.
    EXPECT_EQ(buffers_search_settings_within(4, targets, 1, 16, &s), BUFFERS_ERROR_NO_SPACE);
    EXPECT_NE(std::string(buffers_last_error()).find("16 bytes do not fit"), std::string::npos) << buffers_last_error();
}

TEST(Reach, Rel32SettingsGetAReachableBuffer) {
    // End to end: a buffer found with the settings of a jump at a function of this program lies
    // where that jump reaches, every byte of it.
    uintptr_t jump = (uintptr_t)&buffers_version;
    buffers_search_settings s = buffers_search_settings_rel32(jump, 64);
    buffers_item *item;
    ASSERT_EQ(buffers_get_buffer(&s, &item), BUFFERS_OK) << buffers_last_error();
    uintptr_t base = buffers_item_base_address(item);
    uintptr_t free_start = base + buffers_item_position(item);
    uintptr_t last = base + buffers_item_size(item) - 1;
    buffers_item_release(item);
    EXPECT_TRUE(ChunkReachable(jump, free_start, (uint32_t)(last - free_start + 1)));
}
