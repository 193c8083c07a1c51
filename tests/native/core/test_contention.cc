// Contention: a buffer that fits but is held by another user is waited for, not answered with
// NO_SPACE, and threads sharing a wide window do not multiply buffers.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

namespace {
// A window that holds exactly one buffer (with at least room bytes free) and has no room for
// another: the buffer's own extent.
buffers_search_settings WindowOfOneBuffer(uint32_t room = 64) {
    buffers_item *item = GetLowBuffer(room);
    if (!item) return {1, 0, 16};
    buffers_search_settings window = {buffers_item_base_address(item),
                                      buffers_item_base_address(item) + buffers_item_size(item) - 1, 16};
    buffers_item_release(item);
    return window;
}

// The 16 bytes thread t writes the i-th time: they name both.
void Words(int t, int i, uint32_t (&words)[4]) {
    words[0] = 0xC0FFEE00u + (uint32_t)t;
    words[1] = (uint32_t)i;
    words[2] = ~(uint32_t)i;
    words[3] = (uint32_t)t << 16 | (uint32_t)i;
}

size_t BuffersInside(uintptr_t min, uintptr_t max) {
    std::vector<buffers_buffer_info> infos(100000);
    size_t count = 0, inside = 0;
    EXPECT_EQ(buffers_list_buffers(infos.data(), infos.size(), &count), BUFFERS_OK);
    for (size_t i = 0; i < count && i < infos.size(); i++)
        if (infos[i].base_address >= min && infos[i].base_address + infos[i].size - 1 <= max) inside++;
    return inside;
}
}  // namespace

TEST(Contention, AHeldFittingBufferIsWaitedForNotRefused) {
    buffers_search_settings window = WindowOfOneBuffer();
    buffers_item *held;
    ASSERT_EQ(buffers_get_buffer(&window, &held), BUFFERS_OK) << buffers_last_error();
    std::thread releaser([held] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        buffers_item_release(held);
    });
    auto start = std::chrono::steady_clock::now();
    buffers_item *item = nullptr;
    buffers_status status = buffers_get_buffer(&window, &item);
    auto waited = std::chrono::steady_clock::now() - start;
    releaser.join();
    ASSERT_EQ(status, BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(item, held) << "the same buffer, once released";
    EXPECT_GE(waited, std::chrono::milliseconds(50)) << "it cannot have been had before the release";
    buffers_item_release(item);
}

TEST(Contention, AStuckHolderEndsInNoSpaceAfterTheBound) {
    buffers_search_settings window = WindowOfOneBuffer();
    buffers_item *held;
    ASSERT_EQ(buffers_get_buffer(&window, &held), BUFFERS_OK) << buffers_last_error();
    auto start = std::chrono::steady_clock::now();
    buffers_item *item = nullptr;
    ExpectFailure(buffers_get_buffer(&window, &item), BUFFERS_ERROR_NO_SPACE, "stayed held by other users");
    auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, std::chrono::milliseconds(900));
    EXPECT_LT(waited, std::chrono::seconds(30)) << "bounded";
    buffers_item_release(held);
}

TEST(Contention, FourThreadsOnAOneBufferWindowNeverSeeNoSpace) {
    buffers_search_settings window = WindowOfOneBuffer();
    std::atomic<int> failures{0}, successes{0};
    std::string first_error;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++)
        threads.emplace_back([&] {
            for (int i = 0; i < 20000; i++) {
                buffers_item *item;
                if (buffers_get_buffer(&window, &item) != BUFFERS_OK) {
                    if (failures++ == 0) first_error = buffers_last_error();
                    continue;
                }
                successes++;
                buffers_item_release(item);
            }
        });
    for (auto &thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0) << first_error;
    EXPECT_EQ(successes.load(), 80000);
}

TEST(Contention, ThreadsOnAWideWindowMakeAtMostTwoBuffersEach) {
    constexpr int kThreads = 8, kOps = 100000;
    // A fresh, wide window of our own: 256 MiB either side of a private reservation.
    buffers_allocator_settings probe = buffers_allocator_settings_default();
    buffers_private_allocation anchor;
    ASSERT_EQ(buffers_allocate_private_memory(&probe, &anchor), BUFFERS_OK) << buffers_last_error();
    buffers_search_settings window = buffers_search_settings_from_proximity(256u << 20, anchor.base_address, 64);
    const size_t before = BuffersInside(window.min_address, window.max_address);   // other tests' buffers
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++)
        threads.emplace_back([&] {
            for (int i = 0; i < kOps; i++) {
                buffers_item *item;
                if (buffers_get_buffer(&window, &item) != BUFFERS_OK) {
                    failures++;
                    continue;
                }
                buffers_item_release(item);
            }
        });
    for (auto &thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0) << buffers_last_error();
    size_t made = BuffersInside(window.min_address, window.max_address) - before;
    EXPECT_GE(made + before, 1u);
    EXPECT_LE(made, 2u * kThreads);
    buffers_free_private_memory(&anchor);
}

// Eight threads share a window that holds one buffer, through every route (get + the inline append
// and release, the same three as library calls, buffers_write, the inline window write, the
// window's get + the inline append and release): no request is refused while the buffer has room,
// and afterwards every byte written is where its answer said, none overlapping another.
TEST(Contention, EightThreadsOnOneBufferLoseNoByteAndSeeNoSpuriousNoSpace) {
    constexpr int kThreads = 8, kWrites = 4000;
    buffers_search_settings window = WindowOfOneBuffer(kThreads * kWrites * 16);
    buffers_window kept;
    ASSERT_EQ(buffers_window_open(&window, BUFFERS_WINDOW_LAYOUT, &kept), BUFFERS_OK) << buffers_last_error();
    std::vector<std::vector<uintptr_t>> where(kThreads, std::vector<uintptr_t>(kWrites));
    ThreadFailures failures;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kWrites; i++) {
                uint32_t words[4];
                Words(t, i, words);
                buffers_status status = BUFFERS_OK;
                buffers_item *item = nullptr;
                switch (i % 5) {
                case 0: status = buffers_get_buffer(&window, &item); break;
                case 1: status = buffers_write(&window, words, sizeof words, &where[t][i]); break;
                case 2: status = buffers_window_write(&kept, words, sizeof words, &where[t][i]); break;
                case 3: status = buffers_window_get(&kept, &item); break;
                case 4:
                    if ((status = buffers_get_buffer(&window, &item)) == BUFFERS_OK) {
                        where[t][i] = (buffers_item_append)(item, words, sizeof words);   // the library's
                        (buffers_item_release)(item);
                        item = nullptr;
                    }
                    break;
                }
                if (status == BUFFERS_OK && item) {
                    where[t][i] = buffers_item_append(item, words, sizeof words);   // inline
                    buffers_item_release(item);
                }
                if (status != BUFFERS_OK || !where[t][i]) failures.Record(t, i, "write", status);
            }
        });
    for (auto &thread : threads) thread.join();
    ASSERT_EQ(failures.Count(), 0u) << failures.Describe();
    std::vector<uintptr_t> starts;
    for (int t = 0; t < kThreads; t++)
        for (int i = 0; i < kWrites; i++) {
            uint32_t words[4];
            Words(t, i, words);
            ASSERT_GE(where[t][i], window.min_address) << "thread " << t << " write " << i;
            ASSERT_LE(where[t][i] + sizeof words - 1, window.max_address) << "thread " << t << " write " << i;
            ASSERT_EQ(std::memcmp(reinterpret_cast<const void *>(where[t][i]), words, sizeof words), 0)
                << "thread " << t << " write " << i;
            starts.push_back(where[t][i]);
        }
    std::sort(starts.begin(), starts.end());
    for (size_t s = 1; s < starts.size(); s++) ASSERT_GE(starts[s] - starts[s - 1], 16u) << "writes overlap";
}
