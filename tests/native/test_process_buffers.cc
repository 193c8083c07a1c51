// Linux x86-64: buffers of another process (buffers_process_*). A target that uses the library in
// several threads while two writer processes (several threads each) get buffers in it, append and
// release: no two handed-out ranges overlap, and every byte is intact on both sides. Plus the
// refusals: no such process, a process without a locator, null arguments, use after close.
#include <gtest/gtest.h>

#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "maps_path.h"
#include "test_support.h"

extern "C" {
#include "vmem.h"
}

namespace {

struct Record {
    uintptr_t address;
    uint32_t length, seed;
};

// The same pattern as process_buffers_peer.c.
unsigned char RecordByte(uint32_t seed, uint32_t k) {
    return (unsigned char)((seed * 2654435761u + k * 40503u) >> 13);
}

// One locator of a target's chain, read from its memory: where it is, the file mapped there ("" for
// private memory) and its items' buffers (document layout: base, taken, size, position).
struct ChainLocator {
    uintptr_t address;
    std::string path;
    std::vector<std::pair<uintptr_t, uint32_t>> buffers;
};

// The chain of process pid from its first locator (the mapping of its "PID <pid>" file).
std::vector<ChainLocator> ReadChain(pid_t pid) {
    std::vector<ChainLocator> chain;
    std::string maps_name = "/proc/" + std::to_string(pid) + "/maps", suffix = "PID " + std::to_string(pid) + "\n";
    FILE *maps = fopen(maps_name.c_str(), "r");
    uintptr_t address = 0;
    char line[4096];
    while (maps && fgets(line, sizeof line, maps))
        if (std::string(line).size() > suffix.size() &&
            std::string(line).compare(strlen(line) - suffix.size(), suffix.size(), suffix) == 0)
            address = (uintptr_t)strtoull(line, nullptr, 16);
    if (maps) fclose(maps);
    for (int n = 0; address && n < 64; n++) {
        unsigned char block[4096];
        if (vmem_read_other((uint32_t)pid, address, block, sizeof block) != 0) break;
        ChainLocator loc{address, MappedPathAt(pid, address), {}};
        unsigned count = std::max(block[21], block[23]);
        for (unsigned i = 0; i < count && i < 203; i++) {
            uintptr_t base;
            uint32_t size;
            memcpy(&base, block + 24 + 20 * i, sizeof base);
            memcpy(&size, block + 24 + 20 * i + 12, sizeof size);
            loc.buffers.emplace_back(base, size);
        }
        chain.push_back(loc);
        memcpy(&address, block + 8, sizeof address);
    }
    return chain;
}

// Which locator of chain registers the buffer holding address (-1: none).
int LocatorOf(const std::vector<ChainLocator> &chain, uintptr_t address) {
    for (size_t n = 0; n < chain.size(); n++)
        for (const auto &buffer : chain[n].buffers)
            if (address >= buffer.first && address - buffer.first < buffer.second) return (int)n;
    return -1;
}

// Why these tests cannot run here, or "".
std::string WhyNotHere() {
#if !defined(__x86_64__)
    return "Linux x86-64 only";
#else
    if (!vmem_supports_other_processes()) return "this build does not act in other processes";
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    int error = ptrace(PTRACE_SEIZE, child, nullptr, nullptr) == 0 ? 0 : errno;
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return error ? std::string("ptrace is not available here: ") + strerror(error) : "";
#endif
}

// A child with its stdin and stdout on pipes.
struct Child {
    pid_t pid = -1;
    FILE *in = nullptr, *out = nullptr;

    // layout: the target's BUFFERS_LOCATOR_LAYOUT ("" leaves the environment alone).
    explicit Child(std::vector<std::string> args, const std::string &layout = "") {
        int to[2], from[2];
        if (pipe(to) != 0 || pipe(from) != 0) return;
        pid = fork();
        if (pid == 0) {
            dup2(to[0], 0);
            dup2(from[1], 1);
            close(to[1]);
            close(from[0]);
            if (!layout.empty()) setenv("BUFFERS_LOCATOR_LAYOUT", layout.c_str(), 1);
            std::vector<char *> argv;
            for (auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
            argv.push_back(nullptr);
            execv(argv[0], argv.data());
            _exit(127);
        }
        close(to[0]);
        close(from[1]);
        in = fdopen(to[1], "w");
        out = fdopen(from[0], "r");
    }
    void Say(const char *line) {
        fprintf(in, "%s\n", line);
        fflush(in);
    }
    // Lines until one starting with stop (included); all lines if stop is empty.
    std::vector<std::string> Lines(const std::string &stop) {
        std::vector<std::string> lines;
        char line[512];
        while (fgets(line, sizeof line, out)) {
            lines.emplace_back(line);
            if (!stop.empty() && lines.back().compare(0, stop.size(), stop) == 0) break;
        }
        return lines;
    }
    int Wait() {
        if (in) fclose(in);
        if (out) fclose(out);
        in = out = nullptr;
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    ~Child() {
        if (in || out) {
            kill(pid, SIGKILL);
            Wait();
        }
    }
};

void Collect(const std::vector<std::string> &lines, char tag, std::vector<Record> *records, std::string *errors) {
    for (const auto &line : lines) {
        unsigned long long address;
        unsigned length, seed;
        if (line[0] == tag && sscanf(line.c_str() + 1, "%llx %u %u", &address, &length, &seed) == 3)
            records->push_back({(uintptr_t)address, length, seed});
        else if (line.compare(0, 5, "error") == 0)
            *errors += line;
    }
}

class ProcessBuffers : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why = WhyNotHere();
        if (!why.empty()) GTEST_SKIP() << why;
    }
};

// Every writer record lies in a buffer of the third locator or later (the first two hold only full
// buffers), and the target's further locators are its files named after the locator before each.
void ExpectWritersInFurtherLocators(pid_t pid, const std::vector<Record> &written) {
    std::vector<ChainLocator> chain = ReadChain(pid);
    ASSERT_GE(chain.size(), 3u);
    for (size_t n = 1; n < chain.size(); n++) {
        std::string name = "/" + FurtherLocatorName(pid, chain[n - 1].address);
        ASSERT_GE(chain[n].path.size(), name.size()) << "locator " << n + 1 << " is not a file: " << chain[n].path;
        EXPECT_EQ(chain[n].path.substr(chain[n].path.size() - name.size()), name) << "locator " << n + 1;
    }
    size_t in_first_two = 0, nowhere = 0;
    for (const Record &r : written) {
        int n = LocatorOf(chain, r.address);
        in_first_two += n == 0 || n == 1;
        nowhere += n < 0;
    }
    EXPECT_EQ(in_first_two, 0u);
    EXPECT_EQ(nowhere, 0u) << "records in buffers no locator of the target registers";
}

// The target (its chain in layout; with full, that many full buffers registered first) keeps
// writing, pausing between rounds, until "check", so it runs all the while two writer processes
// write into it.
void ShareWithTwoWriters(const std::string &layout, int full = 0) {
    const int kTargetThreads = 4, kTargetRounds = 2000, kWriterThreads = 3, kWriterRounds = 300;
    Child target({PROCESS_BUFFERS_PEER_PATH, "target", std::to_string(kTargetThreads), std::to_string(kTargetRounds),
                  std::to_string(full)},
                 layout);
    ASSERT_GT(target.pid, 0);
    auto ready = target.Lines("ready");
    ASSERT_FALSE(ready.empty());
    ASSERT_EQ(ready.back(), "ready " + layout + "\n");
    std::string pid = std::to_string(target.pid);
    Child first({PROCESS_BUFFERS_PEER_PATH, "writer", pid, std::to_string(kWriterThreads),
                 std::to_string(kWriterRounds), "2"});
    Child second({PROCESS_BUFFERS_PEER_PATH, "writer", pid, std::to_string(kWriterThreads),
                  std::to_string(kWriterRounds), "3"});
    target.Say("go");
    std::vector<Record> written, own;
    std::string errors;
    Collect(first.Lines(""), 'W', &written, &errors);
    Collect(second.Lines(""), 'W', &written, &errors);
    EXPECT_EQ(first.Wait(), 0) << errors;
    EXPECT_EQ(second.Wait(), 0) << errors;
    EXPECT_EQ(written.size(), 2u * kWriterThreads * kWriterRounds) << errors;
    target.Say("check");
    auto report = target.Lines("checked");
    Collect(report, 'T', &own, &errors);
    ASSERT_FALSE(report.empty());
    EXPECT_EQ(report.back(), "checked 0\n") << errors;
    EXPECT_GE(own.size(), (size_t)kTargetThreads) << errors;

    // The writers' bytes, read from the target's memory while it is still alive.
    size_t wrong = 0;
    for (const Record &r : written) {
        unsigned char got[64];
        struct iovec local = {got, r.length}, remote = {(void *)r.address, r.length};
        ASSERT_EQ(process_vm_readv(target.pid, &local, 1, &remote, 1, 0), (ssize_t)r.length) << strerror(errno);
        for (uint32_t k = 0; k < r.length; k++) wrong += got[k] != RecordByte(r.seed, k);
    }
    EXPECT_EQ(wrong, 0u);
    if (full) ExpectWritersInFurtherLocators(target.pid, written);
    target.Say("exit");
    EXPECT_EQ(target.Wait(), 0);

    std::vector<Record> all = own;
    all.insert(all.end(), written.begin(), written.end());
    std::sort(all.begin(), all.end(), [](const Record &a, const Record &b) { return a.address < b.address; });
    size_t overlaps = 0;
    for (size_t i = 1; i < all.size(); i++) overlaps += all[i - 1].address + all[i - 1].length > all[i].address;
    EXPECT_EQ(overlaps, 0u);
    // The two sides really shared buffers: some 4 KiB page holds records of the target and a writer.
    std::vector<uintptr_t> own_pages, written_pages, both;
    for (const Record &r : own) own_pages.push_back(r.address >> 12);
    for (const Record &r : written) written_pages.push_back(r.address >> 12);
    std::sort(own_pages.begin(), own_pages.end());
    std::sort(written_pages.begin(), written_pages.end());
    std::set_intersection(own_pages.begin(), own_pages.end(), written_pages.begin(), written_pages.end(),
                          std::back_inserter(both));
    EXPECT_FALSE(both.empty());
    EXPECT_TRUE(std::all_of(all.begin(), all.end(),
                            [](const Record &r) { return r.address && r.address < 0x80000000u; }));
}

TEST_F(ProcessBuffers, TwoWriterProcessesAndTheTargetShareItsBuffersWithoutOverlap) {
    ShareWithTwoWriters("document");
}

// The writers find the target's layout from its items: written in the document's, their lock
// compare-and-swap would land on Rust's size word.
TEST_F(ProcessBuffers, TargetInRustsItemLayoutIsSharedInThatLayout) {
    ShareWithTwoWriters("rust");
}

// A target started with ROUNDS 1 does its one round ("go", then "check"): its record goes in own.
void RunOneTargetRound(Child *target, std::vector<Record> *own) {
    target->Say("go");
    target->Say("check");
    std::string errors;
    auto report = target->Lines("checked");
    Collect(report, 'T', own, &errors);
    ASSERT_FALSE(report.empty());
    ASSERT_EQ(report.back(), "checked 0\n") << errors;
    ASSERT_EQ(own->size(), 1u);
}

// 64-bit: 203 items per locator. The target's first two locators hold only full buffers, so every
// buffer the writers lock or register is in the third locator or later: mapped from its file and
// locked there across the three processes.
constexpr int kItemsPerLocator = 203;

TEST_F(ProcessBuffers, WritersLockAndRegisterBuffersInTheTargetsFurtherLocators) {
    ShareWithTwoWriters("document", 2 * kItemsPerLocator + 5);
}

// The same with a chain whose two locators are exactly full: the first writer thread (or the
// target) to need a new buffer chains the third locator, the others walk into it.
TEST_F(ProcessBuffers, WritersAndTheTargetRaceToExtendAFullChain) {
    ShareWithTwoWriters("document", 2 * kItemsPerLocator);
}

// A chain whose every locator is full is extended for the target: the new locator is its file
// named after the last one, mapped in the target at the address recorded in it, and the target's
// own library then uses it (its next buffer is in it; it chains no locator of its own).
TEST_F(ProcessBuffers, AFullChainIsExtendedForTheTarget) {
    Child target({PROCESS_BUFFERS_PEER_PATH, "target", "1", "1", std::to_string(2 * kItemsPerLocator)}, "document");
    ASSERT_GT(target.pid, 0);
    ASSERT_EQ(target.Lines("ready").back(), "ready document\n");
    ASSERT_EQ(ReadChain(target.pid).size(), 2u);
    buffers_process *process = nullptr;
    ASSERT_EQ(buffers_process_open((uint32_t)target.pid, &process), BUFFERS_OK) << buffers_last_error();
    buffers_search_settings settings = {0, kTwoGiB, 64};
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_process_get_buffer(process, &settings, &item), BUFFERS_OK) << buffers_last_error();
    std::vector<ChainLocator> chain = ReadChain(target.pid);
    ASSERT_EQ(chain.size(), 3u);
    std::string name = "/" + FurtherLocatorName(target.pid, chain[1].address);
    ASSERT_GE(chain[2].path.size(), name.size()) << chain[2].path;
    EXPECT_EQ(chain[2].path.substr(chain[2].path.size() - name.size()), name);
    uintptr_t recorded = 0;
    ASSERT_EQ(vmem_read_other((uint32_t)target.pid, chain[2].address, &recorded, sizeof recorded), 0);
    EXPECT_EQ(recorded, chain[2].address) << "the new locator records where the target maps it";
    EXPECT_EQ(LocatorOf(chain, buffers_item_base_address(item)), 2);
    const unsigned char bytes[] = {1, 2, 3, 4, 5};
    uintptr_t at = buffers_item_append(item, bytes, sizeof bytes);
    ASSERT_NE(at, 0u) << buffers_last_error();
    unsigned char got[sizeof bytes] = {};
    ASSERT_EQ(vmem_read_other((uint32_t)target.pid, at, got, sizeof got), 0);
    EXPECT_EQ(memcmp(got, bytes, sizeof bytes), 0);
    buffers_item_release(item);
    buffers_process_close(process);

    // Its one round: a buffer of the third locator, made here or by itself there.
    std::vector<Record> own;
    ASSERT_NO_FATAL_FAILURE(RunOneTargetRound(&target, &own));
    chain = ReadChain(target.pid);
    EXPECT_EQ(chain.size(), 3u) << "the target chained a locator of its own";
    EXPECT_EQ(LocatorOf(chain, own[0].address), 2);
    target.Say("exit");
    EXPECT_EQ(target.Wait(), 0);
}

// A root directory whose path leaves room for a locator file of a pid of up to 7 digits, but not for
// a further locator's file (22 characters longer): the library then keeps further locators in
// private memory. Removed with everything in it when destroyed.
struct TightRoot {
    std::string path;
    TightRoot() {
        char pattern[] = "/tmp/buffers-tight-XXXXXX";
        if (!mkdtemp(pattern)) return;
        std::string per_user = ".reloaded-" + std::to_string(geteuid());
        size_t first_name = strlen("Reloaded.Memory.Buffers.MemoryBuffer, PID 1234567");
        // vmem_shared_open's longest path: root/per_user/memory.buffers/<name> #99, under 1024.
        size_t wanted = 1012 - (1 + per_user.size() + strlen("/memory.buffers/") + first_name + 4);
        path = pattern;
        while (path.size() < wanted) {
            size_t part = std::min<size_t>(200, wanted - path.size() - 1);
            if (part == 0) part = 1;
            path += "/" + std::string(part, 'd');
            mkdir(path.c_str(), 0700);
        }
    }
    ~TightRoot() {
        std::string command = "rm -rf '" + path.substr(0, strlen("/tmp/buffers-tight-XXXXXX")) + "'";
        if (std::system(command.c_str()) != 0) ADD_FAILURE() << command;
    }
};

// The target's further locators are in its private memory: the walk reads past them (their
// next_locator through process_vm_readv), never locks there, and counts what it cannot lock.
TEST_F(ProcessBuffers, PrivateFurtherLocatorsAreWalkedButNeverLocked) {
    TightRoot root;
    ASSERT_FALSE(root.path.empty());
    setenv("BUFFERS_SHARED_ROOT", root.path.c_str(), 1);
    Child target({PROCESS_BUFFERS_PEER_PATH, "target", "1", "1", std::to_string(2 * kItemsPerLocator + 5)}, "document");
    unsetenv("BUFFERS_SHARED_ROOT");
    ASSERT_GT(target.pid, 0);
    ASSERT_EQ(target.Lines("ready").back(), "ready document\n");
    std::vector<ChainLocator> chain = ReadChain(target.pid);
    ASSERT_EQ(chain.size(), 3u);
    ASSERT_EQ(chain[0].path.compare(0, root.path.size(), root.path), 0) << chain[0].path;
    EXPECT_EQ(chain[1].path, "") << "private memory";
    EXPECT_EQ(chain[2].path, "") << "private memory";
    // Its one round makes a buffer with room, in the third (private) locator.
    std::vector<Record> own;
    ASSERT_NO_FATAL_FAILURE(RunOneTargetRound(&target, &own));
    ASSERT_EQ(LocatorOf(ReadChain(target.pid), own[0].address), 2);

    setenv("BUFFERS_SHARED_ROOT", root.path.c_str(), 1);
    buffers_process *process = nullptr;
    buffers_status opened = buffers_process_open((uint32_t)target.pid, &process);
    unsetenv("BUFFERS_SHARED_ROOT");
    ASSERT_EQ(opened, BUFFERS_OK) << buffers_last_error();
    buffers_search_settings settings = {0, kTwoGiB, 64};
    buffers_item *item = nullptr;
    ExpectFailure(buffers_process_get_buffer(process, &settings, &item), BUFFERS_ERROR_NO_SPACE,
                  "(3 locator(s) in its chain, 2 of them in its private memory, where 1 free buffer(s) would fit");
    buffers_process_close(process);
    target.Say("exit");
    EXPECT_EQ(target.Wait(), 0);
}

TEST_F(ProcessBuffers, ProcessThatDoesNotExistIsAnInvalidArgument) {
    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, nullptr, 0);   // reaped: its pid names no process now
    buffers_process *process = reinterpret_cast<buffers_process *>(1);
    ExpectFailure(buffers_process_open((uint32_t)child, &process), BUFFERS_ERROR_INVALID_ARGUMENT, "no such process");
    EXPECT_EQ(process, nullptr);
}

TEST_F(ProcessBuffers, ProcessWithoutLocatorIsRefusedWithTheReason) {
    Child sleeper({"/bin/sleep", "30"});
    ASSERT_GT(sleeper.pid, 0);
    usleep(100 * 1000);   // past exec
    buffers_process *process = nullptr;
    ExpectFailure(buffers_process_open((uint32_t)sleeper.pid, &process), BUFFERS_ERROR_UNSUPPORTED,
                  "has no locator; creating one in another process is not supported yet");
    EXPECT_EQ(process, nullptr);
}

TEST_F(ProcessBuffers, NullArgumentsAndThisProcessAreRefused) {
    ExpectFailure(buffers_process_open(1, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT, "out is null");
    buffers_process *process = nullptr;
    ExpectFailure(buffers_process_open((uint32_t)getpid(), &process), BUFFERS_ERROR_INVALID_ARGUMENT, "this process");
    buffers_search_settings settings = {0, kTwoGiB, 16};
    buffers_item *item = nullptr;
    ExpectFailure(buffers_process_get_buffer(nullptr, &settings, &item), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "process is null");
    buffers_process_close(nullptr);   // ignored
}

TEST_F(ProcessBuffers, ItemCallsActInTheTargetAndUseAfterCloseIsRefused) {
    Child target({PROCESS_BUFFERS_PEER_PATH, "target", "1", "1"}, "document");
    ASSERT_GT(target.pid, 0);
    ASSERT_EQ(target.Lines("ready").back(), "ready document\n");
    buffers_process *process = nullptr;
    ASSERT_EQ(buffers_process_open((uint32_t)target.pid, &process), BUFFERS_OK) << buffers_last_error();
    buffers_search_settings settings = {0, kTwoGiB, 32};
    buffers_item *item = nullptr;
    ExpectFailure(buffers_process_get_buffer(process, nullptr, &item), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "settings is null");
    ExpectFailure(buffers_process_get_buffer(process, &settings, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "out_item is null");
    ASSERT_EQ(buffers_process_get_buffer(process, &settings, &item), BUFFERS_OK) << buffers_last_error();
    uint32_t size = buffers_item_size(item), before = buffers_item_position(item);
    EXPECT_GE(size, 32u);
    EXPECT_EQ(buffers_item_bytes_left(item), size - before);
    const unsigned char code[] = {0xC3, 0x90, 0x90, 0xCC};
    uintptr_t at = buffers_item_append_code(item, code, sizeof code);
    ASSERT_EQ(at, buffers_item_base_address(item) + before) << buffers_last_error();
    EXPECT_EQ(buffers_item_position(item), before + sizeof code);
    EXPECT_EQ(buffers_item_append(item, code, size), 0u);   // more than is left
    EXPECT_NE(std::string(buffers_last_error()).find("do not fit"), std::string::npos) << buffers_last_error();
    unsigned char got[sizeof code] = {};
    ASSERT_EQ(vmem_read_other((uint32_t)target.pid, at, got, sizeof got), 0);
    EXPECT_EQ(memcmp(got, code, sizeof code), 0);
    buffers_item_release(item);
    EXPECT_EQ(buffers_item_append(item, code, 1), 0u);   // released
    EXPECT_NE(std::string(buffers_last_error()).find("not locked"), std::string::npos) << buffers_last_error();
    buffers_process_close(process);
    ExpectFailure(buffers_process_get_buffer(process, &settings, &item), BUFFERS_ERROR_INVALID_ARGUMENT, "closed");
    buffers_process_close(process);   // twice: ignored
    target.Say("go");
    target.Say("check");
    EXPECT_EQ(target.Lines("checked").back(), "checked 0\n");
    target.Say("exit");
    EXPECT_EQ(target.Wait(), 0);
}

}  // namespace
