// POSIX only: a forked child must not keep using its parent's locator.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_support.h"

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
        if (own == parent) _exit(3);
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
