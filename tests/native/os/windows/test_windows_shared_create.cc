// Windows: vmem_shared_create_in_other, the locator section made for a process that has none: mapped
// in the target, found under its name while the target lives, gone with it, and adopted by the
// target's own library when that loads later.
#include <gtest/gtest.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <cstring>
#include <string>

#include "windows_child.h"

extern "C" {
#include "os/vmem_other.h"
// Declared in os/vmem.h by the branch that calls it; repeated (identically) until the branches meet.
int vmem_shared_create_in_other(uint32_t pid, const char *name, size_t size, vmem_shared *out,
                                uintptr_t *out_remote_address);
}

namespace {

const size_t kSectionSize = 65536;

std::string LocatorName(uint32_t pid) {
    return "Reloaded.Memory.Buffers.MemoryBuffer, PID " + std::to_string(pid);
}

bool NameExists(const std::string &name) {
    HANDLE mapping = OpenFileMappingA(FILE_MAP_READ, FALSE, ("/" + name).c_str());
    if (mapping) CloseHandle(mapping);
    return mapping != nullptr;
}

}  // namespace

// Breaks if the view were not in the target (or not the same memory as ours), if the name died with
// our handle (no handle given to the target) or outlived the target, or if an existing section under
// the name were taken over.
TEST(WindowsSharedCreate, SectionLivesInTheTargetUnderItsNameAndDiesWithIt) {
    WindowsChild sleeper({WINDOWS_SLEEPER_PATH});
    ASSERT_TRUE(sleeper.info.hProcess != nullptr);
    std::string name = LocatorName(sleeper.Pid());
    vmem_shared section;
    uintptr_t remote = 0;
    ASSERT_EQ(vmem_shared_create_in_other(sleeper.Pid(), name.c_str(), kSectionSize, &section, &remote), 0)
        << section.where;
    EXPECT_TRUE(section.created);
    MEMORY_BASIC_INFORMATION region;
    ASSERT_NE(VirtualQueryEx(sleeper.info.hProcess, (const void *)remote, &region, sizeof region), 0u);
    EXPECT_EQ(region.Type, (DWORD)MEM_MAPPED);
    EXPECT_EQ((uintptr_t)region.AllocationBase, remote);
    EXPECT_EQ(region.Protect, (DWORD)PAGE_EXECUTE_READWRITE);   // code chunks can run there
    EXPECT_GE(region.RegionSize, kSectionSize);
    // One memory: the recorded address is in the first word, and bytes written here are there.
    uintptr_t first = 0;
    std::memcpy(&first, (const void *)section.address, sizeof first);
    EXPECT_EQ(first, remote);
    const char text[] = "written through the view here";
    std::memcpy((void *)(section.address + 4096), text, sizeof text);
    char back[sizeof text] = {};
    SIZE_T moved = 0;
    ASSERT_TRUE(ReadProcessMemory(sleeper.info.hProcess, (const void *)(remote + 4096), back, sizeof back, &moved));
    EXPECT_STREQ(back, text);
    vmem_shared_close_other(&section);

    EXPECT_TRUE(NameExists(name));   // held by the target's handle now, not by ours
    vmem_shared again;
    uintptr_t recorded = 0;
    ASSERT_EQ(vmem_shared_open_other(sleeper.Pid(), name.c_str(), 4096, &again, &recorded), 0) << again.where;
    EXPECT_EQ(recorded, remote);
    vmem_shared_close_other(&again);
    vmem_shared twice;
    EXPECT_EQ(vmem_shared_create_in_other(sleeper.Pid(), name.c_str(), kSectionSize, &twice, &recorded),
              ERROR_ALREADY_EXISTS);
    EXPECT_NE(std::string(twice.where).find("already exists"), std::string::npos) << twice.where;

    ASSERT_TRUE(TerminateProcess(sleeper.info.hProcess, 0));
    ASSERT_EQ(WaitForSingleObject(sleeper.info.hProcess, 10000), (DWORD)WAIT_OBJECT_0);
    EXPECT_FALSE(NameExists(name));
}

// Breaks if a failed creation left the name behind (the section must go with every handle to it).
TEST(WindowsSharedCreate, EndedTargetIsAnErrorAndLeavesNoSection) {
    WindowsChild sleeper({WINDOWS_SLEEPER_PATH});
    ASSERT_TRUE(sleeper.info.hProcess != nullptr);
    ASSERT_TRUE(TerminateProcess(sleeper.info.hProcess, 0));
    ASSERT_EQ(WaitForSingleObject(sleeper.info.hProcess, 10000), (DWORD)WAIT_OBJECT_0);
    std::string name = LocatorName(sleeper.Pid());
    vmem_shared section;
    uintptr_t remote = 0;
    EXPECT_NE(vmem_shared_create_in_other(sleeper.Pid(), name.c_str(), kSectionSize, &section, &remote), 0);
    EXPECT_STRNE(section.where, "");
    EXPECT_EQ(section.address, 0u);
    EXPECT_FALSE(NameExists(name));
}

// Breaks if the target's library, loading after the section was made, did not adopt it (it would
// then reset the section and record its own view's address) or could not use it.
TEST(WindowsSharedCreate, TargetsLibraryLoadingLaterAdoptsTheSection) {
    WindowsChild target({WINDOWS_BUFFERS_PEER_PATH, "target", "1", "5", "late"});
    ASSERT_TRUE(target.out != nullptr);
    vmem_shared section;
    uintptr_t remote = 0;
    ASSERT_EQ(vmem_shared_create_in_other(target.Pid(), LocatorName(target.Pid()).c_str(), kSectionSize, &section,
                                          &remote), 0)
        << section.where;
    vmem_shared_close_other(&section);
    target.Say("start");
    auto ready = target.Lines("ready");
    ASSERT_FALSE(ready.empty());
    unsigned long long used = 0;
    ASSERT_EQ(sscanf(ready.back().c_str(), "ready %llx", &used), 1) << ready.back();
    EXPECT_EQ((uintptr_t)used, remote);
    ExpectPeerTargetFinishesIntact(target);
}
