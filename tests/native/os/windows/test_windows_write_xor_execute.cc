// Write-xor-execute buffers on Windows: the OS layer's two views of one section, and the whole mode
// in a child process (helpers/wx_probe.c; the mode is chosen once per process). Runs under wine.
#include <gtest/gtest.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <cstring>
#include <string>
#include <vector>

#include "windows_child.h"

extern "C" {
#include "os/vmem.h"
}

namespace {
constexpr size_t kSize = 65536;

// A free granule-aligned address (reserved and released; no other thread maps meanwhile).
uintptr_t FreeGranule() {
    void *probe = VirtualAlloc(nullptr, kSize, MEM_RESERVE, PAGE_NOACCESS);
    EXPECT_NE(probe, nullptr);
    VirtualFree(probe, 0, MEM_RELEASE);
    return reinterpret_cast<uintptr_t>(probe);
}

MEMORY_BASIC_INFORMATION RegionAt(uintptr_t address) {
    MEMORY_BASIC_INFORMATION region{};
    EXPECT_NE(VirtualQuery(reinterpret_cast<const void *>(address), &region, sizeof region), 0u);
    return region;
}

// The probe's scenario in a child process: everything it printed, and its exit status.
std::string RunProbe(const char *scenario, int *exit_status) {
    WindowsChild probe({WX_PROBE_PATH, scenario});
    std::string all;
    for (const std::string &line : probe.Lines("")) all += line + "\n";
    *exit_status = probe.Wait();
    return all;
}

std::string Why(uintptr_t code, uintptr_t write) {
    char why[160] = "";
    return vmem_is_dual_buffer_memory(nullptr, code, write, kSize, why, sizeof why) ? "" : why;
}
}  // namespace

TEST(WindowsDualViews, TwoViewsOfOneSectionAtTheNearAddress) {
    ASSERT_TRUE(vmem_supports_dual());
    uintptr_t address = FreeGranule(), write = 0;
    ASSERT_EQ(vmem_reserve_dual_at(address, kSize, &write), 0);
    EXPECT_NE(write, address);
    EXPECT_EQ(RegionAt(address).Protect, (DWORD)PAGE_EXECUTE_READ);
    EXPECT_EQ(RegionAt(write).Protect, (DWORD)PAGE_READWRITE);
    const unsigned char tail[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    std::memcpy(reinterpret_cast<void *>(write + kSize - sizeof tail), tail, sizeof tail);
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void *>(address + kSize - sizeof tail), tail, sizeof tail), 0)
        << "written through one view, seen through the other";
    EXPECT_EQ(Why(address, write), "");
    EXPECT_EQ(Why(address, 0), "") << "the code view alone";
    EXPECT_NE(Why(write, address), "") << "swapped";

    uintptr_t other = 0, other_write = 0;
    other = FreeGranule();
    ASSERT_EQ(vmem_reserve_dual_at(other, kSize, &other_write), 0);
    EXPECT_NE(Why(address, other_write).find("not paired"), std::string::npos) << "another section's view";
    uintptr_t taken = 0;
    EXPECT_NE(vmem_reserve_dual_at(address, kSize, &taken), 0) << "the address is in use";
    EXPECT_EQ(vmem_release_dual(other, other_write, kSize), 0);
    EXPECT_EQ(vmem_release_dual(address, write, kSize), 0);
    EXPECT_EQ(RegionAt(address).State, (DWORD)MEM_FREE);
    EXPECT_EQ(RegionAt(write).State, (DWORD)MEM_FREE);
}

// 8 threads x 1,250 appends of code while 2 threads call code already written; every byte checked
// and every function's page PAGE_EXECUTE_READ.
TEST(WindowsWriteXorExecute, AppendsWhileOthersRunCodeInTheSamePages) {
    int exit_status;
    std::string all = RunProbe("stress", &exit_status);
    EXPECT_EQ(exit_status, 0) << all;
    EXPECT_NE(all.find("appends=10000"), std::string::npos) << all;
    EXPECT_NE(all.find("wx_views=0"), std::string::npos) << all;
}

TEST(WindowsWriteXorExecute, ReservationsAreWrittenThroughAnotherAddress) {
    int exit_status;
    std::string all = RunProbe("reserve-asked", &exit_status);
    EXPECT_EQ(exit_status, 0) << all;
    EXPECT_NE(all.find("distinct=1"), std::string::npos) << all;
    EXPECT_NE(all.find("called=7"), std::string::npos) << all;
}
