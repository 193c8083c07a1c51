// The Windows OS layer (os/windows/vmem.c) on its own: machine facts, exact reservations, the two
// free-space walks, and the named locator section. Runs on Windows and under wine.
#include <gtest/gtest.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <reloaded/buffers.h>

extern "C" {
#include "os/vmem.h"
}

namespace {
constexpr uintptr_t kGranule = 65536;
using Gaps = std::vector<std::pair<uintptr_t, uintptr_t>>;

bool Collect(uintptr_t start, uintptr_t end, void *context) {
    static_cast<Gaps *>(context)->emplace_back(start, end);
    return false;
}

bool StopAtFirst(uintptr_t, uintptr_t, void *context) {
    ++*static_cast<int *>(context);
    return true;
}

// A run of `granules` free granules, found by reserving and releasing it (no other thread allocates
// in these tests, so it stays free).
uintptr_t FreeRun(size_t granules) {
    void *block = VirtualAlloc(nullptr, granules * kGranule, MEM_RESERVE, PAGE_NOACCESS);
    EXPECT_NE(block, nullptr);
    VirtualFree(block, 0, MEM_RELEASE);
    return reinterpret_cast<uintptr_t>(block);
}

std::string UniqueName(const char *what) {
    static int counter;
    return std::string("libbuffers test ") + what + " " + std::to_string(GetCurrentProcessId()) + " " +
           std::to_string(++counter);
}

// mov eax, 42; ret — the same bytes on x86 and x86-64.
const unsigned char kReturn42[] = {0xB8, 0x2A, 0x00, 0x00, 0x00, 0xC3};
}  // namespace

TEST(WindowsVmem, GranularityIs64KiBAndNothingStartsBelow64KiB) {
    EXPECT_EQ(vmem_allocation_granularity(), kGranule);
    EXPECT_EQ(vmem_page_size(), 4096u);
    EXPECT_GE(vmem_min_address(), kGranule);
    EXPECT_EQ(vmem_min_address() % kGranule, 0u);
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    EXPECT_EQ(vmem_max_address(), reinterpret_cast<uintptr_t>(info.lpMaximumApplicationAddress));
}

TEST(WindowsVmem, ThirtyTwoBitProgramsAreLargeAddressAware) {
    if (sizeof(void *) != 4) GTEST_SKIP() << "64-bit process";
    auto *dos = reinterpret_cast<const IMAGE_DOS_HEADER *>(GetModuleHandleA(nullptr));
    auto *nt = reinterpret_cast<const IMAGE_NT_HEADERS *>(reinterpret_cast<const char *>(dos) + dos->e_lfanew);
    EXPECT_TRUE(nt->FileHeader.Characteristics & IMAGE_FILE_LARGE_ADDRESS_AWARE);
    BOOL wow64 = FALSE;
    ASSERT_TRUE(IsWow64Process(GetCurrentProcess(), &wow64));
    // Under a 64-bit Windows (or wine64 beside wine32) a large-address-aware process owns about
    // 4 GiB (Windows says 0xFFFEFFFF, wine a little less); without the flag it would be 2 GiB.
    if (!wow64) GTEST_SKIP() << "32-bit OS: 2 or 3 GiB of user space";
    EXPECT_GT(vmem_max_address(), (uintptr_t)0xBFFFFFFFu);
    buffers_private_allocation block;
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.min_address = 0x80000000u;
    a.max_address = vmem_max_address();
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
    EXPECT_GE(block.base_address, (uintptr_t)0x80000000u) << "memory above 2 GiB";
    *reinterpret_cast<volatile int *>(block.base_address) = 7;
    EXPECT_EQ(buffers_free_private_memory(&block), BUFFERS_OK);
}

TEST(WindowsVmem, ReserveAtIsExactExecutableAndRefusesUsedSpace) {
    uintptr_t at = FreeRun(2);
    ASSERT_EQ(vmem_reserve_at(0, at, kGranule), 0);
    MEMORY_BASIC_INFORMATION region;
    ASSERT_NE(VirtualQuery(reinterpret_cast<void *>(at), &region, sizeof region), 0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(region.AllocationBase), at);
    EXPECT_EQ(region.State, (DWORD)MEM_COMMIT);
    EXPECT_EQ(region.Protect, (DWORD)PAGE_EXECUTE_READWRITE);
    std::memcpy(reinterpret_cast<void *>(at), kReturn42, sizeof kReturn42);
    vmem_flush_instruction_cache(at, at + sizeof kReturn42);
    EXPECT_EQ(reinterpret_cast<int (*)()>(at)(), 42);

    EXPECT_NE(vmem_reserve_at(0, at, kGranule), 0) << "an occupied address must be refused";
    EXPECT_EQ(vmem_release(0, at, kGranule), 0);
    ASSERT_NE(VirtualQuery(reinterpret_cast<void *>(at), &region, sizeof region), 0u);
    EXPECT_EQ(region.State, (DWORD)MEM_FREE);
}

TEST(WindowsVmem, ProtectFlipsBetweenWritableAndExecutable) {
    uintptr_t at = 0;
    ASSERT_EQ(vmem_reserve_anywhere(kGranule, &at), 0);
    MEMORY_BASIC_INFORMATION region;
    ASSERT_EQ(vmem_protect(at, 4096, VMEM_READ_EXECUTE), 0);
    VirtualQuery(reinterpret_cast<void *>(at), &region, sizeof region);
    EXPECT_EQ(region.Protect, (DWORD)PAGE_EXECUTE_READ);
    ASSERT_EQ(vmem_protect(at, 4096, VMEM_READ_WRITE), 0);
    VirtualQuery(reinterpret_cast<void *>(at), &region, sizeof region);
    EXPECT_EQ(region.Protect, (DWORD)PAGE_READWRITE);
    EXPECT_FALSE(vmem_write_xor_execute());
    EXPECT_EQ(vmem_release(0, at, kGranule), 0);
}

// Layout used by the walk tests: granules 0 and 3-4 of an 8-granule run are taken, the rest free.
class WalkLayout : public ::testing::Test {
protected:
    void SetUp() override {
        base = FreeRun(8);
        ASSERT_EQ(vmem_reserve_at(0, base, kGranule), 0);
        ASSERT_EQ(vmem_reserve_at(0, base + 3 * kGranule, 2 * kGranule), 0);
    }
    void TearDown() override {
        vmem_release(0, base, kGranule);
        vmem_release(0, base + 3 * kGranule, 2 * kGranule);
    }
    uintptr_t base = 0;
};

TEST_F(WalkLayout, RegionWalkReportsEachFreeRunOnceInOrder) {
    Gaps gaps;
    ASSERT_EQ(vmem_walk_free(0, base, base + 8 * kGranule - 1, VMEM_WALK_REGIONS, Collect, &gaps), 0);
    ASSERT_GE(gaps.size(), 2u);
    EXPECT_EQ(gaps[0], std::make_pair(base + kGranule, base + 3 * kGranule));
    EXPECT_EQ(gaps[1].first, base + 5 * kGranule);
    EXPECT_GE(gaps[1].second, base + 8 * kGranule);
    for (size_t i = 1; i < gaps.size(); i++) EXPECT_GE(gaps[i].first, gaps[i - 1].second) << "ascending";
}

TEST_F(WalkLayout, EveryGranuleWalkAsksAboutEachFreeGranule) {
    Gaps gaps;
    ASSERT_EQ(vmem_walk_free(0, base, base + 8 * kGranule - 1, VMEM_WALK_EVERY_GRANULE, Collect, &gaps), 0);
    std::vector<uintptr_t> starts;
    for (auto &gap : gaps) starts.push_back((gap.first - base) / kGranule);
    EXPECT_EQ(starts, (std::vector<uintptr_t>{1, 2, 5, 6, 7}));
    EXPECT_EQ(gaps[0].second, base + 3 * kGranule);
    EXPECT_EQ(gaps[1].second, base + 3 * kGranule);
}

TEST(WindowsVmem, WalksStopWhenAskedAndEndAtTheTop) {
    int calls = 0;
    ASSERT_EQ(vmem_walk_free(0, vmem_min_address(), vmem_max_address(), VMEM_WALK_EVERY_GRANULE, StopAtFirst,
                             &calls), 0);
    EXPECT_EQ(calls, 1);
    // From just below the top to the very last address: must end, never wrap round to 0.
    Gaps gaps;
    uintptr_t top = vmem_max_address();
    ASSERT_EQ(vmem_walk_free(0, top - 4 * kGranule, UINTPTR_MAX, VMEM_WALK_EVERY_GRANULE, Collect, &gaps), 0);
    ASSERT_EQ(vmem_walk_free(0, top - 4 * kGranule, UINTPTR_MAX, VMEM_WALK_REGIONS, Collect, &gaps), 0);
    for (auto &gap : gaps) EXPECT_LT(gap.first, gap.second);
    // The whole address space region by region: ascending, and finished quickly.
    gaps.clear();
    auto started = std::chrono::steady_clock::now();
    ASSERT_EQ(vmem_walk_free(0, 0, UINTPTR_MAX, VMEM_WALK_REGIONS, Collect, &gaps), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    ASSERT_FALSE(gaps.empty());
    for (size_t i = 1; i < gaps.size(); i++) EXPECT_GE(gaps[i].first, gaps[i - 1].second);
}

TEST(WindowsVmem, UnknownWalkModeIsUnsupported) {
    Gaps gaps;
    EXPECT_EQ(vmem_walk_free(0, 0, UINTPTR_MAX, static_cast<vmem_walk_mode>(7), Collect, &gaps), VMEM_UNSUPPORTED);
    EXPECT_TRUE(gaps.empty());
}

TEST(WindowsVmem, ErrorTextNamesTheWindowsError) {
    char text[200];
    std::string message = vmem_error_text(ERROR_INVALID_ADDRESS, text, sizeof text);
    EXPECT_NE(message.find("487"), std::string::npos) << message;
    EXPECT_FALSE(vmem_supports_other_processes() == false);
    EXPECT_TRUE(vmem_process_alive(0));
    EXPECT_TRUE(vmem_process_alive(GetCurrentProcessId()));
}

TEST(WindowsShared, CreateThenAdoptSeesTheSameBytes) {
    std::string name = UniqueName("adopt");
    vmem_shared first, second;
    ASSERT_EQ(vmem_shared_open(name.c_str(), kGranule, &first), 0);
    EXPECT_TRUE(first.created);
    EXPECT_TRUE(first.executable);
    EXPECT_EQ(first.size, kGranule);
    EXPECT_EQ(std::string(first.where), "/" + name) << "the format's leading slash";
    uintptr_t first_address = first.address;
    std::memcpy(reinterpret_cast<void *>(first_address), &first_address, sizeof first_address);
    vmem_shared_close(&first, true);

    ASSERT_EQ(vmem_shared_open(("/" + name).c_str(), kGranule, &second), 0) << "same object with or without '/'";
    EXPECT_FALSE(second.created);
    EXPECT_NE(second.address, first_address);
    uintptr_t recorded;
    std::memcpy(&recorded, reinterpret_cast<void *>(second.address), sizeof recorded);
    EXPECT_EQ(recorded, first_address);
    EXPECT_TRUE(vmem_shared_is_live_at(&second, first_address));
    EXPECT_FALSE(vmem_shared_is_live_at(&second, first_address + 4096)) << "not the start of the view";
    uintptr_t other = 0;
    ASSERT_EQ(vmem_reserve_anywhere(kGranule, &other), 0);
    std::memcpy(reinterpret_cast<void *>(other), &first_address, sizeof first_address);
    EXPECT_FALSE(vmem_shared_is_live_at(&second, other)) << "same bytes, but private memory, not a view";
    vmem_release(0, other, kGranule);
    vmem_shared_close(&second, false);
    UnmapViewOfFile(reinterpret_cast<void *>(first_address));
}

TEST(WindowsShared, BytesPastTheFirstPageRunAsCode) {
    vmem_shared shared;
    ASSERT_EQ(vmem_shared_open(UniqueName("code").c_str(), kGranule, &shared), 0);
    uintptr_t chunk = shared.address + 4096;
    std::memcpy(reinterpret_cast<void *>(chunk), kReturn42, sizeof kReturn42);
    vmem_flush_instruction_cache(chunk, chunk + sizeof kReturn42);
    EXPECT_EQ(reinterpret_cast<int (*)()>(chunk)(), 42);
    vmem_shared_close(&shared, false);
}

TEST(WindowsShared, OpenWaitsForTheHolderToClose) {
    std::string name = UniqueName("lock");
    vmem_shared held;
    ASSERT_EQ(vmem_shared_open(name.c_str(), kGranule, &held), 0);
    std::atomic<bool> opened{false};
    std::thread other([&] {
        vmem_shared mine;
        if (vmem_shared_open(name.c_str(), kGranule, &mine) == 0) {
            opened = true;
            vmem_shared_close(&mine, false);
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(opened.load()) << "a second opener must wait for the lock";
    vmem_shared_close(&held, false);
    other.join();
    EXPECT_TRUE(opened.load());
}

TEST(WindowsShared, ResetZeroesAndStaleRemovalIsANoOp) {
    vmem_shared shared;
    ASSERT_EQ(vmem_shared_open(UniqueName("reset").c_str(), kGranule, &shared), 0);
    std::memset(reinterpret_cast<void *>(shared.address), 0xAB, kGranule);
    ASSERT_EQ(vmem_shared_reset(&shared), 0);
    auto *bytes = reinterpret_cast<const unsigned char *>(shared.address);
    for (size_t i = 0; i < kGranule; i += 4093) EXPECT_EQ(bytes[i], 0) << i;
    vmem_shared_close(&shared, false);
    EXPECT_EQ(vmem_shared_remove_stale("libbuffers test "), 0);
    EXPECT_STREQ(vmem_shared_directory(), "");
}
