// Linux: what the tests of other processes (test_remote_memory.cc, test_process_create.cc) share:
// whether ptrace works here, /proc readers independent of the library, and a child process with
// pipes to its stdin and from its stdout.
#ifndef BUFFERS_REMOTE_PROCESS_H
#define BUFFERS_REMOTE_PROCESS_H

#include <gtest/gtest.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "process_runner.h"

extern "C" {
#include "os/vmem_other.h"
}

namespace remote_process {
using Clock = std::chrono::steady_clock;

constexpr char kUnsupportedBuild[] = "this build does not act in other processes (Linux x86-64/aarch64 only)";

// The errno of seizing a child of our own with ptrace (0: ptrace works).
inline int PtraceError() {
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    long seized = ptrace(PTRACE_SEIZE, child, nullptr, nullptr);
    int error = seized == 0 ? 0 : errno;
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    return error;
}

// Why the tests cannot run here, or "" when they can.
inline std::string WhyNotHere() {
    if (!vmem_supports_other_processes()) return kUnsupportedBuild;
    int error = PtraceError();
    if (error == 0) return "";
    return std::string("ptrace is not available here (") + strerror(error) + ")" +
           (error == ENOSYS ? ": qemu-user does not emulate ptrace" : "");
}

inline std::string ReadFile(const std::string &path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
}

// A field of /proc/<pid>/status after its key ("TracerPid:"), blanks trimmed; "" if none.
inline std::string StatusField(pid_t pid, const std::string &key) {
    std::istringstream lines(ReadFile("/proc/" + std::to_string(pid) + "/status"));
    for (std::string line; std::getline(lines, line);)
        if (line.rfind(key, 0) == 0) return line.substr(line.find_first_not_of(" \t", key.size()));
    return "";
}

// The state letter of pid's main thread (R, S, t, T, Z, ...); 0 if it is gone.
inline char StateOf(pid_t pid) {
    std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
    size_t close = stat.rfind(") ");
    return close == std::string::npos || close + 2 >= stat.size() ? 0 : stat[close + 2];
}

inline std::string Maps(pid_t pid) { return ReadFile("/proc/" + std::to_string(pid) + "/maps"); }

// Independent of the library: the target's bytes through /proc/<pid>/mem.
inline std::vector<uint8_t> ReadThroughProcMem(pid_t pid, uintptr_t address, size_t size) {
    std::vector<uint8_t> bytes(size);
    int fd = open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY);
    ssize_t got = fd >= 0 ? pread(fd, bytes.data(), size, (off_t)address) : -1;
    if (fd >= 0) close(fd);
    if (got != (ssize_t)size) bytes.clear();
    return bytes;
}

inline std::string MapsLineAt(const std::string &maps, uintptr_t address) {
    std::stringstream hex;
    hex << std::hex << address << "-";
    std::istringstream lines(maps);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind(hex.str(), 0) == 0) return line;
    return "";
}

// A child process with a pipe to its stdin and one from its stdout; killed if still running.
class Child {
  public:
    explicit Child(const std::vector<std::string> &argv) {
        int in[2], out[2];
        if (pipe(in) != 0 || pipe(out) != 0) return;
        started_ = Clock::now();
        pid_ = fork();
        if (pid_ == 0) {
            dup2(in[0], STDIN_FILENO);
            dup2(out[1], STDOUT_FILENO);
            std::vector<char *> args;
            for (const std::string &arg : argv) args.push_back(const_cast<char *>(arg.c_str()));
            args.push_back(nullptr);
            execvp(args[0], args.data());
            _exit(127);
        }
        close(in[0]);
        close(out[1]);
        stdin_ = in[1];
        stdout_ = out[0];
    }
    ~Child() {
        if (pid_ > 0 && !reaped_) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (stdin_ >= 0) close(stdin_);
        if (stdout_ >= 0) close(stdout_);
    }
    pid_t pid() const { return pid_; }
    double SecondsSinceStart() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }
    // A line of its output, waiting up to 60 s; "" on timeout or end of output.
    std::string ReadLine() {
        std::string line;
        char c;
        pollfd ready = {stdout_, POLLIN, 0};
        while (poll(&ready, 1, 60000) == 1 && read(stdout_, &c, 1) == 1 && c != '\n') line += c;
        return line;
    }
    bool Write(const std::string &text) { return write(stdin_, text.data(), text.size()) == (ssize_t)text.size(); }
    // Its wait status once it has ended (blocks).
    int Wait() {
        int status = -1;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        reaped_ = true;
        return status;
    }
    // Waits until /proc says it is sleeping in system call number (up to 30 s).
    bool WaitUntilBlockedIn(long number) {
        std::string want = std::to_string(number) + " ";
        for (int i = 0; i < 3000; i++) {
            if (ReadFile("/proc/" + std::to_string(pid_) + "/syscall").rfind(want, 0) == 0) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }

  private:
    pid_t pid_ = -1;
    int stdin_ = -1, stdout_ = -1;
    bool reaped_ = false;
    Clock::time_point started_;
};
// Runs fn in a forked child as user nobody (65534) and returns the text it returned; "" when the
// child could not become nobody or report.
inline std::string RunAsNobody(const std::function<std::string()> &fn) {
    ForkResult run = RunInFork([&] {
        if (setgid(65534) != 0 || setuid(65534) != 0) _exit(2);
        return fn();
    });
    return run.ExitedCleanly() ? run.text : "";
}

// Tests against x86-64 and aarch64 targets (aarch64 runs under a real kernel in tests/kernel;
// qemu-user has no ptrace), skipped with the reason where ptrace does not work, with a scratch root
// for locator files that children inherit.
class RemoteScratchRoot : public ScratchRoot {
  protected:
    void SetUp() override {
        std::string why = WhyNotHere();
#if !defined(__x86_64__) && !defined(__aarch64__)
        why = "Linux x86-64 and aarch64 only";
#endif
        if (!why.empty()) GTEST_SKIP() << why;
        ScratchRoot::SetUp();
        setenv("BUFFERS_SHARED_ROOT", root.c_str(), 1);   // children inherit it too
    }
    void TearDown() override {
        unsetenv("BUFFERS_SHARED_ROOT");
        if (!root.empty()) ScratchRoot::TearDown();
    }
};
}  // namespace remote_process

#endif
