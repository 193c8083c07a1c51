// buffers_shared_root: the folder this copy keeps its locator files under, by the core's own rule
// (buffers_use_shared_root, else $BUFFERS_SHARED_ROOT, else /tmp), the one tools such as the CLI
// ask instead of working it out again. The chosen root is for the whole process and cannot be
// taken back, so each case runs in a forked child.
#include <gtest/gtest.h>

#include <string>

#include <reloaded/buffers.h>

#ifdef _WIN32

TEST(SharedRoot, IsEmptyWhereLocatorsAreNotFiles) {
    EXPECT_STREQ(buffers_shared_root(), "") << "Windows keeps locators in named sections";
}

#else

#include <sys/stat.h>

#include <cstdlib>

#include "process_runner.h"

namespace {
// Runs fn in a fork and expects it to return "" (else the text says what differed).
void ExpectInFork(const std::function<std::string()> &fn) {
    ForkResult r = RunInFork(fn);
    ASSERT_TRUE(r.ExitedCleanly()) << r.HowItEnded() << ": " << r.text;
    EXPECT_EQ(r.text, "");
}

std::string Differs(const std::string &what, const std::string &expected, const std::string &got) {
    return got == expected ? "" : what + ": expected '" + expected + "', got '" + got + "'; ";
}
}  // namespace

class SharedRoot : public ScratchRoot {};

TEST_F(SharedRoot, IsTheEnvironmentVariableElseTmp) {
    ExpectInFork([&] {
        std::string wrong;
        unsetenv("BUFFERS_SHARED_ROOT");
        wrong += Differs("unset", "/tmp", buffers_shared_root());
        setenv("BUFFERS_SHARED_ROOT", "", 1);
        wrong += Differs("empty", "/tmp", buffers_shared_root());
        setenv("BUFFERS_SHARED_ROOT", root.c_str(), 1);
        wrong += Differs("set", root, buffers_shared_root());
        return wrong;
    });
}

TEST_F(SharedRoot, TheChosenRootWinsAndIsWhereTheLocatorIsMade) {
    std::string chosen = root + "/chosen";
    ASSERT_EQ(mkdir(chosen.c_str(), 0700), 0);
    ExpectInFork([&] {
        std::string wrong;
        setenv("BUFFERS_SHARED_ROOT", root.c_str(), 1);
        if (buffers_use_shared_root(chosen.c_str()) != BUFFERS_OK) return std::string(buffers_last_error());
        wrong += Differs("chosen", chosen, buffers_shared_root());
        if (buffers_locator_address() == 0) return wrong + buffers_last_error();
        wrong += Differs("locator directory", chosen + "/.reloaded/memory.buffers", buffers_locator_directory());
        wrong += Differs("after the locator opened", chosen, buffers_shared_root());
        size_t count = 0;
        buffers_locator_file file;
        if (buffers_locator_files(nullptr, &file, 1, &count) != BUFFERS_OK) return wrong + buffers_last_error();
        wrong += Differs("files under the null root", "1", std::to_string(count));
        wrong += Differs("its directory", chosen + "/.reloaded/memory.buffers",
                         std::string(file.path, count == 1 ? file.directory_length : 0));
        return wrong;
    });
}

TEST_F(SharedRoot, AskingOpensNothingAndARefusedRootChangesNothing) {
    ExpectInFork([&] {
        std::string wrong;
        setenv("BUFFERS_SHARED_ROOT", root.c_str(), 1);
        wrong += Differs("before", root, buffers_shared_root());
        wrong += Differs("relative root", std::to_string(BUFFERS_ERROR_INVALID_ARGUMENT),
                         std::to_string(buffers_use_shared_root("relative")));
        wrong += Differs("after a refused root", root, buffers_shared_root());
        // Still choosable: asking did not open the locator (once open, a new root is refused).
        std::string later = root + "/later";
        if (buffers_use_shared_root(later.c_str()) != BUFFERS_OK) return wrong + buffers_last_error();
        wrong += Differs("chosen after asking", later, buffers_shared_root());
        return wrong;
    });
}

#endif
