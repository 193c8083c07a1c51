// The public API on the real, process-wide locator: settings, get, aligned get, append, errors.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

TEST(Settings, DefaultsFollowTheContract) {
    buffers_search_settings search = buffers_search_settings_default();
    EXPECT_EQ(search.min_address, 0u);
    EXPECT_EQ(search.max_address, buffers_max_address());
    EXPECT_EQ(search.size, 4096u);
    buffers_allocator_settings alloc = buffers_allocator_settings_default();
    EXPECT_EQ(alloc.max_address, buffers_max_address());
    EXPECT_EQ(alloc.retry_count, 8);
    EXPECT_TRUE(alloc.brute_force);
    EXPECT_EQ(alloc.target_process_id, 0u);
}

TEST(Settings, ProximityCentresOnTheTarget) {
    buffers_search_settings s = buffers_search_settings_from_proximity(1000, 2000, 3000);
    EXPECT_EQ(s.min_address, 1000u);
    EXPECT_EQ(s.max_address, 3000u);
    EXPECT_EQ(s.size, 3000u);
    buffers_allocator_settings a = buffers_allocator_settings_from_proximity(1000, 2000, 3000);
    EXPECT_EQ(a.min_address, 1000u);
    EXPECT_EQ(a.max_address, 3000u);
    EXPECT_EQ(a.retry_count, 8);
}

TEST(Settings, ProximitySaturatesAtBothEnds) {
    buffers_search_settings low = buffers_search_settings_from_proximity(5000, 2000, 1);
    EXPECT_EQ(low.min_address, 0u);
    EXPECT_EQ(low.max_address, 7000u);
    buffers_search_settings high = buffers_search_settings_from_proximity(100, UINTPTR_MAX - 50, 1);
    EXPECT_EQ(high.min_address, UINTPTR_MAX - 150);
    EXPECT_EQ(high.max_address, UINTPTR_MAX);
}

TEST(Facts, PlatformValuesAreSane) {
    uint32_t granularity = buffers_allocation_granularity();
    EXPECT_GE(granularity, 4096u);
    EXPECT_EQ(granularity & (granularity - 1), 0u);
    EXPECT_GT(buffers_max_address(), (uintptr_t)0x7FFFFFFF);
    EXPECT_STREQ(buffers_version(), "1.0.0");
    EXPECT_STREQ(buffers_status_name(BUFFERS_ERROR_NO_SPACE), "BUFFERS_ERROR_NO_SPACE");
    EXPECT_STREQ(buffers_status_name(BUFFERS_OK), "BUFFERS_OK");
    EXPECT_STREQ(buffers_status_name((buffers_status)99), "BUFFERS_STATUS_UNKNOWN");
}

TEST(GetBuffer, InTheFirstTwoGiB) {
    buffers_item *item = GetLowBuffer(4096);
    ASSERT_NE(item, nullptr);
    uintptr_t base = buffers_item_base_address(item);
    EXPECT_NE(base, 0u);
    EXPECT_LE(base + buffers_item_size(item) - 1, kTwoGiB);
    EXPECT_GE(buffers_item_bytes_left(item), 4096u);
    const char text[] = "first two gigabytes";
    uintptr_t at = buffers_item_append(item, text, sizeof text);
    EXPECT_EQ(at, base + buffers_item_position(item) - sizeof text);
    EXPECT_EQ(std::memcmp(reinterpret_cast<void *>(at), text, sizeof text), 0);
    buffers_item_release(item);
}

TEST(GetBuffer, ByProximityToAFunction) {
    uintptr_t target = reinterpret_cast<uintptr_t>(&buffers_get_buffer);
    buffers_search_settings s = buffers_search_settings_from_proximity(kTwoGiB, target, 100);
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_get_buffer(&s, &item), BUFFERS_OK) << buffers_last_error();
    uintptr_t base = buffers_item_base_address(item);
    EXPECT_GE(base + buffers_item_position(item), s.min_address);
    EXPECT_LE(base + buffers_item_size(item) - 1, s.max_address);
    buffers_item_release(item);
}

TEST(GetBuffer, ReleasedBufferIsReusedForTheNextRequest) {
    buffers_search_settings s = {0, kTwoGiB, 64};
    buffers_item *first = nullptr, *second = nullptr;
    ASSERT_EQ(buffers_get_buffer(&s, &first), BUFFERS_OK);
    uint64_t marker = 0x1122334455667788ull;
    uintptr_t at = buffers_item_append(first, &marker, sizeof marker);
    ASSERT_NE(at, 0u);
    buffers_item_release(first);
    ASSERT_EQ(buffers_get_buffer(&s, &second), BUFFERS_OK);
    if (second == first) {
        uintptr_t next = buffers_item_append(second, &marker, sizeof marker);
        EXPECT_EQ(next, at + sizeof marker) << "appends continue after earlier ones";
    }
    EXPECT_EQ(*reinterpret_cast<uint64_t *>(at), marker) << "bytes once written stay";
    buffers_item_release(second);
}

TEST(GetBuffer, HeldBufferIsNotHandedOutTwice) {
    buffers_search_settings s = {0, kTwoGiB, 32};
    buffers_item *a = nullptr, *b = nullptr;
    ASSERT_EQ(buffers_get_buffer(&s, &a), BUFFERS_OK);
    ASSERT_EQ(buffers_get_buffer(&s, &b), BUFFERS_OK);
    EXPECT_NE(a, b);
    buffers_item_release(a);
    buffers_item_release(b);
}

TEST(GetBuffer, IsListedInTheLocator) {
    buffers_item *item = GetLowBuffer(16);
    ASSERT_NE(item, nullptr);
    uintptr_t base = buffers_item_base_address(item);
    size_t count = 0;
    ASSERT_EQ(buffers_list_buffers(nullptr, 0, &count), BUFFERS_OK);
    ASSERT_GT(count, 0u);
    std::vector<buffers_buffer_info> infos(count);
    ASSERT_EQ(buffers_list_buffers(infos.data(), infos.size(), &count), BUFFERS_OK);
    bool found = false;
    for (const auto &info : infos) found |= info.base_address == base && info.taken;
    EXPECT_TRUE(found);
    buffers_item_release(item);
    EXPECT_NE(buffers_locator_address(), 0u);
}

TEST(GetBufferAligned, NextAppendIsAlignedAfterAOneByteAppend) {
    for (uint32_t alignment : {1u, 2u, 16u, 64u, 256u, 4096u}) {
        buffers_search_settings s = {0, kTwoGiB, 100};
        buffers_item *item = nullptr;
        ASSERT_EQ(buffers_get_buffer(&s, &item), BUFFERS_OK);
        uint8_t one = 0x5A;
        ASSERT_NE(buffers_item_append(item, &one, 1), 0u);   // knock the position off alignment
        buffers_item_release(item);

        buffers_item *aligned = nullptr;
        ASSERT_EQ(buffers_get_buffer_aligned(&s, alignment, &aligned), BUFFERS_OK) << buffers_last_error();
        uintptr_t next = buffers_item_base_address(aligned) + buffers_item_position(aligned);
        EXPECT_EQ(next % alignment, 0u) << alignment;
        EXPECT_GE(buffers_item_bytes_left(aligned), 100u);
        uint8_t payload[100] = {};
        EXPECT_EQ(buffers_item_append(aligned, payload, sizeof payload), next);
        buffers_item_release(aligned);
    }
}

TEST(Append, RefusesMoreThanIsLeftAndWritesNothing) {
    buffers_item *item = GetLowBuffer(16);
    ASSERT_NE(item, nullptr);
    uint32_t left = buffers_item_bytes_left(item);
    uint32_t position = buffers_item_position(item);
    std::vector<uint8_t> too_big(left + 1, 0xCC);
    EXPECT_EQ(buffers_item_append(item, too_big.data(), too_big.size()), 0u);
    EXPECT_NE(std::string(buffers_last_error()).find("do not fit"), std::string::npos) << buffers_last_error();
    EXPECT_EQ(buffers_item_position(item), position);
    // Exactly what is left fits, and then nothing does.
    std::vector<uint8_t> exact(left, 0xAB);
    uintptr_t at = buffers_item_append(item, exact.data(), exact.size());
    ASSERT_NE(at, 0u);
    EXPECT_EQ(buffers_item_bytes_left(item), 0u);
    EXPECT_EQ(buffers_item_append(item, exact.data(), 1), 0u);
    EXPECT_EQ(std::memcmp(reinterpret_cast<void *>(at), exact.data(), exact.size()), 0);
    buffers_item_release(item);
}

TEST(Append, ZeroBytesReturnsTheNextAddress) {
    buffers_item *item = GetLowBuffer(16);
    ASSERT_NE(item, nullptr);
    uintptr_t next = buffers_item_base_address(item) + buffers_item_position(item);
    EXPECT_EQ(buffers_item_append(item, nullptr, 0), next);
    buffers_item_release(item);
}

TEST(BadInput, NullPointers) {
    buffers_search_settings s = buffers_search_settings_default();
    buffers_item *item = nullptr;
    ExpectFailure(buffers_get_buffer(nullptr, &item), BUFFERS_ERROR_INVALID_ARGUMENT, "settings is null");
    ExpectFailure(buffers_get_buffer(&s, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT, "out_item is null");
    ExpectFailure(buffers_get_buffer_aligned(nullptr, 16, &item), BUFFERS_ERROR_INVALID_ARGUMENT, "settings is null");
    ExpectFailure(buffers_get_buffer_aligned(&s, 16, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT, "out_item is null");
    buffers_allocator_settings a = buffers_allocator_settings_default();
    buffers_private_allocation p;
    ExpectFailure(buffers_allocate_private_memory(nullptr, &p), BUFFERS_ERROR_INVALID_ARGUMENT, "settings is null");
    ExpectFailure(buffers_allocate_private_memory(&a, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT, "out is null");
    ExpectFailure(buffers_free_private_memory(nullptr), BUFFERS_ERROR_INVALID_ARGUMENT, "allocation is null");
    ExpectFailure(buffers_list_buffers(nullptr, 0, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT, "out_count is null");
    EXPECT_EQ(buffers_item_append(nullptr, "x", 1), 0u);
    EXPECT_NE(std::string(buffers_last_error()).find("item is null"), std::string::npos);
    EXPECT_EQ(buffers_item_append_code(nullptr, "x", 1), 0u);
    EXPECT_EQ(buffers_item_base_address(nullptr), 0u);
    EXPECT_EQ(buffers_item_size(nullptr), 0u);
    EXPECT_EQ(buffers_item_position(nullptr), 0u);
    EXPECT_EQ(buffers_item_bytes_left(nullptr), 0u);
    buffers_item_release(nullptr);                       // ignored
    buffers_overwrite_allocated_code(nullptr, nullptr, 4);  // ignored
    buffers_clear_instruction_cache(nullptr, nullptr);      // ignored
}

TEST(BadInput, MinAboveMaxAndZeroSize) {
    buffers_item *item = nullptr;
    buffers_search_settings inverted = {0x20000, 0x10000, 16};
    ExpectFailure(buffers_get_buffer(&inverted, &item), BUFFERS_ERROR_INVALID_ARGUMENT, "is above max_address");
    buffers_search_settings empty = {0, kTwoGiB, 0};
    ExpectFailure(buffers_get_buffer(&empty, &item), BUFFERS_ERROR_INVALID_ARGUMENT, "size is 0");
    ExpectFailure(buffers_get_buffer_aligned(&empty, 16, &item), BUFFERS_ERROR_INVALID_ARGUMENT, "size is 0");
    buffers_allocator_settings a = buffers_allocator_settings_default();
    buffers_private_allocation p;
    a.min_address = 0x20000;
    a.max_address = 0x10000;
    ExpectFailure(buffers_allocate_private_memory(&a, &p), BUFFERS_ERROR_INVALID_ARGUMENT, "is above max_address");
    a = buffers_allocator_settings_default();
    a.size = 0;
    ExpectFailure(buffers_allocate_private_memory(&a, &p), BUFFERS_ERROR_INVALID_ARGUMENT, "size is 0");
    a = buffers_allocator_settings_default();
    a.retry_count = 0;
    ExpectFailure(buffers_allocate_private_memory(&a, &p), BUFFERS_ERROR_INVALID_ARGUMENT, "retry_count 0");
}

TEST(BadInput, Alignments) {
    buffers_search_settings s = {0, kTwoGiB, 16};
    buffers_item *item = nullptr;
    for (uint32_t bad : {0u, 3u, 48u, 8192u, 0x80000000u})
        ExpectFailure(buffers_get_buffer_aligned(&s, bad, &item), BUFFERS_ERROR_INVALID_ARGUMENT, "alignment");
    buffers_search_settings huge = {0, kTwoGiB, 0xFFFFFFF0u};
    ExpectFailure(buffers_get_buffer_aligned(&huge, 64, &item), BUFFERS_ERROR_INVALID_ARGUMENT, "does not fit 32 bits");
}

TEST(BadInput, AppendAfterReleaseIsRefused) {
    buffers_item *item = GetLowBuffer(16);
    ASSERT_NE(item, nullptr);
    buffers_item_release(item);
    EXPECT_EQ(buffers_item_append(item, "abc", 3), 0u);
    EXPECT_NE(std::string(buffers_last_error()).find("not locked"), std::string::npos) << buffers_last_error();
}

TEST(BadInput, AppendOfNullDataIsRefused) {
    buffers_item *item = GetLowBuffer(16);
    ASSERT_NE(item, nullptr);
    uint32_t position = buffers_item_position(item);
    EXPECT_EQ(buffers_item_append(item, nullptr, 4), 0u);
    EXPECT_NE(std::string(buffers_last_error()).find("data is null"), std::string::npos);
    EXPECT_EQ(buffers_item_position(item), position);
    buffers_item_release(item);
}

TEST(NoSpace, RangeTooSmallForTheSize) {
    buffers_item *item = nullptr;
    buffers_search_settings tiny = {0x10000000, 0x10000800, 0x1000};
    ExpectFailure(buffers_get_buffer(&tiny, &item), BUFFERS_ERROR_NO_SPACE, "cannot fit");
    EXPECT_NE(std::string(buffers_last_error()).find("0x10000000"), std::string::npos) << "names the settings";
}

TEST(NoSpace, RangeAboveTheHighestUserAddress) {
    buffers_item *item = nullptr;
    buffers_search_settings above = {buffers_max_address() + 1, UINTPTR_MAX, 16};
    if (buffers_max_address() == UINTPTR_MAX) GTEST_SKIP() << "no address above the maximum on this platform";
    ExpectFailure(buffers_get_buffer(&above, &item), BUFFERS_ERROR_NO_SPACE, "cannot fit");
}

TEST(NoSpace, OccupiedRangeReportsTheSearch) {
    // Fill a small window completely with private memory, then ask for a buffer inside it.
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.min_address = 0x30000000;
    a.max_address = 0x30000000 + 4 * (uintptr_t)buffers_allocation_granularity();
    a.size = 4 * buffers_allocation_granularity();
    buffers_private_allocation block;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
    buffers_search_settings s = {a.min_address, a.max_address, 16};
    buffers_item *item = nullptr;
    ExpectFailure(buffers_get_buffer(&s, &item), BUFFERS_ERROR_NO_SPACE, "no free");
    EXPECT_NE(std::string(buffers_last_error()).find("after 8 searches"), std::string::npos) << buffers_last_error();
    EXPECT_EQ(buffers_free_private_memory(&block), BUFFERS_OK);
}

TEST(LastError, IsPerThreadAndKeptUntilTheNextFailure) {
    buffers_item *item = nullptr;
    buffers_search_settings empty = {0, kTwoGiB, 0};
    buffers_get_buffer(&empty, &item);
    std::string mine = buffers_last_error();
    std::string theirs = "unset";
    std::thread other([&] { theirs = buffers_last_error(); });
    other.join();
    EXPECT_EQ(theirs, "");
    buffers_search_settings good = {0, kTwoGiB, 16};
    ASSERT_EQ(buffers_get_buffer(&good, &item), BUFFERS_OK);
    buffers_item_release(item);
    EXPECT_EQ(std::string(buffers_last_error()), mine);
}

TEST(Layout, RustLayoutCannotBeChosenOnceTheLocatorExistsInTheDocumentsLayout) {
    if (getenv("BUFFERS_LOCATOR_LAYOUT")) GTEST_SKIP() << "the environment chose a layout";
    buffers_item *item = GetLowBuffer(16);   // the locator now exists, in the document's layout
    buffers_item_release(item);
    EXPECT_STREQ(buffers_locator_layout(), "document");
    ExpectFailure(buffers_use_rust_layout(), BUFFERS_ERROR_LOCATOR, "already exists in the document's item layout");
    EXPECT_STREQ(buffers_locator_layout(), "document") << "never rewritten";
}

// Bindings map failures to their error types by this status, never by parsing the text.
TEST(LastStatus, IsTheStatusOfTheLastFailureOnThisThread) {
    buffers_search_settings bad = buffers_search_settings_default();
    bad.size = 0;
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_get_buffer(&bad, &item), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_last_status(), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(std::string(buffers_last_error()).rfind("BUFFERS_ERROR_INVALID_ARGUMENT: ", 0), 0u) << buffers_last_error();

    buffers_search_settings high = buffers_search_settings_default();
    high.min_address = buffers_max_address() - 1;
    ASSERT_EQ(buffers_get_buffer(&high, &item), BUFFERS_ERROR_NO_SPACE);
    EXPECT_EQ(buffers_last_status(), BUFFERS_ERROR_NO_SPACE);

    // Another thread's failures are its own.
    buffers_status seen = BUFFERS_OK;
    std::thread([&] { seen = buffers_last_status(); }).join();
    EXPECT_EQ(seen, BUFFERS_OK);
}
