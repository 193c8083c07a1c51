// Linux: a small tmpfs mounted over a test's scratch root and filled to its last block, for the
// tests of a full file system (issue 16). Mounting needs CAP_SYS_ADMIN: CI runs as root; elsewhere
// the tests skip with that reason.
#ifndef BUFFERS_FULL_FS_H
#define BUFFERS_FULL_FS_H

#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

class FullFs {
  public:
    // Mounts a tmpfs of size_kib KiB at dir (read-only: empty and unwritable); "" or why it could not.
    std::string Mount(const std::string &dir, unsigned size_kib = 64, bool read_only = false) {
        std::string options = "size=" + std::to_string(size_kib) + "k,mode=0755";
        unsigned long flags = MS_NOSUID | MS_NODEV | (read_only ? MS_RDONLY : 0);
        if (mount("tmpfs", dir.c_str(), "tmpfs", flags, options.c_str()) != 0)
            return std::string("cannot mount a tmpfs for the test (needs CAP_SYS_ADMIN, CI runs as root): ") +
                   strerror(errno);
        dir_ = dir;
        return "";
    }
    void Unmount() {
        if (!dir_.empty()) EXPECT_EQ(umount2(dir_.c_str(), MNT_DETACH), 0) << strerror(errno);
        dir_.clear();
    }
    ~FullFs() { Unmount(); }

    // Fills the file system to its last block with dir_/filler; true once a write says ENOSPC.
    bool Fill() {
        int fd = open((dir_ + "/filler").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd < 0) return false;
        std::vector<char> page(4096, 'f');
        ssize_t written;
        while ((written = write(fd, page.data(), page.size())) > 0) {
        }
        while (written >= 0 && (written = write(fd, page.data(), 1)) > 0) {
        }
        bool full = written < 0 && errno == ENOSPC;
        close(fd);
        return full;
    }

    // The names in directory dir (none if it does not exist).
    static std::vector<std::string> Files(const std::string &dir) {
        std::vector<std::string> names;
        DIR *listing = opendir(dir.c_str());
        if (!listing) return names;
        for (dirent *entry; (entry = readdir(listing)) != nullptr;)
            if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) names.push_back(entry->d_name);
        closedir(listing);
        return names;
    }

  private:
    std::string dir_;
};

#endif
