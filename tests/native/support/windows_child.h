// A child process for the Windows tests, started with its stdin and stdout on pipes.
#ifndef BUFFERS_WINDOWS_CHILD_H
#define BUFFERS_WINDOWS_CHILD_H

#include <gtest/gtest.h>

#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <fcntl.h>
#include <io.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

// A path CMake gave: a cross build running under wine has a Unix one, which wine reaches as Z:.
inline std::string WindowsPath(std::string path) {
    if (!path.empty() && path[0] == '/') path = "Z:" + path;
    for (char &c : path)
        if (c == '/') c = '\\';
    return path;
}

// A child process with its stdin and stdout on pipes (children are started from one thread only:
// a second CreateProcess would otherwise inherit the first child's pipe ends).
struct WindowsChild {
    PROCESS_INFORMATION info{};
    FILE *in = nullptr, *out = nullptr;

    explicit WindowsChild(const std::vector<std::string> &args) {
        SECURITY_ATTRIBUTES inherit = {sizeof inherit, nullptr, TRUE};
        HANDLE child_in, to_child, from_child, child_out;
        if (!CreatePipe(&child_in, &to_child, &inherit, 0)) return;
        if (!CreatePipe(&from_child, &child_out, &inherit, 0)) return;
        SetHandleInformation(to_child, HANDLE_FLAG_INHERIT, 0);
        SetHandleInformation(from_child, HANDLE_FLAG_INHERIT, 0);
        std::string command;
        for (const std::string &a : args) command += (command.empty() ? "\"" + WindowsPath(a) + "\"" : " " + a);
        STARTUPINFOA startup;
        std::memset(&startup, 0, sizeof startup);
        startup.cb = sizeof startup;
        startup.dwFlags = STARTF_USESTDHANDLES;
        startup.hStdInput = child_in;
        startup.hStdOutput = child_out;
        startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
        BOOL started = CreateProcessA(nullptr, &command[0], nullptr, nullptr, TRUE, 0, nullptr, nullptr, &startup,
                                      &info);
        CloseHandle(child_in);
        CloseHandle(child_out);
        if (!started) {
            ADD_FAILURE() << "cannot start " << command << ": error " << GetLastError();
            CloseHandle(to_child);
            CloseHandle(from_child);
            return;
        }
        CloseHandle(info.hThread);
        in = _fdopen(_open_osfhandle((intptr_t)to_child, 0), "w");
        out = _fdopen(_open_osfhandle((intptr_t)from_child, _O_RDONLY), "r");
    }
    uint32_t Pid() const { return (uint32_t)info.dwProcessId; }
    void Say(const char *line) {
        fprintf(in, "%s\n", line);
        fflush(in);
    }
    // Lines (without their line end) until one starting with stop (included); all if stop is empty.
    std::vector<std::string> Lines(const std::string &stop) {
        std::vector<std::string> lines;
        char line[512];
        while (out && fgets(line, sizeof line, out)) {
            std::string text = line;
            while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
            lines.push_back(text);
            if (!stop.empty() && text.compare(0, stop.size(), stop) == 0) break;
        }
        return lines;
    }
    int Wait() {
        if (in) fclose(in);
        if (out) fclose(out);
        in = out = nullptr;
        DWORD code = 999;
        if (WaitForSingleObject(info.hProcess, 60000) != WAIT_OBJECT_0) return -1;
        GetExitCodeProcess(info.hProcess, &code);
        return (int)code;
    }
    ~WindowsChild() {
        if (!info.hProcess) return;
        if (in || out) {
            TerminateProcess(info.hProcess, 9);
            Wait();
        }
        CloseHandle(info.hProcess);
    }
};

// Ends a windows_buffers_peer target: its threads write ("go"), then check their records ("check"),
// which must all be intact, and it exits 0. Returns its report (a "T ..." line per record).
inline std::vector<std::string> ExpectPeerTargetFinishesIntact(WindowsChild &target) {
    target.Say("go");
    target.Say("check");
    auto report = target.Lines("checked");
    EXPECT_TRUE(!report.empty() && report.back() == "checked 0");
    target.Say("exit");
    EXPECT_EQ(target.Wait(), 0);
    return report;
}

#endif
