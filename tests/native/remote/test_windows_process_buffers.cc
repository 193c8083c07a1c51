// Windows: buffers of another process (buffers_process_*), under wine in CI. A target that uses the
// library in several threads while this process (three threads) and a writer process (two threads)
// get buffers in it, append and release: no two handed-out ranges overlap, and every byte is intact
// on both sides. Plus the refusals: no such process, a process without a locator, a section under
// the target's name that the target does not map, and item calls after release and close.
#include <gtest/gtest.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "record_checks.h"
#include "test_support.h"
#include "windows_child.h"

namespace {

// rounds records of this process's thread into process, as windows_buffers_peer's writer does.
void WriteRecords(buffers_process *process, uint32_t who, uint32_t thread, int rounds, std::vector<Record> *records,
                  ThreadFailures *failures) {
    buffers_search_settings settings = {0, kTwoGiB, 64};
    for (int round = 0; round < rounds; round++) {
        Record r;
        r.seed = (who << 24) | (thread << 16) | (uint32_t)round;
        r.length = 8 + (r.seed * 7u) % 57u;
        unsigned char bytes[64];
        for (uint32_t k = 0; k < r.length; k++) bytes[k] = RecordByte(r.seed, k);
        buffers_item *item = nullptr;
        buffers_status status = buffers_process_get_buffer(process, &settings, &item);
        if (status != BUFFERS_OK) {
            failures->Record((int)thread, round, "get_buffer", status);
            return;
        }
        r.address = buffers_item_append(item, bytes, r.length);
        if (!r.address) failures->Record((int)thread, round, "append", BUFFERS_ERROR_INVALID_ARGUMENT);
        buffers_item_release(item);
        if (!r.address) return;
        records->push_back(r);
    }
}

// Bytes of records that differ from their pattern in process (read with ReadProcessMemory).
size_t WrongBytes(HANDLE process, const std::vector<Record> &records) {
    size_t wrong = 0;
    for (const Record &r : records) {
        unsigned char got[64];
        SIZE_T moved = 0;
        if (!ReadProcessMemory(process, (const void *)r.address, got, r.length, &moved) || moved != r.length) {
            wrong += r.length;
            continue;
        }
        for (uint32_t k = 0; k < r.length; k++) wrong += got[k] != RecordByte(r.seed, k);
    }
    return wrong;
}

std::string LocatorSection(uint32_t pid) {
    return "/Reloaded.Memory.Buffers.MemoryBuffer, PID " + std::to_string(pid);
}

// Started and running: the target uses the library and has printed "ready".
void ExpectReady(WindowsChild &target) {
    ASSERT_TRUE(target.out != nullptr);
    auto ready = target.Lines("ready");
    ASSERT_FALSE(ready.empty());
    ASSERT_EQ(ready.back().compare(0, 8, "ready 0x"), 0) << ready.back();
}

// What an idle windows_buffers_peer target's own library says about its item at base.
std::string TargetSeesItem(WindowsChild &target, uintptr_t base) {
    target.Say("items");
    for (const std::string &line : target.Lines("items end")) {
        unsigned long long seen;
        unsigned position;
        int taken;
        if (sscanf(line.c_str(), "item %llx %u %d", &seen, &position, &taken) == 3 && (uintptr_t)seen == base)
            return "position " + std::to_string(position) + " taken " + std::to_string(taken);
    }
    return "no item at that base";
}

}  // namespace

// Breaks if the item lock's compare-and-swap does not reach the target's memory (a private copy of
// the section, or a plain store in locator_find_locked_here): records overlap or are corrupted.
TEST(WindowsProcessBuffers, TargetThisProcessAndAWriterProcessShareItsBuffersWithoutOverlap) {
    const int kTargetThreads = 3, kOurThreads = 3, kWriterThreads = 2, kRounds = 200;
    WindowsChild target({WINDOWS_BUFFERS_PEER_PATH, "target", std::to_string(kTargetThreads), "2000"});
    ExpectReady(target);
    target.Say("go");
    auto writing = target.Lines("writing");   // the writers start while the target writes
    ASSERT_FALSE(writing.empty());
    ASSERT_EQ(writing.back(), "writing");
    std::string pid = std::to_string(target.Pid());
    WindowsChild writer(
        {WINDOWS_BUFFERS_PEER_PATH, "writer", pid, std::to_string(kWriterThreads), std::to_string(kRounds), "2"});
    buffers_process *process = nullptr;
    ASSERT_EQ(buffers_process_open(target.Pid(), &process), BUFFERS_OK) << buffers_last_error();
    std::vector<std::vector<Record>> ours(kOurThreads);
    ThreadFailures failures;
    std::vector<std::thread> threads;
    for (int t = 0; t < kOurThreads; t++)
        threads.emplace_back(WriteRecords, process, 3u, (uint32_t)t, kRounds, &ours[t], &failures);
    for (auto &thread : threads) thread.join();
    buffers_process_close(process);
    EXPECT_EQ(failures.Count(), 0u) << failures.Describe();

    std::vector<Record> written, own;
    std::string errors;
    for (const auto &records : ours) written.insert(written.end(), records.begin(), records.end());
    Collect(writer.Lines(""), 'W', &written, &errors);
    EXPECT_EQ(writer.Wait(), 0) << errors;
    EXPECT_EQ(written.size(), (size_t)(kOurThreads + kWriterThreads) * kRounds) << errors;
    target.Say("check");
    auto report = target.Lines("checked");
    Collect(report, 'T', &own, &errors);
    ASSERT_FALSE(report.empty());
    EXPECT_EQ(report.back(), "checked 0") << errors;   // the target found its own records intact
    EXPECT_GE(own.size(), (size_t)kTargetThreads) << errors;
    EXPECT_EQ(WrongBytes(target.info.hProcess, written), 0u);
    EXPECT_EQ(WrongBytes(target.info.hProcess, own), 0u);
    target.Say("exit");
    EXPECT_EQ(target.Wait(), 0);

    // Which buffers each side gets depends on timing; that the sides share buffers is shown, without
    // timing, by ItemCallsActInTheTargetAndUseAfterCloseIsRefused.
    ExpectNoOverlap(own, written);
}

// Breaks if an ended process (its object still held open here, so its pid cannot be reused) or a pid
// of no process were taken for a live one.
TEST(WindowsProcessBuffers, ProcessThatHasEndedOrNeverExistedIsAnInvalidArgument) {
    WindowsChild sleeper({WINDOWS_SLEEPER_PATH});
    ASSERT_TRUE(sleeper.info.hProcess != nullptr);
    ASSERT_TRUE(TerminateProcess(sleeper.info.hProcess, 0));
    ASSERT_EQ(WaitForSingleObject(sleeper.info.hProcess, 10000), (DWORD)WAIT_OBJECT_0);
    buffers_process *process = reinterpret_cast<buffers_process *>(1);
    ExpectFailure(buffers_process_open(sleeper.Pid(), &process), BUFFERS_ERROR_INVALID_ARGUMENT, "no such process");
    EXPECT_EQ(process, nullptr);
    // And a pid no process has ever had (pids are small multiples of 4, on Windows and under wine).
    const uint32_t kNeverUsed = 0x7FFFFFFC;
    ASSERT_EQ(OpenProcess(SYNCHRONIZE, FALSE, kNeverUsed), nullptr);
    ExpectFailure(buffers_process_open(kNeverUsed, &process), BUFFERS_ERROR_INVALID_ARGUMENT, "no such process");
}

// Breaks if a process without the section were opened, or the message stopped naming the section
// looked for.
// A process that never loaded the library gets its locator made for it at open
// (vmem_shared_create_in_other), and its buffers take bytes. Breaks if the open still refused
// processes without a locator, or if the bytes did not land in the target.
TEST(WindowsProcessBuffers, ProcessWithoutLocatorGetsOneAndItsBufferTakesTheBytes) {
    WindowsChild sleeper({WINDOWS_SLEEPER_PATH});
    ASSERT_TRUE(sleeper.info.hProcess != nullptr);
    buffers_process *process = nullptr;
    ASSERT_EQ(buffers_process_open(sleeper.Pid(), &process), BUFFERS_OK) << buffers_last_error();
    buffers_search_settings settings = {0, kTwoGiB, 16};
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_process_get_buffer(process, &settings, &item), BUFFERS_OK) << buffers_last_error();
    const unsigned char bytes[] = {0x48, 0x31, 0xC0, 0xC3};
    uintptr_t at = buffers_item_append(item, bytes, sizeof bytes);
    ASSERT_NE(at, 0u) << buffers_last_error();
    unsigned char got[sizeof bytes] = {};
    SIZE_T moved = 0;
    ASSERT_TRUE(ReadProcessMemory(sleeper.info.hProcess, (const void *)at, got, sizeof got, &moved));
    EXPECT_EQ(std::memcmp(got, bytes, sizeof bytes), 0);
    buffers_item_release(item);
    buffers_process_close(process);
    EXPECT_EQ(WaitForSingleObject(sleeper.info.hProcess, 0), (DWORD)WAIT_TIMEOUT);   // left running
}

// A section under the target's name proves nothing by its name: anyone in the session may create
// one. It is not adopted, and it holds the name, so no locator can be made for the target either.
// Breaks if vmem_shared_open_other accepted a section without checking that the target maps it at
// the address recorded in its first word.
TEST(WindowsProcessBuffers, SectionUnderTheTargetsNameThatItDoesNotMapIsRefused) {
    WindowsChild sleeper({WINDOWS_SLEEPER_PATH});
    ASSERT_TRUE(sleeper.info.hProcess != nullptr);
    std::string name = LocatorSection(sleeper.Pid());
    HANDLE mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0, 65536, name.c_str());
    ASSERT_NE(mapping, nullptr) << GetLastError();
    void *view = MapViewOfFile(mapping, FILE_MAP_ALL_ACCESS, 0, 0, 65536);
    ASSERT_NE(view, nullptr) << GetLastError();
    uintptr_t recorded = reinterpret_cast<uintptr_t>(view);   // a locator's own first word, as ours records it
    std::memcpy(view, &recorded, sizeof recorded);
    buffers_process *process = nullptr;
    ExpectFailure(buffers_process_open(sleeper.Pid(), &process), BUFFERS_ERROR_LOCATOR,
                  "has no locator and one cannot be made for it");
    EXPECT_EQ(process, nullptr);
    UnmapViewOfFile(view);
    CloseHandle(mapping);
}

TEST(WindowsProcessBuffers, NullArgumentsAndThisProcessAreRefused) {
    ExpectFailure(buffers_process_open(1, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT, "out is null");
    buffers_process *process = nullptr;
    ExpectFailure(buffers_process_open((uint32_t)GetCurrentProcessId(), &process), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "this process");
    buffers_search_settings settings = {0, kTwoGiB, 16};
    buffers_item *item = nullptr;
    ExpectFailure(buffers_process_get_buffer(nullptr, &settings, &item), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "process is null");
}

// Breaks if appends did not land in the target at the address they return, or if a released item
// or a closed handle were still usable.
TEST(WindowsProcessBuffers, ItemCallsActInTheTargetAndUseAfterCloseIsRefused) {
    WindowsChild target({WINDOWS_BUFFERS_PEER_PATH, "target", "1", "1"});
    ExpectReady(target);
    buffers_process *process = nullptr;
    ASSERT_EQ(buffers_process_open(target.Pid(), &process), BUFFERS_OK) << buffers_last_error();
    buffers_search_settings settings = {0, kTwoGiB, 32};
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_process_get_buffer(process, &settings, &item), BUFFERS_OK) << buffers_last_error();
    uint32_t before = buffers_item_position(item);
    const unsigned char code[] = {0xC3, 0x90, 0x90, 0xCC};
    uintptr_t at = ExpectCodeLandsInTheTarget(target.Pid(), item);
    MEMORY_BASIC_INFORMATION region;   // code went into memory the target may run
    ASSERT_NE(VirtualQueryEx(target.info.hProcess, (const void *)at, &region, sizeof region), 0u);
    EXPECT_EQ(region.Protect, (DWORD)PAGE_EXECUTE_READWRITE);
    // The target's library sees our lock, and our position once we release: they are its own words
    // (while held, the position is kept in the handle and stored at release: docs/external.md).
    uintptr_t base = buffers_item_base_address(item);
    std::string position = "position " + std::to_string(before + sizeof code);
    EXPECT_EQ(TargetSeesItem(target, base), "position " + std::to_string(before) + " taken 1");
    buffers_item_release(item);
    EXPECT_EQ(TargetSeesItem(target, base), position + " taken 0");
    EXPECT_EQ(buffers_item_append(item, code, 1), 0u);   // released
    EXPECT_NE(std::string(buffers_last_error()).find("not locked"), std::string::npos) << buffers_last_error();
    buffers_process_close(process);
    ExpectFailure(buffers_process_get_buffer(process, &settings, &item), BUFFERS_ERROR_INVALID_ARGUMENT, "closed");
    buffers_process_close(process);   // twice: ignored
    ExpectPeerTargetFinishesIntact(target);
}
