// Items of the locator file are claims (docs/locator-security.md, "Items are claims"): a same-user
// process that edits a victim's locator file cannot make the victim write code outside memory the
// victim's buffers occupy. The test is the attacker; the victim is a fresh process (plant_victim).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "process_runner.h"
#include "test_shim.h"

namespace {
const std::string kVictim = std::string(HELPER_LAUNCHER) + PLANT_VICTIM_PATH;

// A running plant_victim: its first report, a pipe to wake it, and what it says at the end.
struct Victim {
    pid_t pid = -1;
    int to = -1, from = -1;
    std::string first;

    bool Start(const std::string &root, const char *mode) {
        int in[2], out[2];
        if (pipe(in) != 0 || pipe(out) != 0) return false;
        pid = fork();
        if (pid == 0) {
            dup2(in[0], 0);
            dup2(out[1], 1);
            dup2(out[1], 2);
            close(in[1]);
            close(out[0]);
            setenv("BUFFERS_SHARED_ROOT", root.c_str(), 1);
            std::string command = "exec " + kVictim + " " + mode;
            execl("/bin/sh", "sh", "-c", command.c_str(), (char *)nullptr);
            _exit(91);
        }
        close(in[0]);
        close(out[1]);
        to = in[1];
        from = out[0];
        // The first report ends with the line holding "position=".
        char c;
        while (first.find("position=") == std::string::npos || first.back() != '\n') {
            if (read(from, &c, 1) != 1) return false;
            first.push_back(c);
        }
        return true;
    }
    // Wakes the victim and returns the rest of what it printed and its exit code.
    RunResult Finish() {
        RunResult result{-1, ""};
        if (write(to, "go\n", 3) != 3) return result;
        char chunk[256];
        for (ssize_t n; (n = read(from, chunk, sizeof chunk)) > 0;) result.output.append(chunk, (size_t)n);
        int status = 0;
        waitpid(pid, &status, 0);
        pid = -1;
        result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return result;
    }
    ~Victim() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
        if (to >= 0) close(to);
        if (from >= 0) close(from);
    }
    std::string Field(const std::string &key) const { return RunResult{0, first}.Field(key); }
    // The path of its locator file (a line of its own: the name holds spaces).
    std::string File() const {
        size_t at = first.find("file=") + 5;
        return first.substr(at, first.find('\n', at) - at);
    }
};

uintptr_t Hex(const std::string &text) { return (uintptr_t)std::stoull(text, nullptr, 16); }

// The victim's locator file, mapped shared: the attacker's view of its items (either layout).
class LocatorFile {
public:
    explicit LocatorFile(const std::string &path) {
        int fd = open(path.c_str(), O_RDWR);
        if (fd < 0) return;
        void *at = mmap(nullptr, shim_locator_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
        if (at != MAP_FAILED) bytes_ = static_cast<unsigned char *>(at);
        // The document puts taken (0 or 1) in the item's first word, Rust the size (a page or more).
        rust_ = bytes_ && Count() > 0 && Word(0, 0) > 1;
    }
    ~LocatorFile() {
        if (bytes_) munmap(bytes_, shim_locator_size());
    }
    bool ok() const { return bytes_ != nullptr; }
    uint32_t Count() const { return bytes_[shim_header_size() - 3]; }
    // Every item full, then one more item: [base, base + size), free and empty.
    void FillAllAndAdd(uintptr_t base, uint32_t size) {
        uint32_t count = Count();
        for (uint32_t i = 0; i < count; i++) Set(i, kPosition, Get(i, kSize));
        SetItem(count, base, size, 0);
        Set(count, kTaken, 0);
        bytes_[shim_header_size() - 3] = (unsigned char)(count + 1);   // both counts (21 and 23)
        bytes_[shim_header_size() - 1] = (unsigned char)(count + 1);
    }
    void SetItem(uint32_t i, uintptr_t base, uint32_t size, uint32_t position) {
        std::memcpy(Item(i), &base, sizeof base);
        Set(i, kSize, size);
        Set(i, kPosition, position);
    }
    // The item whose base is base; Count() if none.
    uint32_t Find(uintptr_t base) const {
        for (uint32_t i = 0; i < Count(); i++) {
            uintptr_t b;
            std::memcpy(&b, Item(i), sizeof b);
            if (b == base) return i;
        }
        return Count();
    }

private:
    enum Field { kTaken = 0, kSize = 1, kPosition = 2 };
    unsigned char *Item(uint32_t i) const { return bytes_ + shim_header_size() + i * shim_item_size(); }
    uint32_t Word(uint32_t i, unsigned w) const {
        uint32_t value;
        std::memcpy(&value, Item(i) + sizeof(uintptr_t) + 4 * w, 4);
        return value;
    }
    unsigned Slot(Field f) const { return rust_ ? ((unsigned)f + 2) % 3 : (unsigned)f; }
    uint32_t Get(uint32_t i, Field f) const { return Word(i, Slot(f)); }
    void Set(uint32_t i, Field f, uint32_t value) {
        std::memcpy(Item(i) + sizeof(uintptr_t) + 4 * Slot(f), &value, 4);
    }
    unsigned char *bytes_ = nullptr;
    bool rust_ = false;
};

class ItemTrust : public ScratchRoot {};
}  // namespace

// The attacker plants an item on the victim's data page and marks every other item full: the
// victim's next append_code must not touch the page; it gets a genuine buffer instead.
TEST_F(ItemTrust, AnItemPlantedOnADataPageIsNeverWritten) {
    Victim victim;
    ASSERT_TRUE(victim.Start(root, "fresh")) << victim.first;
    uintptr_t data = Hex(victim.Field("data"));
    {
        LocatorFile file(victim.File());
        ASSERT_TRUE(file.ok()) << "cannot map " << victim.File();
        ASSERT_GT(file.Count(), 0u);
        file.FillAllAndAdd(data, 4096);
    }
    RunResult run = victim.Finish();
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("intact"), "1") << "the victim wrote into its data page: " << run.output;
    uintptr_t at = Hex(run.Field("at"));
    EXPECT_FALSE(at >= data && at < data + 4096) << run.output;
    EXPECT_EQ(run.Field("status"), "0") << "a genuine buffer should still serve: " << run.output;
    EXPECT_NE(at, 0u) << run.output;
}

// The item the victim holds is re-pointed at its data page, with a huge size, while it is locked: the
// append still goes where the entry's private base and size say, inside the genuine buffer.
TEST_F(ItemTrust, AnEditOfAHeldItemCannotMoveTheWrite) {
    Victim victim;
    ASSERT_TRUE(victim.Start(root, "held")) << victim.first;
    uintptr_t data = Hex(victim.Field("data")), buffer = Hex(victim.Field("buffer"));
    uint32_t size = (uint32_t)std::stoul(victim.Field("size"));
    {
        LocatorFile file(victim.File());
        ASSERT_TRUE(file.ok()) << "cannot map " << victim.File();
        uint32_t i = file.Find(buffer);
        ASSERT_LT(i, file.Count()) << "the victim's buffer is not in its file";
        file.SetItem(i, data, 0xFFFFF000u, 0);
    }
    RunResult run = victim.Finish();
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("intact"), "1") << run.output;
    uintptr_t at = Hex(run.Field("at"));
    EXPECT_TRUE(at >= buffer && at + 16 <= buffer + size) << "wrote at " << std::hex << at << ", outside the buffer "
                                                           << buffer << ": " << run.output;
}

// Moving the held item's position past its size makes the append fail cleanly, writing nothing.
TEST_F(ItemTrust, APositionMovedPastTheSizeIsRefused) {
    Victim victim;
    ASSERT_TRUE(victim.Start(root, "held")) << victim.first;
    uintptr_t buffer = Hex(victim.Field("buffer"));
    {
        LocatorFile file(victim.File());
        ASSERT_TRUE(file.ok());
        uint32_t i = file.Find(buffer);
        ASSERT_LT(i, file.Count());
        file.SetItem(i, buffer, 0xFFFFF000u, 0x10000000u);
    }
    RunResult run = victim.Finish();
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("intact"), "1") << run.output;
    EXPECT_EQ(run.Field("at"), "0") << "the append should be refused: " << run.output;
}

// Issue 16, point 5: a root process forks, and the child drops to another user and tries to re-point
// an item at the parent's data page through the locator page it inherited, then through the file. The
// page is not inherited (MADV_DONTFORK), the file is not the child's to open, and the parent's next
// append_code lands in a genuine buffer.
TEST_F(ItemTrust, AForkedChildThatDropsToAnotherUserPlantsNothing) {
    if (geteuid() != 0) GTEST_SKIP() << "needs root: the child must be able to drop to user 65534";
    if (std::string(HELPER_LAUNCHER).find("qemu") != std::string::npos)
        GTEST_SKIP() << "qemu-user does not apply MADV_DONTFORK (tests/kernel runs this on a real aarch64 kernel)";
    Victim victim;
    ASSERT_TRUE(victim.Start(root, "fork")) << victim.first;
    EXPECT_EQ(victim.Field("child_present"), "0") << "the parent's locator page is mapped in the child: " << victim.first;
    EXPECT_EQ(victim.Field("child_planted"), "0") << victim.first;
    EXPECT_EQ(victim.Field("child_opened"), "0") << "the child opened the parent's locator file: " << victim.first;
    uintptr_t data = Hex(victim.Field("data"));
    RunResult run = victim.Finish();
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.Field("intact"), "1") << "the victim wrote into its data page: " << run.output;
    uintptr_t at = Hex(run.Field("at"));
    EXPECT_NE(at, 0u) << run.output;
    EXPECT_FALSE(at >= data && at < data + 4096) << run.output;
}
