// The two calls made for managed runtimes: buffers_try_write (never blocks) and
// buffers_retire_private_memory (take memory back, keep the addresses reserved).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "test_support.h"

namespace {

// A fresh buffer of exactly one page-rounded size, and the window only it matches.
buffers_search_settings WindowOfAFreshBuffer(uint32_t size) {
    buffers_search_settings any = buffers_search_settings_default();
    any.size = size;
    buffers_item *item = nullptr;
    EXPECT_EQ(buffers_get_buffer(&any, &item), BUFFERS_OK) << buffers_last_error();
    uintptr_t base = buffers_item_base_address(item) + buffers_item_position(item);
    uintptr_t end = buffers_item_base_address(item) + buffers_item_size(item);
    buffers_item_release(item);
    return buffers_search_settings{base, end, 16};
}

}  // namespace

TEST(TryWrite, CopiesIntoAFreeBufferWithRoom) {
    buffers_search_settings window = WindowOfAFreshBuffer(1 << 20);
    const unsigned char bytes[4] = {1, 2, 3, 4};
    // try_write serves a window only from the buffer that last served it: a miss is not scanned.
    EXPECT_EQ(buffers_try_write(window.min_address, window.max_address, 16, bytes, sizeof bytes, 0), 0u);
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_get_buffer(&window, &item), BUFFERS_OK) << buffers_last_error();
    buffers_item_release(item);
    uintptr_t at = buffers_try_write(window.min_address, window.max_address, 16, bytes, sizeof bytes, 0);
    ASSERT_NE(at, 0u) << buffers_last_error();
    EXPECT_GE(at, window.min_address);
    EXPECT_LE(at + sizeof bytes, window.max_address);
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void *>(at), bytes, sizeof bytes), 0);
    const unsigned char ret = 0xC3;
    uintptr_t code = buffers_try_write(window.min_address, window.max_address, 1, &ret, 1, 1);
    EXPECT_EQ(code, at + sizeof bytes) << "the buffer was released and appended to again";
}

TEST(TryWrite, NeverWaitsForAHeldBufferAndMakesNone) {
    buffers_search_settings window = WindowOfAFreshBuffer(1 << 20);
    buffers_item *held = nullptr;
    ASSERT_EQ(buffers_get_buffer(&window, &held), BUFFERS_OK) << buffers_last_error();
    const unsigned char byte = 9;
    EXPECT_EQ(buffers_try_write(window.min_address, window.max_address, 16, &byte, 1, 0), 0u);
    EXPECT_NE(std::strstr(buffers_last_error(), "BUFFERS_ERROR_NO_SPACE"), nullptr) << buffers_last_error();
    buffers_item_release(held);
    EXPECT_NE(buffers_try_write(window.min_address, window.max_address, 16, &byte, 1, 0), 0u) << buffers_last_error();
    // A range where no buffer exists: nothing is made.
    size_t before = 0;
    ASSERT_EQ(buffers_list_buffers(nullptr, 0, &before), BUFFERS_OK);
    EXPECT_EQ(buffers_try_write(0x10000, 0x10064, 16, &byte, 1, 0), 0u);
    size_t after = 0;
    ASSERT_EQ(buffers_list_buffers(nullptr, 0, &after), BUFFERS_OK);
    EXPECT_EQ(before, after);
}

TEST(TryWrite, BadArgumentsAreRefused) {
    const unsigned char byte = 1;
    EXPECT_EQ(buffers_try_write(0, kTwoGiB, 16, nullptr, 1, 0), 0u);
    EXPECT_NE(std::strstr(buffers_last_error(), "BUFFERS_ERROR_INVALID_ARGUMENT"), nullptr) << buffers_last_error();
    EXPECT_EQ(buffers_try_write(0, kTwoGiB, 16, &byte, 0, 0), 0u);
    EXPECT_EQ(buffers_try_write(kTwoGiB, 0, 16, &byte, 1, 0), 0u);
}

TEST(RetirePrivateMemory, ZeroPagesStayReservedUntilFreed) {
    buffers_allocator_settings settings = buffers_allocator_settings_default();
    buffers_private_allocation memory;
    ASSERT_EQ(buffers_allocate_private_memory(&settings, &memory), BUFFERS_OK) << buffers_last_error();
    auto *bytes = reinterpret_cast<volatile unsigned char *>(memory.base_address);
    bytes[0] = 0x5A;
    ASSERT_EQ(buffers_retire_private_memory(&memory), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(bytes[0], 0) << "fresh zero pages replaced the old ones";
    bytes[1] = 7;  // still writable: no fault
    EXPECT_EQ(bytes[1], 7);
    buffers_allocator_settings exactly = settings;
    exactly.min_address = memory.base_address;
    exactly.max_address = memory.base_address + memory.size - 1;
    exactly.size = static_cast<uint32_t>(memory.size);
    buffers_private_allocation other;
    EXPECT_NE(buffers_allocate_private_memory(&exactly, &other), BUFFERS_OK) << "the range is still reserved";
    uintptr_t base = memory.base_address;
    ASSERT_EQ(buffers_free_private_memory(&memory), BUFFERS_OK) << buffers_last_error();
    ASSERT_EQ(buffers_allocate_private_memory(&exactly, &other), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(other.base_address, base);
    EXPECT_EQ(buffers_free_private_memory(&other), BUFFERS_OK);
}

TEST(RetirePrivateMemory, BadArgumentsAreRefused) {
    ExpectFailure(buffers_retire_private_memory(nullptr), BUFFERS_ERROR_INVALID_ARGUMENT, "null");
    buffers_private_allocation empty = {0, 0, 0};
    ExpectFailure(buffers_retire_private_memory(&empty), BUFFERS_ERROR_INVALID_ARGUMENT, "empty");
    buffers_private_allocation foreign = {0x10000, 4096, 0xFFFFFFF0u};
    ExpectFailure(buffers_retire_private_memory(&foreign), BUFFERS_ERROR_UNSUPPORTED, "process");
}
