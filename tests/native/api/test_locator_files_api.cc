// buffers_locator_files, buffers_locator_file_read and buffers_locator_file_remove_stale: every
// process's locator files as tools see them, including hostile ones (planted, truncated, a FIFO, a
// symlink, another user's, chains that loop or point nowhere). Nothing may crash or hang; each gets
// a status and a message.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <reloaded/buffers.h>

#include "process_runner.h"

namespace {
const std::string kPrefix = "Reloaded.Memory.Buffers.MemoryBuffer, PID ";

struct Item {
    uint64_t base;
    uint32_t taken, size, position;
};

void Put(std::vector<unsigned char> &b, size_t at, uint64_t value, size_t bytes) {
    for (size_t i = 0; i < bytes; i++) b[at + i] = (unsigned char)(value >> (8 * i));
}

// A 4096-byte locator of pointer width p, items in the document's layout (or Rust's).
std::vector<unsigned char> Block(size_t p, uint64_t self, uint64_t next, std::vector<Item> items, bool rust = false) {
    std::vector<unsigned char> b(4096, 0);
    Put(b, 0, self, p);
    Put(b, p, next, p);
    b[2 * p + 5] = (unsigned char)items.size();
    for (size_t i = 0; i < items.size(); i++) {
        size_t at = 2 * p + 8 + i * (p + 12);
        Put(b, at, items[i].base, p);
        uint32_t words[3] = {items[i].taken, items[i].size, items[i].position};
        if (rust) words[0] = items[i].size, words[1] = items[i].position, words[2] = items[i].taken;
        for (int w = 0; w < 3; w++) Put(b, at + p + 4 * w, words[w], 4);
    }
    return b;
}

void ExpectItem(const buffers_buffer_info &item, uint32_t size, uint32_t position, bool taken) {
    EXPECT_EQ(item.size, size);
    EXPECT_EQ(item.position, position);
    EXPECT_EQ(item.taken, taken);
}

class LocatorFilesApi : public ScratchRoot {
protected:
    std::string Dir(const std::string &top = ".reloaded") {
        std::string first = root + "/" + top, dir = first + "/memory.buffers";
        mkdir(first.c_str(), 0700);
        mkdir(dir.c_str(), 0700);
        return dir;
    }
    std::string Write(const std::string &dir, uint32_t pid, const std::vector<unsigned char> &bytes) {
        std::string path = dir + "/" + kPrefix + std::to_string(pid);
        std::ofstream(path, std::ios::binary).write((const char *)bytes.data(), (std::streamsize)bytes.size());
        chmod(path.c_str(), 0600);
        return path;
    }
    std::vector<buffers_locator_file> List() {
        size_t count = 0;
        EXPECT_EQ(buffers_locator_files(root.c_str(), nullptr, 0, &count), BUFFERS_OK) << buffers_last_error();
        std::vector<buffers_locator_file> files(count + 1);
        EXPECT_EQ(buffers_locator_files(root.c_str(), files.data(), files.size(), &count), BUFFERS_OK);
        files.resize(count);
        return files;
    }
    struct Read {
        buffers_status status;
        std::vector<buffers_locator_block> blocks;
        std::vector<buffers_buffer_info> items;
        std::string note, error;
    };
    // Maps path read-only until the test ends, so this process counts as its live owner.
    void MapWhileTesting(const std::string &path) {
        int fd = open(path.c_str(), O_RDONLY);
        ASSERT_GE(fd, 0);
        void *view = mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0);
        close(fd);
        ASSERT_NE(view, MAP_FAILED);
        views.push_back(view);
    }
    void TearDown() override {
        for (void *view : views) munmap(view, 4096);
        ScratchRoot::TearDown();
    }
    std::vector<void *> views;
    Read ReadChain(const std::string &path, size_t block_capacity = 8) {
        Read r;
        r.blocks.resize(block_capacity);
        r.items.resize(block_capacity * 255);
        size_t blocks = 0, items = 0;
        char note[512] = "unset";
        r.status = buffers_locator_file_read(path.c_str(), r.blocks.data(), r.blocks.size(), &blocks, r.items.data(),
                                             r.items.size(), &items, note, sizeof note);
        r.error = buffers_last_error();
        r.blocks.resize(r.status == BUFFERS_OK ? blocks : 0);
        r.items.resize(r.status == BUFFERS_OK ? items : 0);
        r.note = note;
        return r;
    }
};
}  // namespace

TEST_F(LocatorFilesApi, ThisProcessIsLiveWithItsNameDirectoryAndChain) {
    uintptr_t locator = buffers_locator_address();
    ASSERT_NE(locator, 0u) << buffers_last_error();
    std::string own_dir = buffers_locator_directory();
    size_t count = 0;
    ASSERT_EQ(buffers_locator_files(nullptr, nullptr, 0, &count), BUFFERS_OK) << buffers_last_error();
    std::vector<buffers_locator_file> files(count + 4);
    ASSERT_EQ(buffers_locator_files(nullptr, files.data(), files.size(), &count), BUFFERS_OK);
    const buffers_locator_file *mine = nullptr;
    for (size_t i = 0; i < count && i < files.size(); i++)
        if (files[i].pid == (uint32_t)getpid()) mine = &files[i];
    ASSERT_NE(mine, nullptr);
    EXPECT_EQ(mine->state, BUFFERS_LOCATOR_LIVE);
    EXPECT_TRUE(mine->regular);
    EXPECT_EQ(std::string(mine->path, mine->directory_length), own_dir);
    std::ifstream comm("/proc/self/comm");
    std::string name;
    std::getline(comm, name);
    EXPECT_EQ(std::string(mine->process_name), name);

    Read r = ReadChain(mine->path);
    ASSERT_EQ(r.status, BUFFERS_OK) << r.error;
    ASSERT_GE(r.blocks.size(), 1u);
    EXPECT_EQ(r.blocks[0].address, (uint64_t)locator);
    EXPECT_TRUE(r.blocks[0].from_file);
    EXPECT_EQ(r.note, "");
    size_t listed = 0;
    ASSERT_EQ(buffers_list_buffers(nullptr, 0, &listed), BUFFERS_OK);
    EXPECT_EQ(r.items.size(), listed);
}

TEST_F(LocatorFilesApi, StaleFilesInBothLayoutsAndWidthsAreRead) {
    pid_t dead = DeadPid();
    std::string doc = Write(Dir(), (uint32_t)dead, Block(8, 0x7f0000001000, 0, {{0x10000000, 0, 4096, 96}, {0x20000000, 1, 4096, 4096}}));
    std::string rust = Write(Dir(".reloaded-77"), (uint32_t)dead, Block(8, 0x7f0000002000, 0, {{0x30000000, 1, 65536, 10}}, true));
    std::vector<buffers_locator_file> files = List();
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(files[0].state, BUFFERS_LOCATOR_STALE);
    EXPECT_STREQ(files[0].process_name, "?");
    EXPECT_EQ(files[0].owner_uid, (uint32_t)geteuid());

    Read d = ReadChain(doc);
    ASSERT_EQ(d.status, BUFFERS_OK) << d.error;
    ASSERT_EQ(d.items.size(), 2u);
    EXPECT_EQ(d.blocks[0].pointer_size, 8u);
    ExpectItem(d.items[0], 4096, 96, false);
    ExpectItem(d.items[1], 4096, 4096, true);
    Read r = ReadChain(rust);
    ASSERT_EQ(r.status, BUFFERS_OK) << r.error;
    ASSERT_EQ(r.items.size(), 1u);
    ExpectItem(r.items[0], 65536, 10, true);

    // 64-bit eyes see item 0's base (0x20000000) where their lock word is, and refuse: read as 32-bit.
    std::string p32 = Write(Dir(".reloaded-79"), (uint32_t)dead, Block(4, 0x10001000, 0, {{0x20000000, 0, 4096, 1}}));
    Read n = ReadChain(p32);
    ASSERT_EQ(n.status, BUFFERS_OK) << n.error;
    EXPECT_EQ(n.blocks[0].pointer_size, 4u);
    EXPECT_EQ(n.items[0].base_address, 0x20000000u);
}

TEST_F(LocatorFilesApi, HostileFilesGetAStatusNeverACrash) {
    // Above PID_MAX_LIMIT (2^22): neither it nor dead + 4 can run. A reaped child's pid + 4 was once
    // a live process on a busy machine, and the other user's file was then kept as "in use".
    pid_t dead = (1 << 22) + 1;
    std::string dir = Dir();
    std::vector<unsigned char> garbage(4096, 0x5a);
    std::string planted = Write(dir, (uint32_t)dead, garbage);
    std::string truncated = Write(dir, (uint32_t)dead + 1, std::vector<unsigned char>(100, 0));
    std::string fifo = dir + "/" + kPrefix + std::to_string(dead + 2);
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    std::string link = dir + "/" + kPrefix + std::to_string(dead + 3);
    ASSERT_EQ(symlink("/etc/passwd", link.c_str()), 0);
    std::string other = Write(Dir(".reloaded-4242"), (uint32_t)dead + 4, Block(8, 0x1000, 0, {}));
    ASSERT_EQ(chown(other.c_str(), 4242, 4242), 0) << "the suite runs as root (CI does)";

    std::vector<buffers_locator_file> files = List();
    ASSERT_EQ(files.size(), 5u);
    EXPECT_FALSE(files[2].regular) << files[2].path;
    EXPECT_FALSE(files[3].regular) << files[3].path;
    EXPECT_EQ(files[4].owner_uid, 4242u);

    Read g = ReadChain(planted);
    EXPECT_EQ(g.status, BUFFERS_ERROR_LOCATOR);
    EXPECT_NE(g.error.find("not a locator"), std::string::npos) << g.error;
    Read t = ReadChain(truncated);
    EXPECT_EQ(t.status, BUFFERS_ERROR_LOCATOR);
    EXPECT_NE(t.error.find("truncated: 100 bytes"), std::string::npos) << t.error;
    Read f = ReadChain(fifo);
    EXPECT_EQ(f.status, BUFFERS_ERROR_LOCATOR);
    EXPECT_NE(f.error.find("not a regular file"), std::string::npos) << f.error;
    Read l = ReadChain(link);
    EXPECT_EQ(l.status, BUFFERS_ERROR_LOCATOR);
    EXPECT_EQ(ReadChain(other).status, BUFFERS_OK) << "root reads another user's file; nothing in it is taken";

    bool removed = true;
    char why[256];
    EXPECT_EQ(buffers_locator_file_remove_stale(other.c_str(), false, &removed, why, sizeof why), BUFFERS_OK);
    EXPECT_FALSE(removed);
    EXPECT_NE(std::string(why).find("another user"), std::string::npos) << why;
    EXPECT_EQ(buffers_locator_file_remove_stale(link.c_str(), false, &removed, why, sizeof why), BUFFERS_OK);
    EXPECT_FALSE(removed) << "a symlink is never followed nor removed";
    struct stat st;
    EXPECT_EQ(lstat(link.c_str(), &st), 0);
}

TEST_F(LocatorFilesApi, ChainsThatLoopOrPointNowhereStopWithANote) {
    // Files named after this (live) process: the walk reads its memory through /proc/self/mem.
    static unsigned char looped[4096] __attribute__((aligned(4096)));
    uint64_t at = (uint64_t)(uintptr_t)looped;
    std::vector<unsigned char> self = Block(8, at, at, {{0x1000, 0, 4096, 0}});
    memcpy(looped, self.data(), sizeof looped);
    std::string dir = Dir();
    std::string loop = Write(dir, (uint32_t)getpid(), Block(8, 0x7f0000001000, at, {}));
    MapWhileTesting(loop);
    Read r = ReadChain(loop);
    ASSERT_EQ(r.status, BUFFERS_OK) << r.error;
    EXPECT_EQ(r.blocks.size(), 2u);
    EXPECT_NE(r.note.find("loops"), std::string::npos) << r.note;

    std::string nowhere = Write(Dir(".reloaded-5"), (uint32_t)getpid(), Block(8, 0x7f0000001000, 0x10, {}));
    MapWhileTesting(nowhere);
    Read n = ReadChain(nowhere);
    ASSERT_EQ(n.status, BUFFERS_OK) << n.error;
    EXPECT_EQ(n.blocks.size(), 1u);
    EXPECT_NE(n.note.find("not readable"), std::string::npos) << n.note;

    Read first_only = ReadChain(loop, 1);
    ASSERT_EQ(first_only.status, BUFFERS_OK);
    EXPECT_EQ(first_only.blocks.size(), 1u);
    EXPECT_EQ(first_only.note, "") << "capacity 1 reads the file alone";
    EXPECT_EQ(first_only.blocks[0].next_address, at);

    std::string reused = Write(Dir(".reloaded-6"), (uint32_t)getpid(), Block(8, 0x7f0000001000, at, {}));
    Read other = ReadChain(reused);
    ASSERT_EQ(other.status, BUFFERS_OK);
    EXPECT_EQ(other.blocks.size(), 1u) << "a file our pid does not map is not ours: our memory is not its chain";
    EXPECT_NE(other.note.find("does not map"), std::string::npos) << other.note;
}

TEST_F(LocatorFilesApi, AChainLongerThanTheMaximumStopsThere) {
    const size_t blocks = BUFFERS_LOCATOR_CHAIN_MAX + 4;
    std::vector<unsigned char> memory(blocks * 4096);
    uint64_t base = (uint64_t)(uintptr_t)memory.data();
    for (size_t i = 0; i < blocks; i++) {
        std::vector<unsigned char> b = Block(8, base + i * 4096, i + 1 < blocks ? base + (i + 1) * 4096 : 0, {});
        memcpy(memory.data() + i * 4096, b.data(), 4096);
    }
    std::string path = Write(Dir(), (uint32_t)getpid(), Block(8, 0x7f0000001000, base, {}));
    MapWhileTesting(path);
    Read r = ReadChain(path, blocks + 10);
    ASSERT_EQ(r.status, BUFFERS_OK) << r.error;
    EXPECT_EQ(r.blocks.size(), (size_t)BUFFERS_LOCATOR_CHAIN_MAX);
    EXPECT_NE(r.note.find("longer than 4096"), std::string::npos) << r.note;
}

TEST_F(LocatorFilesApi, RemoveStaleKeepsLiveAndDryRunAndRefusesBadArguments) {
    pid_t dead = DeadPid();
    std::string dir = Dir();
    std::string stale = Write(dir, (uint32_t)dead, Block(8, 0x1000, 0, {}));
    std::string live = Write(dir, (uint32_t)getpid(), Block(8, 0x1000, 0, {}));
    bool removed = false;
    char why[256] = "";
    ASSERT_EQ(buffers_locator_file_remove_stale(stale.c_str(), true, &removed, why, sizeof why), BUFFERS_OK);
    EXPECT_TRUE(removed);
    struct stat st;
    EXPECT_EQ(stat(stale.c_str(), &st), 0) << "a dry run removes nothing";
    ASSERT_EQ(buffers_locator_file_remove_stale(stale.c_str(), false, &removed, nullptr, 0), BUFFERS_OK);
    EXPECT_TRUE(removed);
    EXPECT_NE(stat(stale.c_str(), &st), 0);
    ASSERT_EQ(buffers_locator_file_remove_stale(live.c_str(), false, &removed, why, sizeof why), BUFFERS_OK);
    EXPECT_FALSE(removed);
    EXPECT_NE(std::string(why).find("runs"), std::string::npos) << why;

    EXPECT_EQ(buffers_locator_file_remove_stale(nullptr, false, &removed, nullptr, 0), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_locator_file_remove_stale("relative", false, &removed, nullptr, 0), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_locator_file_remove_stale((dir + "/passwd").c_str(), false, &removed, nullptr, 0),
              BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(buffers_last_error()).find("not named like a locator file"), std::string::npos);
    size_t count;
    EXPECT_EQ(buffers_locator_files((root + "/missing").c_str(), nullptr, 0, &count), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(buffers_last_error()).find("not a directory"), std::string::npos);
    EXPECT_EQ(buffers_locator_files(root.c_str(), nullptr, 0, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_locator_files(root.c_str(), nullptr, 3, &count), BUFFERS_ERROR_INVALID_ARGUMENT);
    EXPECT_EQ(buffers_locator_file_read("relative", nullptr, 0, &count, nullptr, 0, &count, nullptr, 0),
              BUFFERS_ERROR_INVALID_ARGUMENT);
}
