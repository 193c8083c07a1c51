// Limits of the public API on POSIX: the retry bound, the highest mappable address, running out of
// memory, and error messages that name their status once.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include <reloaded/buffers.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

namespace {
// Maps one page exactly at address: 0, or the errno (EEXIST: something is already there).
int MapPageAt(uintptr_t address) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *got = mmap((void *)address, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (got == MAP_FAILED) return errno;
    munmap(got, page);
    return got == (void *)address ? 0 : EINVAL;
}

// qemu-user manages the guest's address space itself: it neither follows the kernel's top of user
// space nor charges guest mappings to RLIMIT_AS.
bool UnderQemu() { return std::string(HELPER_LAUNCHER).find("qemu") != std::string::npos; }

size_t Count(const std::string &text, const std::string &word) {
    size_t n = 0;
    for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) n++;
    return n;
}
}  // namespace

TEST(Limits, RetryCountAboveTheBoundIsRejected) {
    buffers_allocator_settings settings = buffers_allocator_settings_default();
    buffers_private_allocation allocation;
    settings.retry_count = BUFFERS_MAX_RETRY_COUNT + 1;
    EXPECT_EQ(buffers_allocate_private_memory(&settings, &allocation), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(buffers_last_error()).find(std::to_string(BUFFERS_MAX_RETRY_COUNT)), std::string::npos)
        << buffers_last_error();
    settings.retry_count = INT32_MAX;
    EXPECT_EQ(buffers_allocate_private_memory(&settings, &allocation), BUFFERS_ERROR_INVALID_ARGUMENT);
    settings.retry_count = BUFFERS_MAX_RETRY_COUNT;
    ASSERT_EQ(buffers_allocate_private_memory(&settings, &allocation), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(buffers_free_private_memory(&allocation), BUFFERS_OK);
}

TEST(Limits, MaxAddressIsTheLastByteOfTheHighestMappablePage) {
    uintptr_t max = buffers_max_address();
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
#if defined(__x86_64__)
    EXPECT_EQ(max, (uintptr_t)0x7FFFFFFFEFFF);
#endif
    ASSERT_EQ((max + 1) % page, 0u) << "the last byte of a page";
    int top = MapPageAt(max + 1 - page);
    EXPECT_TRUE(top == 0 || top == EEXIST) << "the top page cannot be mapped: " << strerror(top);
    if (UnderQemu()) GTEST_SKIP() << "qemu-user maps guest pages above the host's top; not checked here";
    if (max != UINTPTR_MAX) EXPECT_NE(MapPageAt(max + 1), 0) << "a page above the maximum could be mapped";
}

TEST(Limits, RunningOutOfMappingsIsOutOfMemory) {
    // In a child with an address-space limit a little above what it uses, the request cannot be met.
    if (UnderQemu()) GTEST_SKIP() << "qemu-user does not apply RLIMIT_AS to the guest's mappings";
    pid_t child = fork();
    if (child == 0) {
        unsigned long long used_pages = 0;
        FILE *statm = fopen("/proc/self/statm", "r");
        if (!statm || fscanf(statm, "%llu", &used_pages) != 1) _exit(2);
        fclose(statm);
        rlim_t limit = (rlim_t)(used_pages * (unsigned long long)sysconf(_SC_PAGESIZE)) + (16u << 20);
        struct rlimit rl = {limit, limit};
        if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(3);
        buffers_allocator_settings settings = buffers_allocator_settings_default();
        settings.size = 256u << 20;
        settings.retry_count = 2;
        buffers_private_allocation allocation;
        buffers_status status = buffers_allocate_private_memory(&settings, &allocation);
        _exit(status == BUFFERS_ERROR_OUT_OF_MEMORY ? 0 : status == BUFFERS_OK ? 4 : 10 + (int)status);
    }
    ASSERT_GT(child, 0);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "4: the allocation succeeded; 10+n: status n (2 = NO_SPACE)";
}

TEST(Limits, MessagesNameTheirStatusOnce) {
    buffers_allocator_settings settings = buffers_allocator_settings_default();
    settings.min_address = settings.max_address = 0x10000;   // no room for 4096 bytes
    buffers_private_allocation allocation;
    ASSERT_EQ(buffers_allocate_private_memory(&settings, &allocation), BUFFERS_ERROR_NO_SPACE);
    std::string message = buffers_last_error();
    EXPECT_EQ(message.rfind("BUFFERS_ERROR_NO_SPACE: ", 0), 0u) << message;
    EXPECT_EQ(Count(message, "BUFFERS_ERROR_"), 1u) << message;
}
