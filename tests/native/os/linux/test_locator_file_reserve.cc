// Linux: file_reserve (os/linux/locator_file.h), which gives a locator file all its blocks before it
// is mapped (issue 16, point 1). fallocate is tried first; where a file system has none, the bytes
// are written through the descriptor, and that fallback is tested here on its own, since tmpfs has
// fallocate. A small tmpfs the test mounts over its scratch root is the file system.
#define _FILE_OFFSET_BITS 64   // as in every file that includes locator_file.h
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "full_fs.h"
#include "process_runner.h"

extern "C" {
#include "os/linux/locator_file.h"
}

namespace {
using ReserveFn = int (*)(int, off_t);

class LocatorFileReserve : public ScratchRoot, public ::testing::WithParamInterface<ReserveFn> {
  protected:
    void SetUp() override {
        ScratchRoot::SetUp();
        if (HasFatalFailure()) return;
        std::string why = fs.Mount(root);
        if (!why.empty()) GTEST_SKIP() << why;
        fd = open((root + "/file").c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        ASSERT_GE(fd, 0) << strerror(errno);
    }
    void TearDown() override {
        if (fd >= 0) close(fd);
        fs.Unmount();
        ScratchRoot::TearDown();
    }
    FullFs fs;
    int fd = -1;
};
}  // namespace

TEST_P(LocatorFileReserve, GivesEveryBlockAndTheSize) {
    ASSERT_EQ(GetParam()(fd, 8192), 0);
    struct stat st;
    ASSERT_EQ(fstat(fd, &st), 0);
    EXPECT_EQ(st.st_size, 8192);
    EXPECT_GE(st.st_blocks * 512, 8192) << "blocks were not reserved (a sparse file)";
}

TEST_P(LocatorFileReserve, LeavesTheBytesAlreadyThere) {
    ASSERT_EQ(pwrite(fd, "kept", 4, 0), 4);
    ASSERT_EQ(GetParam()(fd, 4096), 0);
    char bytes[4] = {};
    ASSERT_EQ(pread(fd, bytes, 4, 0), 4);
    EXPECT_EQ(std::string(bytes, 4), "kept");
}

TEST_P(LocatorFileReserve, FullFileSystemIsEnospc) {
    ASSERT_TRUE(fs.Fill());
    EXPECT_EQ(GetParam()(fd, 4096), ENOSPC);
}

INSTANTIATE_TEST_SUITE_P(Both, LocatorFileReserve, ::testing::Values(&file_reserve, &file_reserve_by_writing),
                         [](const ::testing::TestParamInfo<ReserveFn> &info) {
                             return info.param == &file_reserve ? "Fallocate" : "WritingZeros";
                         });
