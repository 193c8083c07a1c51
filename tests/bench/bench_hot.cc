// Hot paths beside the bare model: get + append 16 bytes + release in three calls and in one call,
// on prefaulted memory; and the cost of a request against the number of buffers registered.
#include <benchmark/benchmark.h>

#include <vector>

#include "bench_support.h"

namespace {
constexpr uint32_t kBig = 64u << 20;   // room for 4M appends of 16 bytes: every repetition fits
// Each hot path: 5 repetitions of 600,000 operations (3M appends of 16 bytes in all, within kBig),
// reported by their median (bench_main.cc).
constexpr int kHotIterations = 600000, kHotRepetitions = 5;

void BareModel(benchmark::State &state) {
    static std::vector<uint8_t> memory(kBig, 0);   // value-initialised: prefaulted
    bench::BareModel model;
    model.base = reinterpret_cast<uintptr_t>(memory.data());
    model.size = kBig;
    uint8_t data[16] = {1, 2, 3};
    for (auto _ : state) {
        uintptr_t at = model.Write(0, UINTPTR_MAX, data, sizeof data);
        benchmark::DoNotOptimize(at);
    }
}

// get + append 16 bytes + release, each call as given (get fills the item).
template <typename Get, typename Append, typename Release>
void TimeThreeCalls(benchmark::State &state, Get get, Append append, Release release) {
    uint8_t data[16] = {1, 2, 3};
    for (auto _ : state) {
        buffers_item *item;
        if (get(&item) != BUFFERS_OK) {
            state.SkipWithError(buffers_last_error());
            break;
        }
        benchmark::DoNotOptimize(append(item, data, sizeof data));
        release(item);
    }
}

// A window of its own (slot) over a prefaulted buffer, asking 16 bytes.
buffers_search_settings Window16(unsigned slot) {
    buffers_search_settings window = bench::PrefaultedWindow(slot, kBig);
    window.size = 16;
    return window;
}

// Lambdas, not functions: each has a type of its own, so the template compiles it in place.
const auto InlineAppend = [](buffers_item *item, const void *data, size_t size) {
    return buffers_item_append(item, data, size);
};
const auto InlineRelease = [](buffers_item *item) { buffers_item_release(item); };

// As every example writes them: with GCC and Clang, buffers.h's inline append and release.
void HotThreeCalls(benchmark::State &state) {
    static buffers_search_settings window = Window16(0);
    TimeThreeCalls(state, [](buffers_item **item) { return buffers_get_buffer(&window, item); }, InlineAppend,
                   InlineRelease);
}

// The three made into the library each time (the names in parentheses are the functions, not the
// macros): what a caller without GCC or Clang gets.
void HotThreeLibraryCalls(benchmark::State &state) {
    static buffers_search_settings window = Window16(12);
    TimeThreeCalls(state, [](buffers_item **item) { return buffers_get_buffer(&window, item); },
                   (buffers_item_append), (buffers_item_release));
}

// get through a window the caller keeps, then the inline append and release: no call on success.
void HotWindowThreeCalls(benchmark::State &state) {
    static buffers_search_settings settings = Window16(11);
    static buffers_window window;
    if (buffers_window_open(&settings, BUFFERS_WINDOW_LAYOUT, &window) != BUFFERS_OK || !window.hint)
        return state.SkipWithError("buffers_window_open gave no inline path");
    TimeThreeCalls(state, [](buffers_item **item) { return buffers_window_get(&window, item); }, InlineAppend,
                   InlineRelease);
}

void HotOneCall(benchmark::State &state) {
    static buffers_search_settings window = Window16(1);
    uint8_t data[16] = {1, 2, 3};
    for (auto _ : state) {
        uintptr_t at;
        if (buffers_write(&window, data, sizeof data, &at) != BUFFERS_OK) {
            state.SkipWithError(buffers_last_error());
            break;
        }
        benchmark::DoNotOptimize(at);
    }
}

// The C entry of the JDK 22+ route (a critical downcall): never waits, 0 when the hint cannot serve.
void HotTryWrite(benchmark::State &state) {
    static buffers_search_settings window = Window16(13);
    uintptr_t first;
    if (buffers_write(&window, "0123456789abcdef", 16, &first) != BUFFERS_OK)   // the window's hint
        return state.SkipWithError(buffers_last_error());
    uint8_t data[16] = {1, 2, 3};
    for (auto _ : state) {
        uintptr_t at = buffers_try_write(window.min_address, window.max_address, window.size, data, sizeof data, 0);
        if (!at) {
            state.SkipWithError(buffers_last_error());
            break;
        }
        benchmark::DoNotOptimize(at);
    }
}

// Writes through a window of its own (slot) with write(window, data, size, &at): the inline path
// or the same behind a call. Each caller passes its own lambda type, so each has its own statics.
template <typename Write>
void TimeWindowWrites(benchmark::State &state, unsigned slot, Write write) {
    static buffers_search_settings settings = Window16(slot);
    static buffers_window window;
    if (buffers_window_open(&settings, BUFFERS_WINDOW_LAYOUT, &window) != BUFFERS_OK || !window.hint)
        return state.SkipWithError("buffers_window_open gave no inline path");
    uint8_t data[16] = {1, 2, 3};
    for (auto _ : state) {
        uintptr_t at;
        if (write(&window, data, sizeof data, &at) != BUFFERS_OK) {
            state.SkipWithError(buffers_last_error());
            break;
        }
        benchmark::DoNotOptimize(at);
    }
}

// buffers_write's fast path compiled into the caller (buffers_window_write): no call on success.
void HotWindow(benchmark::State &state) {
    TimeWindowWrites(state, 15, [](const buffers_window *w, const void *d, size_t n, uintptr_t *at) {
        return buffers_window_write(w, d, n, at);
    });
}

// The same inline window write compiled behind a call of its own (noinline): what any out-of-line
// call costs on this path. buffers_write measures the same as this, not as the window (the call's
// return address is stored before the lock and loaded after it; docs/benchmarks.md).
__attribute__((noinline)) buffers_status WindowWriteBehindACall(const buffers_window *window, const void *data,
                                                                 size_t size, uintptr_t *out_address) {
    return buffers_window_write(window, data, size, out_address);
}

void HotWindowBehindACall(benchmark::State &state) {
    TimeWindowWrites(state, 14, [](const buffers_window *w, const void *d, size_t n, uintptr_t *at) {
        return WindowWriteBehindACall(w, d, n, at);
    });
}

// Registers buffers in a window of their own (the first 2 GiB) until the chain holds at least n - 1,
// then makes one in a fresh window: the request matches the n-th buffer (or a later one).
void MatchNthBuffer(benchmark::State &state) {
    const size_t n = (size_t)state.range(0);
    size_t count = 0;
    buffers_list_buffers(nullptr, 0, &count);
    buffers_search_settings filler = {0, 0x7FFFFFFF, buffers_allocation_granularity()};
    static std::vector<uint8_t> fill(1 << 16);
    for (; count + 1 < n; count++) {
        uintptr_t at;
        if (buffers_write(&filler, fill.data(), filler.size, &at) != BUFFERS_OK) {   // fills a new buffer
            state.SkipWithError(buffers_last_error());
            return;
        }
    }
    static unsigned next_slot = 2;
    buffers_search_settings window = bench::PrefaultedWindow(next_slot++, 4096);
    window.size = 16;
    for (auto _ : state) {
        buffers_item *item;
        if (buffers_get_buffer(&window, &item) != BUFFERS_OK) {
            state.SkipWithError(buffers_last_error());
            break;
        }
        buffers_item_release(item);
    }
    buffers_list_buffers(nullptr, 0, &count);
    state.counters["buffers"] = (double)count;
}
}  // namespace

BENCHMARK(BareModel)->Iterations(kHotIterations)->Repetitions(kHotRepetitions);
BENCHMARK(HotThreeCalls)->Iterations(kHotIterations)->Repetitions(kHotRepetitions);
BENCHMARK(HotThreeLibraryCalls)->Iterations(kHotIterations)->Repetitions(kHotRepetitions);
BENCHMARK(HotWindowThreeCalls)->Iterations(kHotIterations)->Repetitions(kHotRepetitions);
BENCHMARK(HotOneCall)->Iterations(kHotIterations)->Repetitions(kHotRepetitions);
BENCHMARK(HotTryWrite)->Iterations(kHotIterations)->Repetitions(kHotRepetitions);
BENCHMARK(HotWindow)->Iterations(kHotIterations)->Repetitions(kHotRepetitions);
BENCHMARK(HotWindowBehindACall)->Iterations(kHotIterations)->Repetitions(kHotRepetitions);
BENCHMARK(MatchNthBuffer)->Arg(1)->Arg(100)->Arg(10000);
