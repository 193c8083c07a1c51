// Linux x86-64/aarch64: a writer that dies in the middle of a ptrace session harms no target
// (docs/external.md, "A writer that dies"). Writers (helper dying_writer) keep sessions going in a
// `sleep` and are ended at random moments: SIGKILL, SIGTERM, a SIGKILL of their process group, or
// their own exit(). After each end the target must be alive, untraced, not stopped, and in the
// end exit 0 when its sleep is over (a target let go with injected registers dies of SIGSEGV).
#include <gtest/gtest.h>

#include <random>

#include "dying_writer_run.h"
#include "remote_process.h"
#include "target_leftovers.h"

namespace {
using namespace remote_process;

constexpr int kSleepSeconds = 5;   // outlives its second of rounds, each up to 4 s of checks under load
constexpr int kRoundsPerTarget = 10;
constexpr auto kTargetUsedFor = std::chrono::seconds(1);   // then a fresh one: each must outlive its rounds

// Rounds in all: BUFFERS_DYING_WRITER_ROUNDS, else the test's own default.
int RoundsWanted(int fallback) {
    const char *text = getenv("BUFFERS_DYING_WRITER_ROUNDS");
    return text && atoi(text) > 0 ? atoi(text) : fallback;
}

// A sleep that is asleep: exec'd and loaded, so what it holds from now on is what it keeps.
pid_t StartSleep() {
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sleep", "sleep", std::to_string(kSleepSeconds).c_str(), (char *)nullptr);
        _exit(127);
    }
    for (int i = 0; i < 200 && !(ReadFile("/proc/" + std::to_string(pid) + "/comm") == "sleep\n" && StateOf(pid) == 'S');
         i++)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return pid;
}

// Empty if the target is fine: alive, and within 2 s untraced and out of any stop (a session the
// writer had in flight may still be being undone for a moment).
std::string Harm(pid_t pid) {
    for (int i = 0; i < 200; i++) {
        char state = StateOf(pid);
        if (state == 0 || state == 'Z' || state == 'X') return "dead";
        if (StatusField(pid, "TracerPid:") == "0" && state != 't' && state != 'T') return "";
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return "still traced by " + StatusField(pid, "TracerPid:") + ", state '" + std::string(1, StateOf(pid)) + "'";
}

class DyingWriter : public RemoteScratchRoot {
  protected:
    // Runs rounds writers against fresh sleeps (at most kRoundsPerTarget each), ending each with end(writer,
    // round) after a random 0-30 ms, and expects every target unharmed and its sleep to end with 0.
    void Run(int rounds, const std::function<void(pid_t, int, int)> &end, bool exits_itself) {
        unsigned seed = std::random_device{}();
        std::mt19937 random(seed);
        std::uniform_int_distribution<int> delay_us(0, 30000);
        std::vector<pid_t> targets;
        int harmed = 0, left_behind = 0, writer_failures = 0, target_rounds = 0, started = 0;
        pid_t target = -1;
        TargetHoldings own;   // the target's holdings when it started, before any writer
        Clock::time_point target_started;
        for (int round = 0; round < rounds; round++) {
            // A fresh target after kRoundsPerTarget rounds, after kTargetUsedFor, or after one was harmed.
            if (target_rounds++ % kRoundsPerTarget == 0 || Clock::now() - target_started > kTargetUsedFor) {
                target_rounds = 1;
                target_started = Clock::now();
                target = StartSleep();
                ASSERT_GT(target, 0);
                own = HoldingsOf(target);
                targets.push_back(target);
                started++;
            }
            int delay = delay_us(random);
            TargetHoldings before = HoldingsOf(target);
            // What may never go: the target's own ranges and what its chain published. An earlier alloc
            // round's leftover page is neither: its warden may take it back during this round.
            std::vector<std::pair<uintptr_t, uintptr_t>> must_stay = own.ranges, published = PublishedRanges(target);
            must_stay.insert(must_stay.end(), published.begin(), published.end());
            pid_t writer = StartWriter(target, round % 2 ? "alloc" : "create",
                                       exits_itself ? std::to_string(delay) : std::string());
            ASSERT_GT(writer, 0);
            end(writer, round, delay);
            int status = 0;
            while (waitpid(writer, &status, 0) < 0 && errno == EINTR) {
            }
            std::string harm = Harm(target);
            if (harm.empty() && WIFEXITED(status) && WEXITSTATUS(status) != 0) writer_failures++;
            // An alloc round's writer may die holding the page it was given (its own, not the library's).
            // A warden that outlives the writer to take back a reservation may still be at it: 2 s.
            std::string left;
            for (int i = 0; harm.empty() && i < 200; i++) {
                if ((left = Leftovers(target, before, round % 2 ? 4096 : 0, &must_stay)).empty()) break;
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            if (!left.empty()) {
                left_behind++;
                ADD_FAILURE() << "round " << round << " (" << (round % 2 ? "alloc" : "create") << ", writer ended after "
                              << delay << " us, " << ExitOf(status) << "): target " << target << " kept" << left;
            }
            if (!harm.empty()) {
                harmed++;
                kill(target, SIGKILL);   // so the end of its sleep is not waited for in vain
                int target_status = 0;
                waitpid(target, &target_status, 0);
                ADD_FAILURE() << "round " << round << " (writer ended after " << delay << " us, " << ExitOf(status)
                              << "): target " << target << " " << harm << " (" << ExitOf(target_status) << ")";
                targets.pop_back();
                target_rounds = 0;
            }
        }
        for (pid_t pid : targets) {
            int status = 0;
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
            if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
                harmed++;
                ADD_FAILURE() << "target " << pid << " did not finish its sleep: " << ExitOf(status);
            }
        }
        printf("%d rounds against %d targets (seed %u): %d harmed, %d left with more than was published, %d writers "
               "failed on their own (their stderr says why)\n", rounds, started, seed, harmed, left_behind, writer_failures);
        EXPECT_EQ(harmed, 0);
        EXPECT_EQ(left_behind, 0);
        // Not counted as harm: a writer killed after the target mapped the locator file it was making
        // leaves that file unfinished and in use, so the next writer's open fails ("is in use").
    }
};

}  // namespace

// SIGKILL of the writer (most rounds), SIGTERM (a Ctrl-C or a service stop end it the same way),
// and a SIGKILL of its whole process group (a shell killing the job).
TEST_F(DyingWriter, KilledWriterLeavesEveryTargetRunningUntraced) {
    // Rounds alternate between creating the target's locator and buffer and allocating in it: 400 by
    // default, so 200 of them are remote creations (issue 16).
    Run(RoundsWanted(400), [](pid_t writer, int round, int delay) {
        std::this_thread::sleep_for(std::chrono::microseconds(delay));
        if (round % 10 == 3) kill(writer, SIGTERM);
        else if (round % 10 == 7) kill(-writer, SIGKILL);
        else kill(writer, SIGKILL);
    }, false);
}

// The writer's own exit() from another thread while its main thread is in a session.
TEST_F(DyingWriter, WriterExitingMidSessionLeavesEveryTargetRunningUntraced) {
    Run(RoundsWanted(200) / 5, [](pid_t, int, int) {}, true);
}
