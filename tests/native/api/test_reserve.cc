// Reserve, fill, commit: buffers_item_reserve hands out the next bytes of a held item,
// buffers_item_unreserve gives back only the last reservation of the current hold, and
// buffers_commit_code accepts exactly the ranges inside this process's buffers.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <reloaded/buffers.h>

#include "test_shim.h"

namespace {
// A held item with at least `room` bytes free anywhere in the address space.
buffers_item *Hold(uint32_t room = 512) {
    buffers_search_settings s = buffers_search_settings_default();
    s.size = room;
    buffers_item *item = nullptr;
    EXPECT_EQ(buffers_get_buffer(&s, &item), BUFFERS_OK) << buffers_last_error();
    return item;
}

// Holds the very buffer at base again (a window that only it fits).
buffers_item *HoldAgain(uintptr_t base, uint32_t size) {
    buffers_search_settings s = {base, base + size - 1, 1};
    buffers_item *item = nullptr;
    EXPECT_EQ(buffers_get_buffer(&s, &item), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(buffers_item_base_address(item), base);
    return item;
}

std::string LastError() { return buffers_last_error(); }
}  // namespace

TEST(Reserve, HandsOutTheNextBytesAndMovesThePosition) {
    buffers_item *item = Hold();
    uintptr_t base = buffers_item_base_address(item);
    uint32_t position = buffers_item_position(item);
    uintptr_t address = 0;
    void *writable = nullptr;
    ASSERT_EQ(buffers_item_reserve(item, 32, &address, &writable), BUFFERS_OK) << LastError();
    EXPECT_EQ(address, base + position);   // the next address is base + position, under the lock
    EXPECT_EQ((uintptr_t)writable, address);   // buffers are rwx: one address
    EXPECT_EQ(buffers_item_position(item), position + 32);
    // The next append goes after the reservation.
    unsigned char after = 0xAB;
    EXPECT_EQ(buffers_item_append(item, &after, 1), base + position + 32);
    buffers_item_release(item);
    // Filled after release, then committed: the bytes are the caller's.
    std::memset(writable, 0x5A, 32);
    EXPECT_EQ(buffers_commit_code(address, 32), BUFFERS_OK) << LastError();
    EXPECT_EQ(((unsigned char *)writable)[31], 0x5A);
    EXPECT_EQ(*(unsigned char *)(address + 32), 0xAB);
}

TEST(Reserve, RefusesZeroOrMoreThanIsLeftAndMovesNothing) {
    buffers_item *item = Hold();
    uint32_t position = buffers_item_position(item), left = buffers_item_bytes_left(item);
    uintptr_t address = 7;
    void *writable = &address;
    EXPECT_EQ(buffers_item_reserve(item, 0, &address, &writable), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_item_reserve(item, (size_t)left + 1, &address, &writable), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(LastError().find("left in the buffer"), std::string::npos) << LastError();
    EXPECT_EQ(buffers_item_reserve(item, SIZE_MAX, &address, &writable), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_item_reserve(item, 8, nullptr, &writable), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_item_reserve(item, 8, &address, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_item_position(item), position);
    EXPECT_EQ(address, 7u);
    // Exactly what is left is fine.
    ASSERT_EQ(buffers_item_reserve(item, left, &address, &writable), BUFFERS_OK) << LastError();
    EXPECT_EQ(buffers_item_bytes_left(item), 0u);
    buffers_item_release(item);
    EXPECT_EQ(buffers_item_reserve(nullptr, 8, &address, &writable), BUFFERS_ERROR_INVALID_ARGUMENT);
}

TEST(Reserve, RefusesAReleasedItem) {
    buffers_item *item = Hold();
    buffers_item_release(item);
    uintptr_t address;
    void *writable;
    EXPECT_EQ(buffers_item_reserve(item, 8, &address, &writable), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(LastError().find("not locked"), std::string::npos) << LastError();
}

TEST(Unreserve, GivesBackOnlyTheLastReservation) {
    buffers_item *item = Hold();
    uint32_t position = buffers_item_position(item);
    uintptr_t first, second;
    void *writable;
    ASSERT_EQ(buffers_item_reserve(item, 16, &first, &writable), BUFFERS_OK);
    ASSERT_EQ(buffers_item_reserve(item, 32, &second, &writable), BUFFERS_OK);
    EXPECT_EQ(buffers_item_unreserve(item, first), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(LastError().find("not the last reservation"), std::string::npos) << LastError();
    EXPECT_EQ(buffers_item_position(item), position + 48);
    ASSERT_EQ(buffers_item_unreserve(item, second), BUFFERS_OK) << LastError();
    EXPECT_EQ(buffers_item_position(item), position + 16);
    // Once given back it is not on record: neither it nor the one before can be given back again.
    EXPECT_EQ(buffers_item_unreserve(item, second), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_item_unreserve(item, first), BUFFERS_ERROR_INVALID_ARGUMENT);
    // The given-back bytes are handed out again.
    uintptr_t again;
    ASSERT_EQ(buffers_item_reserve(item, 8, &again, &writable), BUFFERS_OK);
    EXPECT_EQ(again, second);
    buffers_item_release(item);
}

TEST(Unreserve, RefusedAfterAnAppend) {
    buffers_item *item = Hold();
    uintptr_t address;
    void *writable;
    ASSERT_EQ(buffers_item_reserve(item, 16, &address, &writable), BUFFERS_OK);
    unsigned char byte = 1;
    ASSERT_NE(buffers_item_append(item, &byte, 1), 0u);
    uint32_t position = buffers_item_position(item);
    EXPECT_EQ(buffers_item_unreserve(item, address), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(LastError().find("appended after"), std::string::npos) << LastError();
    EXPECT_EQ(buffers_item_position(item), position);
    buffers_item_release(item);
}

TEST(Unreserve, RefusedOnceTheHoldEnded) {
    // The bytes of a released hold belong to its holder for good, even if the next holder (who
    // appended nothing) names their address.
    buffers_item *item = Hold();
    uintptr_t base = buffers_item_base_address(item);
    uint32_t size = buffers_item_size(item);
    uintptr_t address;
    void *writable;
    ASSERT_EQ(buffers_item_reserve(item, 16, &address, &writable), BUFFERS_OK);
    uint32_t position = buffers_item_position(item);
    buffers_item_release(item);
    EXPECT_EQ(buffers_item_unreserve(item, address), BUFFERS_ERROR_INVALID_ARGUMENT);   // released
    buffers_item *again = HoldAgain(base, size);
    EXPECT_EQ(buffers_item_unreserve(again, address), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_item_position(again), position);
    buffers_item_release(again);
    EXPECT_EQ(buffers_item_unreserve(nullptr, address), BUFFERS_ERROR_INVALID_ARGUMENT);
}

TEST(Unreserve, KeepsOtherRequestsInsideTheirWindow) {
    // The hot path reads the position before locking; a holder that gives bytes back meanwhile
    // moves it down. A request whose window starts above the given-back position must then be
    // refused, never served below its min. Holder: reserve past min, give back, release, over and
    // over. Other thread: never-blocking writes into [position + 32, end of buffer] through the
    // hint, which can only pass the first look by seeing the reserved position; none may land
    // below min.
    buffers_item *item = Hold(4096);
    uintptr_t base = buffers_item_base_address(item);
    uintptr_t last = base + buffers_item_size(item) - 1;
    uintptr_t min = base + buffers_item_position(item) + 32;
    shim_engine_set_hint(min, last, item);
    buffers_item_release(item);
    buffers_search_settings low = {base, last, 1};
    void *writable;

    std::atomic<bool> stop{false};
    std::atomic<uintptr_t> lowest_write{UINTPTR_MAX};
    std::thread writer([&] {
        unsigned char byte = 0xCC;
        while (!stop.load()) {
            uintptr_t at = buffers_try_write(min, last, 1, &byte, 1, 0);
            if (at && at < lowest_write.load()) lowest_write.store(at);
        }
    });
    // At least 2000 cycles and 500 ms (without the re-check the race shows in most runs), at most
    // 3 s: a held buffer makes a request wait, which sanitizer builds make slow.
    auto start = std::chrono::steady_clock::now();
    auto enough = start + std::chrono::milliseconds(500), until = start + std::chrono::seconds(3);
    int cycles = 0;
    for (auto now = start; (cycles < 2000 || now < enough) && now < until; now = std::chrono::steady_clock::now()) {
        buffers_item *held;
        if (buffers_get_buffer(&low, &held) != BUFFERS_OK) continue;
        uintptr_t at;
        if (buffers_item_reserve(held, 64, &at, &writable) == BUFFERS_OK) {
            std::this_thread::yield();
            EXPECT_EQ(buffers_item_unreserve(held, at), BUFFERS_OK) << LastError();
        }
        buffers_item_release(held);
        cycles++;
    }
    stop = true;
    writer.join();
    EXPECT_GE(cycles, 50);
    uintptr_t lowest = lowest_write.load();
    if (lowest != UINTPTR_MAX) EXPECT_GE(lowest, min) << "a write went below its window's min";
}

TEST(CommitCode, RunsReservedCodeFilledAfterRelease) {
#if defined(__x86_64__) || defined(__i386__)
    const unsigned char code[] = {0xB8, 0x2A, 0x00, 0x00, 0x00, 0xC3};   // mov eax, 42; ret
#elif defined(__aarch64__)
    const uint32_t words[] = {0x52800540u, 0xD65F03C0u};                  // mov w0, #42; ret
    unsigned char code[sizeof words];
    std::memcpy(code, words, sizeof words);
#else
    GTEST_SKIP() << "no machine code for this architecture in the test";
    const unsigned char code[1] = {0};
#endif
    buffers_item *item = Hold();
    uintptr_t address;
    void *writable;
    ASSERT_EQ(buffers_item_reserve(item, sizeof code, &address, &writable), BUFFERS_OK);
    buffers_item_release(item);
    // Filled and committed on another thread, after release.
    std::thread filler([&] {
        std::memcpy(writable, code, sizeof code);
        EXPECT_EQ(buffers_commit_code(address, sizeof code), BUFFERS_OK) << LastError();
    });
    filler.join();
    int (*function)(void) = (int (*)(void))address;
    EXPECT_EQ(function(), 42);
}

TEST(CommitCode, RefusesRangesOutsideThisProcesssBuffers) {
    buffers_item *item = Hold();
    uintptr_t base = buffers_item_base_address(item);
    uint32_t size = buffers_item_size(item);
    buffers_item_release(item);
    int on_stack = 0;
    EXPECT_EQ(buffers_commit_code((uintptr_t)&on_stack, sizeof on_stack), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(LastError().find("not inside one buffer"), std::string::npos) << LastError();
    EXPECT_EQ(buffers_commit_code(base, 0), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_commit_code(UINTPTR_MAX - 3, 8), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_commit_code(base + size - 4, 8), BUFFERS_ERROR_INVALID_ARGUMENT);   // runs past the end
    EXPECT_EQ(buffers_commit_code(base - 4, 8), BUFFERS_ERROR_INVALID_ARGUMENT);          // starts before
    EXPECT_EQ(buffers_commit_code(base, size), BUFFERS_OK) << LastError();                // the whole buffer
}
