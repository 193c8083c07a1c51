// The cost of a request does not grow with the number of buffers registered (thread CPU time, best
// of several blocks, compared within one process; the limits have room for a loaded machine but
// not for a scan of every buffer, which costs hundreds of times more at these counts).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <ctime>
#include <vector>

#include "test_support.h"

namespace {
// This thread's CPU time where it has a fine clock; elsewhere (Windows counts thread time in 15.6 ms
// ticks) the wall clock, which the best-of and averaged comparisons below tolerate.
double ThreadSeconds() {
#if defined(_WIN32)
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
#else
    timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
#endif
}

// Best of 7 blocks of 20,000 get + release in window.
double BestBlockSeconds(const buffers_search_settings &window) {
    double best = 1e9;
    for (int block = 0; block < 7; block++) {
        double start = ThreadSeconds();
        for (int i = 0; i < 20000; i++) {
            buffers_item *item;
            if (buffers_get_buffer(&window, &item) != BUFFERS_OK) {
                ADD_FAILURE() << buffers_last_error();
                return 1e9;
            }
            buffers_item_release(item);
        }
        best = std::fmin(best, ThreadSeconds() - start);
    }
    return best;
}

// A window of its own holding one new buffer: 1 MiB of address space that was free a moment ago
// (reserved and released again; sanitizers keep fixed ranges for themselves, so none is hard-coded).
buffers_search_settings FreshWindow() {
    buffers_allocator_settings settings = buffers_allocator_settings_default();
    settings.size = 1u << 20;
    buffers_private_allocation space;
    EXPECT_EQ(buffers_allocate_private_memory(&settings, &space), BUFFERS_OK) << buffers_last_error();
    buffers_search_settings window = {space.base_address, space.base_address + space.size - 1, 16};
    EXPECT_EQ(buffers_free_private_memory(&space), BUFFERS_OK);
    buffers_item *item = nullptr;
    EXPECT_EQ(buffers_get_buffer(&window, &item), BUFFERS_OK) << buffers_last_error();
    buffers_item_append(item, "x", 1);   // no longer a whole free page: the fillers cannot take it
    buffers_item_release(item);
    return window;
}
}  // namespace

TEST(Scaling, TheTenThousandAndSecondBufferCostsWhatTheFirstDoes) {
    buffers_search_settings first = FreshWindow();
    // Each filler asks for a whole granule of room and writes one byte, so the next needs a new
    // buffer. With 64 KiB granules (Windows) 6,000 keep the address space used under 400 MiB.
    const uint32_t granule = buffers_allocation_granularity();
    const size_t fillers = granule <= 4096 ? 10000 : 6000;
    buffers_search_settings filler = {0, buffers_max_address(), granule};
    const unsigned char byte = 0x5A;
    size_t count = 0;
    for (int round = 0; round < 40 && count < fillers + 1; round++) {   // buffers with room are reused first
        for (int i = 0; i < 1000; i++) {
            uintptr_t at;
            ASSERT_EQ(buffers_write(&filler, &byte, 1, &at), BUFFERS_OK) << buffers_last_error();
        }
        ASSERT_EQ(buffers_list_buffers(nullptr, 0, &count), BUFFERS_OK);
    }
    buffers_search_settings last = FreshWindow();
    ASSERT_EQ(buffers_list_buffers(nullptr, 0, &count), BUFFERS_OK);
    ASSERT_GE(count, fillers + 2);
    double near = BestBlockSeconds(first), far = BestBlockSeconds(last);
    EXPECT_LT(far, 3 * near) << "first: " << near * 1e9 / 20000 << " ns, last: " << far * 1e9 / 20000 << " ns";
}

TEST(Scaling, TrampolinesNearSixteenFunctionsDoNotSlowDown) {
    using Fn = void (*)();
    const Fn targets[16] = {(Fn)&std::memcpy, (Fn)&std::strlen, (Fn)&std::malloc, (Fn)&std::free,
                            (Fn)&std::printf, (Fn)&std::fopen,  (Fn)&std::qsort,  (Fn)&std::getenv,
                            (Fn)&std::strtol, (Fn)&std::snprintf, (Fn)&std::fclose, (Fn)&std::fwrite,
                            (Fn)(double (*)(double))&std::sin, (Fn)(double (*)(double))&std::cos,
                            (Fn)(double (*)(double))&std::exp, (Fn)(double (*)(double))&std::sqrt};
    unsigned char code[64];
    std::memset(code, 0xCC, sizeof code);
    double first = 0, last = 0;   // the first block, and the mean of the last three
    for (int block = 0; block < 10; block++) {
        double start = ThreadSeconds();
        for (int i = block * 10000; i < (block + 1) * 10000; i++) {
            buffers_search_settings s = buffers_search_settings_from_proximity(kTwoGiB, (uintptr_t)targets[i % 16], 16);
            uintptr_t at;
            ASSERT_EQ(buffers_write_code(&s, code, 16 + (size_t)(i * 7) % 49, &at), BUFFERS_OK) << buffers_last_error();
        }
        double took = ThreadSeconds() - start;
        if (block == 0) first = took;
        if (block >= 7) last += took / 3;
    }
    EXPECT_LT(last, 2.5 * first) << "first 10,000: " << first * 1e3 << " ms, last 10,000: " << last * 1e3 << " ms";
}
