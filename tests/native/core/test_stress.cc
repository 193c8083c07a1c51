// Many threads getting, appending and releasing at once: no two appends may overlap, and every
// byte written must still be there at the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "test_support.h"

namespace {
struct Write {
    uintptr_t address;
    uint32_t length;
    uint8_t seed;
};

uint8_t PatternByte(uint8_t seed, uint32_t index) { return uint8_t(seed * 31 + index * 7 + 1); }
}  // namespace

TEST(Stress, EightThreadsNeverShareBytes) {
    constexpr int kThreads = 8;
    constexpr int kRounds = 4000;
    std::vector<std::vector<Write>> writes(kThreads);
    ThreadFailures failures;
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
        threads.emplace_back([&, t] {
            while (!go.load()) std::this_thread::yield();
            uint8_t data[96];
            for (int round = 0; round < kRounds; round++) {
                uint32_t length = 1 + (uint32_t)((round * 13 + t * 7) % 96);
                uint8_t seed = uint8_t(t * 17 + round);
                for (uint32_t i = 0; i < length; i++) data[i] = PatternByte(seed, i);
                // Alternate between two windows so buffers are made, shared and reused.
                buffers_search_settings s = {0, round % 2 ? kTwoGiB : buffers_max_address(), length};
                buffers_item *item = nullptr;
                buffers_status status = buffers_get_buffer(&s, &item);
                if (status != BUFFERS_OK) {
                    failures.Record(t, round, "get_buffer", status);
                    continue;
                }
                uintptr_t at = buffers_item_append(item, data, length);
                if (!at) failures.Record(t, round, "append", BUFFERS_ERROR_INVALID_ARGUMENT);
                buffers_item_release(item);
                if (!at) continue;
                writes[t].push_back({at, length, seed});
            }
        });
    }
    go = true;
    for (auto &thread : threads) thread.join();
    ASSERT_EQ(failures.Count(), 0u) << failures.Describe();

    std::vector<Write> all;
    for (auto &list : writes) all.insert(all.end(), list.begin(), list.end());
    ASSERT_EQ(all.size(), (size_t)kThreads * kRounds);
    std::sort(all.begin(), all.end(), [](const Write &a, const Write &b) { return a.address < b.address; });
    for (size_t i = 1; i < all.size(); i++)
        ASSERT_LE(all[i - 1].address + all[i - 1].length, all[i].address) << "overlap at write " << i;
    size_t bad = 0;
    for (const Write &w : all) {
        auto *bytes = reinterpret_cast<const uint8_t *>(w.address);
        for (uint32_t i = 0; i < w.length; i++) bad += bytes[i] != PatternByte(w.seed, i);
    }
    EXPECT_EQ(bad, 0u) << "bytes changed after being written";
}

TEST(Stress, ConcurrentAlignedAndPlainRequestsKeepTheirPromises) {
    constexpr int kThreads = 4;
    ThreadFailures failures;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 2000; round++) {
                buffers_search_settings s = {0, kTwoGiB, 24};
                buffers_item *item = nullptr;
                uint32_t alignment = (t % 2) ? 64 : 1;
                buffers_status status = buffers_get_buffer_aligned(&s, alignment, &item);
                if (status != BUFFERS_OK) {
                    failures.Record(t, round, "get_buffer_aligned", status);
                    continue;
                }
                uintptr_t next = buffers_item_base_address(item) + buffers_item_position(item);
                if (next % alignment || buffers_item_bytes_left(item) < 24)
                    failures.Record(t, round, "next address misaligned or too little room", BUFFERS_OK);
                uint8_t data[24] = {uint8_t(t)};
                if (buffers_item_append(item, data, sizeof data) != next)
                    failures.Record(t, round, "append not at the aligned address", BUFFERS_OK);
                buffers_item_release(item);
            }
        });
    }
    for (auto &thread : threads) thread.join();
    EXPECT_EQ(failures.Count(), 0u) << failures.Describe();
}
