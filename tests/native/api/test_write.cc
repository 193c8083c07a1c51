// The one-call API: buffers_write / buffers_write_code (get + append + release).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "test_support.h"

TEST(Write, CopiesTheBytesInsideTheWindowAndReleasesTheBuffer) {
    buffers_search_settings low = buffers_search_settings_from_proximity(0, 0, 16);
    low.max_address = kTwoGiB;
    const unsigned char bytes[5] = {1, 2, 3, 4, 5};
    uintptr_t first = 0, second = 0;
    ASSERT_EQ(buffers_write(&low, bytes, sizeof bytes, &first), BUFFERS_OK) << buffers_last_error();
    ASSERT_EQ(buffers_write(&low, bytes, sizeof bytes, &second), BUFFERS_OK) << buffers_last_error();
    EXPECT_LE(first + sizeof bytes - 1, kTwoGiB);
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void *>(first), bytes, sizeof bytes), 0);
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void *>(second), bytes, sizeof bytes), 0);
    // Released after the first write, so the second may reuse the same buffer: never the same bytes.
    EXPECT_NE(first, second);
}

TEST(Write, MoreBytesThanSettingsSizeAreStillGivenRoom) {
    buffers_search_settings low = buffers_search_settings_from_proximity(0, 0, 1);
    low.max_address = kTwoGiB;
    std::vector<unsigned char> bytes(3000, 0xAB);
    uintptr_t at = 0;
    ASSERT_EQ(buffers_write(&low, bytes.data(), bytes.size(), &at), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void *>(at), bytes.data(), bytes.size()), 0);
}

TEST(Write, BadArgumentsAreRefusedAndWriteNothing) {
    buffers_search_settings low = buffers_search_settings_default();
    const unsigned char byte = 7;
    uintptr_t at = 123;
    EXPECT_EQ(buffers_write(nullptr, &byte, 1, &at), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::strstr(buffers_last_error(), "settings is null"), nullptr) << buffers_last_error();
    EXPECT_EQ(buffers_write(&low, nullptr, 1, &at), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_write(&low, &byte, 1, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_write(&low, &byte, 0, &at), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::strstr(buffers_last_error(), "size 0"), nullptr) << buffers_last_error();
    buffers_search_settings inverted = low;
    inverted.min_address = 10;
    inverted.max_address = 5;
    EXPECT_EQ(buffers_write_code(&inverted, &byte, 1, &at), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(at, 123u);
}

TEST(Write, EverySizeFromOneTo130IsCopiedExactly) {
    // Sizes up to 64 are copied inline by overlapping moves, larger ones out of line: each size must
    // land whole, and no write may overlap another (so none spilled into its neighbour's bytes).
    buffers_search_settings low = {0, kTwoGiB, 1};
    std::vector<std::pair<uintptr_t, size_t>> writes;
    for (size_t size = 1; size <= 130; size++) {
        std::vector<unsigned char> bytes(size);
        for (size_t i = 0; i < size; i++) bytes[i] = (unsigned char)(size * 7 + i);
        uintptr_t at = 0;
        ASSERT_EQ(buffers_write(&low, bytes.data(), size, &at), BUFFERS_OK) << buffers_last_error();
        writes.emplace_back(at, size);
    }
    std::sort(writes.begin(), writes.end());
    for (size_t w = 0; w < writes.size(); w++) {
        const auto [at, size] = writes[w];
        if (w + 1 < writes.size()) EXPECT_LE(at + size, writes[w + 1].first) << "size " << size << " overlaps";
        for (size_t i = 0; i < size; i++)
            ASSERT_EQ(reinterpret_cast<const unsigned char *>(at)[i], (unsigned char)(size * 7 + i))
                << "size " << size << " byte " << i;
    }
}

TEST(Write, AppendOfEverySizeFromOneTo70LandsWhole) {
    buffers_item *item = GetLowBuffer(70 * 71 / 2);
    ASSERT_NE(item, nullptr);
    for (size_t size = 1; size <= 70; size++) {
        std::vector<unsigned char> bytes(size, (unsigned char)size);
        uintptr_t at = buffers_item_append_code(item, bytes.data(), size);
        ASSERT_NE(at, 0u) << buffers_last_error();
        EXPECT_EQ(std::memcmp(reinterpret_cast<const void *>(at), bytes.data(), size), 0) << "size " << size;
        if (size > 1) {
            EXPECT_EQ(reinterpret_cast<const unsigned char *>(at)[-1], (unsigned char)(size - 1)) << "neighbour kept";
        }
    }
    buffers_item_release(item);
}

// The hot path checks a size above UINT32_MAX on the way (a 64-bit room check, no separate test):
// with the window's hint warm, sizes 0, 2^32 and SIZE_MAX are still refused and write nothing.
TEST(Write, SizesOutOfRangeAreRefusedWhileTheWindowIsWarm) {
    buffers_search_settings low = {0, kTwoGiB, 16};
    const unsigned char bytes[16] = {9};
    uintptr_t at = 0;
    ASSERT_EQ(buffers_write(&low, bytes, sizeof bytes, &at), BUFFERS_OK) << buffers_last_error();   // the hint
    const size_t sizes[] = {0, (size_t)UINT32_MAX + (sizeof(size_t) > 4 ? 1 : 0), SIZE_MAX, SIZE_MAX - 15};
    for (size_t size : sizes) {
        if (size != 0 && size <= UINT32_MAX) continue;   // 32-bit size_t: only 0 is out of range
        for (int code = 0; code < 2; code++) {
            uintptr_t untouched = 123;
            buffers_status status = code ? buffers_write_code(&low, bytes, size, &untouched)
                                         : buffers_write(&low, bytes, size, &untouched);
            EXPECT_EQ(status, BUFFERS_ERROR_INVALID_ARGUMENT) << "size " << size;
            EXPECT_NE(std::strstr(buffers_last_error(), "is not from 1 to"), nullptr) << buffers_last_error();
            EXPECT_EQ(untouched, 123u) << "size " << size;
        }
    }
    // The window still serves the next write (nothing was left locked).
    uintptr_t next = 0;
    ASSERT_EQ(buffers_write(&low, bytes, sizeof bytes, &next), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(next, at + sizeof bytes);
}
