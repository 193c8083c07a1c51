// Shared pieces of the C core's benchmarks: the bare model every hot figure is compared with, and
// windows with one prefaulted buffer of their own.
#ifndef BUFFERS_BENCH_SUPPORT_H
#define BUFFERS_BENCH_SUPPORT_H

#include <atomic>
#include <cstdint>
#include <cstring>

#include <reloaded/buffers.h>

namespace bench {

// The least any implementation of the format must do per request: check one item, take it with a
// compare-and-swap, copy 16 bytes, bump the position, release. Buffer memory is prefaulted.
struct BareModel {
    uintptr_t base = 0;
    std::atomic<uint32_t> taken{0};
    uint32_t size = 0;
    std::atomic<uint32_t> position{0};

    uintptr_t Write(uintptr_t min, uintptr_t max, const void *data, uint32_t length) {
        uint32_t at = position.load(std::memory_order_relaxed);
        if (size - at < length || base + at < min || base + size - 1 > max) return 0;
        uint32_t expected = 0;
        if (!taken.compare_exchange_strong(expected, 1, std::memory_order_acquire)) return 0;
        std::memcpy(reinterpret_cast<void *>(base + at), data, length);
        position.store(at + length, std::memory_order_relaxed);
        taken.store(0, std::memory_order_release);
        return base + at;
    }
};

// A window [min, min + 256 MiB) above 2 GiB holding one buffer of `size` bytes, every page of it
// touched, so hot-path figures time no page faults. Each caller passes its own slot (0..15).
inline buffers_search_settings PrefaultedWindow(unsigned slot, uint32_t size) {
    uintptr_t min = (uintptr_t)0x80000000u + (uintptr_t)slot * 0x10000000u;
    buffers_search_settings window = {min, min + 0x0FFFFFFF, size};
    buffers_item *item;
    if (buffers_get_buffer(&window, &item) == BUFFERS_OK) {
        // Through a reservation given back: its writable address works in write-xor-execute mode too.
        uintptr_t at;
        void *writable;
        uint32_t left = buffers_item_bytes_left(item);
        if (buffers_item_reserve(item, left, &at, &writable) == BUFFERS_OK) {
            std::memset(writable, 0, left);
            buffers_item_unreserve(item, at);
        }
        buffers_item_release(item);
    }
    return window;
}

}  // namespace bench

#endif
