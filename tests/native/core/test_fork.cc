// POSIX only: a forked child must not keep using its parent's locator.
#include <gtest/gtest.h>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

#include "test_support.h"
#ifdef __linux__
#include "maps_path.h"

// The child's locator is a mapping of its own file. (Not its address: the parent's page is not in
// the child, so the child's mapping may well land where the parent's was.)
static bool IsOwnLocator(uintptr_t address, uintptr_t) {
    std::string path = MappedPathAt(getpid(), address);
    std::string pid = "PID " + std::to_string(getpid());   // then the end, or " #<n>" (a derived name)
    size_t at = path.find(pid);
    return at != std::string::npos && (at + pid.size() == path.size() || path[at + pid.size()] == ' ');
}
#else
static bool IsOwnLocator(uintptr_t address, uintptr_t parent) { return address != parent; }
#endif

TEST(Fork, ChildGetsALocatorOfItsOwn) {
    buffers_search_settings s = {0, kTwoGiB, 16};
    uintptr_t parent = buffers_locator_address();
    ASSERT_NE(parent, 0u);
    buffers_item *item = GetLowBuffer(16);
    ASSERT_NE(item, nullptr);
    uint32_t position = buffers_item_position(item);
    buffers_item_release(item);
    pid_t child = fork();
    if (child == 0) {
        // Exit codes say what went wrong: the child cannot use gtest assertions.
        uintptr_t own = buffers_locator_address();
        if (own == 0) _exit(2);
        if (!IsOwnLocator(own, parent)) _exit(3);
        buffers_item *mine = nullptr;
        if (buffers_get_buffer(&s, &mine) != BUFFERS_OK) _exit(4);
        if (!buffers_item_append(mine, "child", 5)) _exit(5);
        buffers_item_release(mine);
        _exit(0);
    }
    ASSERT_GT(child, 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "2: no locator, 3: the parent's locator, 4/5: get/append failed";
    ASSERT_EQ(buffers_get_buffer(&s, &item), BUFFERS_OK);
    if (buffers_item_base_address(item) != 0) EXPECT_GE(buffers_item_position(item), position);
    buffers_item_release(item);
    EXPECT_EQ(buffers_locator_address(), parent);
}

// A window opened before the fork points at the hint slot, which the child empties: the child's
// inline write falls back to the call and lands in a buffer of the child's own locator.
TEST(Fork, AWindowKeptAcrossAForkWritesIntoTheChildsOwnBuffers) {
    buffers_search_settings s = {0, kTwoGiB, 16};
    buffers_window window;
    ASSERT_EQ(buffers_window_open(&s, BUFFERS_WINDOW_LAYOUT, &window), BUFFERS_OK) << buffers_last_error();
    uintptr_t at = 0;
    ASSERT_EQ(buffers_window_write(&window, "parent", 6, &at), BUFFERS_OK) << buffers_last_error();
    pid_t child = fork();
    if (child == 0) {
        uintptr_t mine = 0;
        if (buffers_window_write(&window, "child!", 6, &mine) != BUFFERS_OK) _exit(2);
        if (std::memcmp(reinterpret_cast<const void *>(mine), "child!", 6) != 0) _exit(3);
        buffers_buffer_info infos[64];
        size_t count = 0;
        if (buffers_list_buffers(infos, 64, &count) != BUFFERS_OK) _exit(4);
        for (size_t i = 0; i < count && i < 64; i++)
            if (mine >= infos[i].base_address && mine + 6 <= infos[i].base_address + infos[i].size) _exit(0);
        _exit(5);
    }
    ASSERT_GT(child, 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    EXPECT_EQ(WEXITSTATUS(status), 0) << "2: the write failed, 3: wrong bytes, 4: no list, 5: not in the child's buffers";
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void *>(at), "parent", 6), 0);
}

#ifdef __linux__
// The parent's locator page is not in the child at all (MADV_DONTFORK): a child that drops its
// privileges cannot plant items through an inherited shared mapping for the parent to write code
// into. The child still gets buffers of its own; the parent's locator and buffers are untouched.
TEST(Fork, TheParentsLocatorPageIsNotMappedInTheChild) {
    if (std::string(HELPER_LAUNCHER).find("qemu") != std::string::npos)
        GTEST_SKIP() << "qemu-user does not apply MADV_DONTFORK (tests/kernel runs this on a real aarch64 kernel)";
    buffers_search_settings s = {0, kTwoGiB, 16};
    uintptr_t parent = buffers_locator_address();
    ASSERT_NE(parent, 0u);
    ASSERT_NE(MappedPathAt(getpid(), parent), kNoMappingThere);
    size_t before = 0;
    ASSERT_EQ(buffers_list_buffers(nullptr, 0, &before), BUFFERS_OK);
    pid_t child = fork();
    if (child == 0) {
        if (MappedPathAt(getpid(), parent) != kNoMappingThere) _exit(2);
        uintptr_t own = buffers_locator_address();
        if (own == 0 || !IsOwnLocator(own, parent)) _exit(3);
        buffers_item *mine = nullptr;
        if (buffers_get_buffer(&s, &mine) != BUFFERS_OK) _exit(4);
        if (!buffers_item_append_code(mine, "child", 5)) _exit(5);
        buffers_item_release(mine);
        _exit(0);
    }
    ASSERT_GT(child, 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    EXPECT_EQ(WEXITSTATUS(status), 0) << "2: the parent's locator page is mapped in the child, 3: no locator of its "
                                         "own, 4/5: get/append failed";
    size_t after = 0;
    ASSERT_EQ(buffers_list_buffers(nullptr, 0, &after), BUFFERS_OK);
    EXPECT_EQ(after, before) << "the child's buffers went into the parent's locator";
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_get_buffer(&s, &item), BUFFERS_OK);
    EXPECT_NE(buffers_item_append_code(item, "parent", 6), 0u);
    buffers_item_release(item);
    EXPECT_EQ(buffers_locator_address(), parent);
}
#endif
