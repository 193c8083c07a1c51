// A 16-byte write into another process through an open handle (buffers_process_get_buffer + append +
// release, and the append alone on a held item) beside one process_vm_writev of 16 bytes into the same
// target, in the same process (issue 21). The target is a child that made its own locator and waits.
#include <benchmark/benchmark.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include <reloaded/buffers.h>

namespace {
constexpr uint32_t kBig = 64u << 20;        // room for 4M appends of 16 bytes
constexpr size_t kScratch = 1u << 20;       // the baseline's target memory, written round robin

// The child: its own locator (one get) and kScratch prefaulted bytes, whose address it sends; then waits.
struct Target {
    pid_t pid = -1;
    uintptr_t scratch = 0;
    buffers_process *process = nullptr;
    buffers_search_settings window{};   // matches only the big buffer made in the child below

    Target() {
        int ready[2];
        if (pipe(ready) != 0) return;
        pid = fork();
        if (pid == 0) {
            buffers_search_settings own = {0, UINTPTR_MAX, 16};
            buffers_item *item;
            if (buffers_get_buffer(&own, &item) == BUFFERS_OK) buffers_item_release(item);
            void *memory = mmap(nullptr, kScratch, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (memory != MAP_FAILED) std::memset(memory, 0, kScratch);
            uintptr_t at = memory == MAP_FAILED ? 0 : (uintptr_t)memory;
            if (write(ready[1], &at, sizeof at) != (ssize_t)sizeof at) _exit(1);
            pause();
            _exit(0);
        }
        close(ready[1]);
        if (pid < 0 || read(ready[0], &scratch, sizeof scratch) != (ssize_t)sizeof scratch) scratch = 0;
        close(ready[0]);
        if (!scratch || buffers_process_open((uint32_t)pid, &process) != BUFFERS_OK) return;
        // One big buffer in a window of its own, every page written once so no page fault is timed.
        buffers_search_settings big = {0x80000000u, 0xFFFFFFFFu, kBig};
        buffers_item *item;
        if (buffers_process_get_buffer(process, &big, &item) != BUFFERS_OK) return;
        uintptr_t base = buffers_item_base_address(item);
        std::vector<uint8_t> zeros(buffers_item_size(item), 0);
        struct iovec here = {zeros.data(), zeros.size()}, there = {(void *)base, zeros.size()};
        bool faulted = process_vm_writev(pid, &here, 1, &there, 1, 0) == (ssize_t)zeros.size();
        buffers_item_release(item);
        if (faulted) window = {base, base + buffers_item_size(item) - 1, 16};
    }
    ~Target() {
        if (process) buffers_process_close(process);
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
    bool Ready(benchmark::State &state) const {
        if (window.size) return true;
        state.SkipWithError(process ? "no prefaulted buffer in the target" : buffers_last_error());
        return false;
    }
};

Target &TheTarget() {
    static Target target;
    return target;
}

void RemoteBaselineProcessVmWritev(benchmark::State &state) {
    Target &target = TheTarget();
    if (!target.Ready(state)) return;
    uint8_t data[16] = {1, 2, 3};
    size_t offset = 0;
    for (auto _ : state) {
        struct iovec here = {data, sizeof data}, there = {(void *)(target.scratch + offset), sizeof data};
        benchmark::DoNotOptimize(process_vm_writev(target.pid, &here, 1, &there, 1, 0));
        offset = (offset + sizeof data) % kScratch;
    }
}

void RemoteThreeCalls(benchmark::State &state) {
    Target &target = TheTarget();
    if (!target.Ready(state)) return;
    uint8_t data[16] = {1, 2, 3};
    for (auto _ : state) {
        buffers_item *item;
        if (buffers_process_get_buffer(target.process, &target.window, &item) != BUFFERS_OK) {
            state.SkipWithError(buffers_last_error());
            break;
        }
        benchmark::DoNotOptimize(buffers_item_append(item, data, sizeof data));
        buffers_item_release(item);
    }
}

void RemoteAppend(benchmark::State &state) {
    Target &target = TheTarget();
    if (!target.Ready(state)) return;
    buffers_item *item;
    if (buffers_process_get_buffer(target.process, &target.window, &item) != BUFFERS_OK)
        return state.SkipWithError(buffers_last_error());
    uint8_t data[16] = {1, 2, 3};
    for (auto _ : state) {
        uintptr_t at = buffers_item_append(item, data, sizeof data);
        if (!at) {
            state.SkipWithError(buffers_last_error());
            break;
        }
        benchmark::DoNotOptimize(at);
    }
    buffers_item_release(item);
}
}  // namespace

// Fixed counts: each append uses 16 bytes of the 64 MiB buffer (100,000 x 2 of them fit many times over).
BENCHMARK(RemoteBaselineProcessVmWritev)->Iterations(100000);
BENCHMARK(RemoteThreeCalls)->Iterations(100000);
BENCHMARK(RemoteAppend)->Iterations(100000);
