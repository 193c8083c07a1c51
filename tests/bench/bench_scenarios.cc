// Scenarios: trampolines near library functions, two contention cases, and making a new buffer.
#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <atomic>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "bench_support.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

namespace {
constexpr uintptr_t kTwoGiB = 0x7FFFFFFF;

// This thread's CPU time in seconds: the machine is shared, so wall time would count other work.
double ThreadSeconds() {
    timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

// 100,000 one-call writes of 16-64 bytes within 2 GiB of 16 libc/libm functions, round robin; the
// first and the last 10,000 are timed apart (their ratio is what must stay near 1).
void Trampolines(benchmark::State &state) {
    using Fn = void (*)();
    const Fn targets[16] = {(Fn)&std::memcpy, (Fn)&std::strlen, (Fn)&std::malloc, (Fn)&std::free,
                            (Fn)&std::printf, (Fn)&std::fopen,  (Fn)&std::qsort,  (Fn)&std::getenv,
                            (Fn)&std::strtol, (Fn)&std::snprintf, (Fn)&mmap,      (Fn)&munmap,
                            (Fn)(double (*)(double))&std::sin, (Fn)(double (*)(double))&std::cos,
                            (Fn)(double (*)(double))&std::exp, (Fn)(double (*)(double))&std::sqrt};
    uint8_t code[64];
    std::memset(code, 0xCC, sizeof code);
    constexpr int kRequests = 100000, kBlock = 10000;
    for (auto _ : state) {
        double first = 0, last = 0;
        for (int block = 0; block < kRequests / kBlock; block++) {
            double start = ThreadSeconds();
            for (int i = block * kBlock; i < (block + 1) * kBlock; i++) {
                buffers_search_settings s =
                    buffers_search_settings_from_proximity(kTwoGiB, (uintptr_t)targets[i % 16], 16);
                uintptr_t at;
                if (buffers_write(&s, code, 16 + (size_t)(i * 7) % 49, &at) != BUFFERS_OK) {
                    state.SkipWithError(buffers_last_error());
                    return;
                }
            }
            double took = ThreadSeconds() - start;
            if (block == 0) first = took;
            last = took;
        }
        state.counters["first10k_ns_per_req"] = first / kBlock * 1e9;
        state.counters["last10k_ns_per_req"] = last / kBlock * 1e9;
        state.counters["last_over_first"] = last / first;
    }
}

// threads x ops of get + release on window, counting failures (NO_SPACE or any other).
int GetReleaseFromThreads(const buffers_search_settings &window, int threads, int ops) {
    std::atomic<int> failures{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; t++)
        pool.emplace_back([&] {
            for (int i = 0; i < ops; i++) {
                buffers_item *item;
                if (buffers_get_buffer(&window, &item) == BUFFERS_OK) buffers_item_release(item);
                else if (failures++ == 0) std::fprintf(stderr, "%s\n", buffers_last_error());
            }
        });
    for (auto &thread : pool) thread.join();
    return failures.load();
}

// Buffers lying inside window.
size_t BuffersInside(const buffers_search_settings &window) {
    size_t count = 0;
    buffers_list_buffers(nullptr, 0, &count);
    std::vector<buffers_buffer_info> infos(count + 64);
    buffers_list_buffers(infos.data(), infos.size(), &count);
    size_t inside = 0;
    for (size_t i = 0; i < count && i < infos.size(); i++)
        inside += infos[i].base_address >= window.min_address &&
                  infos[i].base_address + infos[i].size - 1 <= window.max_address;
    return inside;
}

// A window holding exactly one buffer (its own extent), 4 threads, get + release.
void ContentionOneBufferWindow(benchmark::State &state) {
    buffers_search_settings window = bench::PrefaultedWindow(8, 4096);
    buffers_item *item;
    if (buffers_get_buffer(&window, &item) != BUFFERS_OK) return state.SkipWithError(buffers_last_error());
    window = {buffers_item_base_address(item), buffers_item_base_address(item) + buffers_item_size(item) - 1, 16};
    buffers_item_release(item);
    for (auto _ : state) state.counters["failures"] = GetReleaseFromThreads(window, 4, 100000);
}

// A 2 GiB window of its own (from 8 GiB; the others end below 6 GiB), 8 threads, 800k get +
// release: how many buffers appear.
void ContentionWideWindow(benchmark::State &state) {
    buffers_search_settings window = {(uintptr_t)0x200000000u * (sizeof(void *) == 8), 0, 64};
    window.max_address = window.min_address + kTwoGiB;
    for (auto _ : state) {
        state.counters["failures"] = GetReleaseFromThreads(window, 8, 100000);
        state.counters["buffers_in_window"] = (double)BuffersInside(window);
    }
}

void BaselineRawMmap(benchmark::State &state) {
    const size_t size = buffers_allocation_granularity();
    uintptr_t address = 0x50000000;
    for (auto _ : state) {
        void *got = mmap(reinterpret_cast<void *>(address), size, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (got == MAP_FAILED) return state.SkipWithError("mmap failed");
        munmap(got, size);
    }
}

// Each iteration fills the buffer it gets, so the next must make a new one.
void ColdNewBufferInTwoGiB(benchmark::State &state) {
    const uint32_t size = buffers_allocation_granularity();
    buffers_search_settings s = {0, kTwoGiB, size};
    static std::vector<uint8_t> fill(1 << 16);
    for (auto _ : state) {
        uintptr_t at;
        if (buffers_write(&s, fill.data(), size, &at) != BUFFERS_OK) return state.SkipWithError(buffers_last_error());
    }
}
}  // namespace

BENCHMARK(Trampolines)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(ContentionOneBufferWindow)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ContentionWideWindow)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BaselineRawMmap);
// Buffers are permanent: cap the count so the locator chain (and memory) stays small.
BENCHMARK(ColdNewBufferInTwoGiB)->Iterations(2000);
