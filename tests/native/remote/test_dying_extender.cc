// Linux x86-64/aarch64 (issue 16): a writer ended while it extends a target's full chain leaves no
// header lock taken (docs/external.md, "A writer killed holding a header lock"). Each round: a
// target whose only locator holds only full buffers (peer role shrink), so a writer's first get
// must chain a further locator under that locator's header lock; the writer (helper dying_writer)
// is ended 0-30 ms after it starts (SIGKILL, SIGTERM, a SIGKILL of its process group, or its own
// exit() from a second thread). Then a fresh writer's get and the target's own next registration
// must each finish within 10 s (a lock left taken hangs both for good), and the target holds
// nothing beyond what its chain publishes.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>

#include <chrono>
#include <random>
#include <thread>

#include "dying_writer_run.h"
#include "process_buffers_child.h"
#include "target_leftovers.h"

namespace {
using Clock = std::chrono::steady_clock;
constexpr auto kBound = std::chrono::seconds(10);

int Rounds() {
    const char *text = getenv("BUFFERS_DYING_EXTENDER_ROUNDS");
    return text && atoi(text) > 0 ? atoi(text) : 30;
}

// "" if a fresh writer (process_buffers_peer writer: one get, append, release) into pid ends with
// exit 0 within kBound; else how it ended or that it hung (then it is killed).
std::string FreshWriter(pid_t pid) {
    pid_t writer = fork();
    if (writer == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        std::string id = std::to_string(pid);
        execl(PROCESS_BUFFERS_PEER_PATH, PROCESS_BUFFERS_PEER_PATH, "writer", id.c_str(), "1", "1", "7", (char *)nullptr);
        _exit(127);
    }
    int status = 0;
    for (auto deadline = Clock::now() + kBound; Clock::now() < deadline;) {
        if (waitpid(writer, &status, WNOHANG) == writer)
            return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : "a fresh writer ended with " + ExitOf(status);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    kill(writer, SIGKILL);
    waitpid(writer, &status, 0);
    return "a fresh writer's get did not finish in 10 s (hung)";
}

// "" if the target answers "done" to "get" (a registration of its own) within kBound.
std::string TargetsOwnGet(Child *target) {
    target->Say("get");
    pollfd ready = {fileno(target->out), POLLIN, 0};
    if (poll(&ready, 1, (int)std::chrono::milliseconds(kBound).count()) != 1)
        return "the target's own get did not finish in 10 s (hung)";
    char line[512] = {};
    if (!fgets(line, sizeof line, target->out)) return "the target ended";
    return std::string(line) == "done\n" ? "" : std::string("the target's own get: ") + line;
}

class DyingExtender : public ProcessBuffers {};

}  // namespace

TEST_F(DyingExtender, AWriterEndedWhileExtendingAChainLeavesNoHeaderLockTaken) {
    unsigned seed = std::random_device{}();
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> delay_us(0, 30000);
    int rounds = Rounds(), extended_by_the_writer = 0;
    for (int round = 0; round < rounds; round++) {
        Child target({PROCESS_BUFFERS_PEER_PATH, "shrink", std::to_string(kItemsPerLocator)}, "document");
        ASSERT_GT(target.pid, 0);
        ASSERT_EQ(target.Lines("ready").back(), "ready document\n");
        std::vector<ChainLocator> chain = ReadChain(target.pid);
        ASSERT_EQ(chain.size(), 1u);
        ASSERT_EQ(chain[0].buffers.size(), (size_t)kItemsPerLocator);
        TargetHoldings before = HoldingsOf(target.pid);

        int delay = delay_us(random);
        bool exits = round % 10 == 5;   // its own exit() from a second thread
        pid_t writer = StartWriter(target.pid, "create", exits ? std::to_string(delay) : std::string());
        ASSERT_GT(writer, 0);
        if (!exits) {
            std::this_thread::sleep_for(std::chrono::microseconds(delay));
            if (round % 10 == 3) kill(writer, SIGTERM);
            else if (round % 10 == 7) kill(-writer, SIGKILL);
            else kill(writer, SIGKILL);
        }
        int status = 0;
        while (waitpid(writer, &status, 0) < 0 && errno == EINTR) {
        }
        if (ReadChain(target.pid).size() > 1) extended_by_the_writer++;

        std::string what = "round " + std::to_string(round) + " (seed " + std::to_string(seed) + ", writer ended after " +
                           std::to_string(delay) + " us, " + ExitOf(status) + "): ";
        std::string hung = FreshWriter(target.pid);
        if (hung.empty()) hung = TargetsOwnGet(&target);
        ASSERT_EQ(hung, "") << what << "target " << target.pid;   // one hang is enough: each costs 10 s
        std::string left;
        for (int i = 0; i < 200; i++) {   // a warden taking back a reservation may still be at it: 2 s
            if ((left = Leftovers(target.pid, before)).empty()) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        EXPECT_EQ(left, "") << what << "target " << target.pid << " kept" << left;
        target.Say("exit");
        EXPECT_EQ(target.Wait(), 0);
    }
    printf("%d rounds (seed %u): the killed writer had chained the further locator in %d\n", rounds, seed,
           extended_by_the_writer);
}
