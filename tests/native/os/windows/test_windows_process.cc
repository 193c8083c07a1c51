// Windows-only behaviour seen through the public API: memory allocated inside a second process
// (target_process_id, VirtualAllocEx), and the locator published as the format's named section.
#include <gtest/gtest.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <cstring>
#include <string>

#include <reloaded/buffers.h>

namespace {
// CMake gives the helper's path; a cross build running under wine gives a Unix one, which wine
// reaches through drive Z:.
std::string SleeperPath() {
    std::string path = WINDOWS_SLEEPER_PATH;
    if (!path.empty() && path[0] == '/') path = "Z:" + path;
    for (char &c : path)
        if (c == '/') c = '\\';
    return path;
}

class SecondProcess : public ::testing::Test {
protected:
    void SetUp() override {
        std::string command = "\"" + SleeperPath() + "\"";
        STARTUPINFOA startup;
        std::memset(&startup, 0, sizeof startup);
        startup.cb = sizeof startup;
        ASSERT_TRUE(CreateProcessA(nullptr, &command[0], nullptr, nullptr, FALSE, 0, nullptr, nullptr, &startup,
                                   &child))
            << "cannot start " << command << ": error " << GetLastError();
        CloseHandle(child.hThread);
    }
    void TearDown() override {
        if (child.hProcess) {
            TerminateProcess(child.hProcess, 0);
            WaitForSingleObject(child.hProcess, 10000);
            CloseHandle(child.hProcess);
        }
    }
    void ExpectUsableInChild(const buffers_private_allocation &block) {
        MEMORY_BASIC_INFORMATION region;
        ASSERT_NE(VirtualQueryEx(child.hProcess, reinterpret_cast<void *>(block.base_address), &region,
                                 sizeof region), 0u);
        EXPECT_EQ(region.State, (DWORD)MEM_COMMIT);
        EXPECT_EQ(region.Protect, (DWORD)PAGE_EXECUTE_READWRITE);
        const char text[] = "written from the parent";
        char back[sizeof text] = {};
        SIZE_T moved = 0;
        ASSERT_TRUE(WriteProcessMemory(child.hProcess, reinterpret_cast<void *>(block.base_address), text,
                                       sizeof text, &moved));
        ASSERT_TRUE(ReadProcessMemory(child.hProcess, reinterpret_cast<void *>(block.base_address), back,
                                      sizeof back, &moved));
        EXPECT_STREQ(back, text);
    }
    bool FreeInChild(uintptr_t address) {
        MEMORY_BASIC_INFORMATION region;
        return VirtualQueryEx(child.hProcess, reinterpret_cast<void *>(address), &region, sizeof region) != 0 &&
               region.State == MEM_FREE;
    }
    PROCESS_INFORMATION child{};
};
}  // namespace

TEST_F(SecondProcess, AllocatesInTheFirstTwoGiBOfAnotherProcess) {
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.min_address = 0;
    a.max_address = 0x7FFFFFFF;
    a.size = 4096;
    a.target_process_id = child.dwProcessId;
    buffers_private_allocation block;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
    EXPECT_NE(block.base_address, 0u);
    EXPECT_LE(block.base_address + block.size - 1, (uintptr_t)0x7FFFFFFF);
    EXPECT_EQ(block.process_id, child.dwProcessId);
    EXPECT_GE(block.size, 4096u);
    ExpectUsableInChild(block);
    ASSERT_EQ(buffers_free_private_memory(&block), BUFFERS_OK) << buffers_last_error();
    EXPECT_TRUE(FreeInChild(block.base_address));
}

TEST_F(SecondProcess, AllocatesInTheUpperHalfOfAnotherProcess) {
    uintptr_t top = buffers_max_address();
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.min_address = top / 2;
    a.max_address = top;
    a.size = 4096;
    a.target_process_id = child.dwProcessId;
    buffers_private_allocation block;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
    EXPECT_GE(block.base_address, top / 2);
    ExpectUsableInChild(block);
    EXPECT_EQ(buffers_free_private_memory(&block), BUFFERS_OK) << buffers_last_error();
}

TEST_F(SecondProcess, EndedProcessIsAnErrorNotACrash) {
    ASSERT_TRUE(TerminateProcess(child.hProcess, 0));
    ASSERT_EQ(WaitForSingleObject(child.hProcess, 10000), (DWORD)WAIT_OBJECT_0);
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.size = 4096;
    a.retry_count = 1;
    a.brute_force = false;
    a.target_process_id = child.dwProcessId;
    buffers_private_allocation block;
    EXPECT_NE(buffers_allocate_private_memory(&a, &block), BUFFERS_OK);
    EXPECT_STRNE(buffers_last_error(), "");
}

TEST(WindowsLocator, IsTheFormatsNamedSectionAndHoldsExecutableChunks) {
    buffers_search_settings s = buffers_search_settings_default();
    buffers_item *item;
    ASSERT_EQ(buffers_get_buffer(&s, &item), BUFFERS_OK) << buffers_last_error();
    buffers_item_release(item);

    std::string name = "/Reloaded.Memory.Buffers.MemoryBuffer, PID " + std::to_string(GetCurrentProcessId());
    HANDLE mapping = OpenFileMappingA(FILE_MAP_READ, FALSE, name.c_str());
    ASSERT_NE(mapping, nullptr) << "no section named '" << name << "': error " << GetLastError();
    void *view = MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 4096);
    ASSERT_NE(view, nullptr);
    uintptr_t recorded;
    std::memcpy(&recorded, view, sizeof recorded);
    EXPECT_EQ(recorded, buffers_locator_address());
    UnmapViewOfFile(view);
    CloseHandle(mapping);

    // The 60 KiB past the locator's page are code chunks: executable where they lie.
    MEMORY_BASIC_INFORMATION region;
    ASSERT_NE(VirtualQuery(reinterpret_cast<void *>(recorded + 4096), &region, sizeof region), 0u);
    EXPECT_EQ(region.Type, (DWORD)MEM_MAPPED);
    EXPECT_TRUE(region.Protect & (PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY)) << region.Protect;
}
