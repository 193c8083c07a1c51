// Hot and cold paths of libbuffers, each beside a baseline measured in the same run:
//   hot:  get a buffer that exists + append 16 bytes + release   vs  a bare CAS lock/unlock
//   cold: a new buffer in a 2 GiB window                        vs  one mmap(MAP_FIXED_NOREPLACE) + munmap
// Prints Google Benchmark's table, then the ratios.
#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <string>

#include <reloaded/buffers.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

namespace {
constexpr uintptr_t kTwoGiB = 0x7FFFFFFF;

void BaselineCasLockUnlock(benchmark::State &state) {
    std::atomic<uint32_t> lock{0};
    for (auto _ : state) {
        uint32_t expected = 0;
        while (!lock.compare_exchange_strong(expected, 1, std::memory_order_acquire)) expected = 0;
        lock.store(0, std::memory_order_release);
        benchmark::DoNotOptimize(lock);
    }
}

void HotGetAppendRelease(benchmark::State &state) {
    // One 64 MiB buffer in a window of its own, so every iteration finds it (4M appends of 16 bytes
    // fit) and the figure is not polluted by making buffers.
    static buffers_search_settings s = [] {
        buffers_search_settings window = {0x80000000, 0x8FFFFFFF, 64u << 20};   // above the cold window
        buffers_item *big;
        if (buffers_get_buffer(&window, &big) == BUFFERS_OK) buffers_item_release(big);
        window.size = 16;
        return window;
    }();
    uint8_t data[16] = {1, 2, 3};
    for (auto _ : state) {
        buffers_item *item;
        if (buffers_get_buffer(&s, &item) != BUFFERS_OK) {
            state.SkipWithError(buffers_last_error());
            break;
        }
        benchmark::DoNotOptimize(buffers_item_append(item, data, sizeof data));
        buffers_item_release(item);
    }
}

void BaselineRawMmap(benchmark::State &state) {
    const size_t size = buffers_allocation_granularity();
    uintptr_t address = 0x50000000;
    for (auto _ : state) {
        void *got = mmap(reinterpret_cast<void *>(address), size, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (got == MAP_FAILED) {
            state.SkipWithError("mmap failed");
            break;
        }
        munmap(got, size);
    }
}

void ColdNewBufferInTwoGiB(benchmark::State &state) {
    // Each iteration fills the buffer it gets, so the next must make a new one.
    const uint32_t size = buffers_allocation_granularity();
    buffers_search_settings s = {0, kTwoGiB, size};
    static uint8_t fill[1 << 16];
    for (auto _ : state) {
        buffers_item *item;
        if (buffers_get_buffer(&s, &item) != BUFFERS_OK) {
            state.SkipWithError(buffers_last_error());
            break;
        }
        buffers_item_append(item, fill, buffers_item_bytes_left(item));
        buffers_item_release(item);
    }
}

BENCHMARK(BaselineCasLockUnlock);
BENCHMARK(HotGetAppendRelease)->Iterations(3000000);
BENCHMARK(BaselineRawMmap);
// Buffers are permanent: cap the count so the locator chain (and memory) stays small.
BENCHMARK(ColdNewBufferInTwoGiB)->Iterations(2000);

class RatioReporter : public benchmark::ConsoleReporter {
public:
    RatioReporter() : ConsoleReporter(OO_Tabular) {}   // no colour codes: the output goes into docs
    void ReportRuns(const std::vector<Run> &runs) override {
        for (const Run &run : runs) nanoseconds_[run.benchmark_name()] = run.GetAdjustedRealTime();
        ConsoleReporter::ReportRuns(runs);
    }
    void PrintRatios() const {
        Print("hot path ", "HotGetAppendRelease/iterations:3000000", "BaselineCasLockUnlock");
        Print("cold path", "ColdNewBufferInTwoGiB/iterations:2000", "BaselineRawMmap");
    }

private:
    void Print(const char *what, const std::string &measured, const std::string &baseline) const {
        auto m = nanoseconds_.find(measured), b = nanoseconds_.find(baseline);
        if (m == nanoseconds_.end() || b == nanoseconds_.end() || b->second <= 0) return;
        std::printf("%s: %10.1f ns  vs baseline %-22s %10.1f ns  ratio %.1fx\n", what, m->second,
                    baseline.c_str(), b->second, m->second / b->second);
    }
    std::map<std::string, double> nanoseconds_;
};
}  // namespace

int main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.PrintRatios();
    benchmark::Shutdown();
    return 0;
}
