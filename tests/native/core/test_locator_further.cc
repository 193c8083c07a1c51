// Further locators as shared objects (docs/format.md, "Further locators"): when a locator is full,
// the next one is a shared mapping of a file named after the full one's address, in the directory
// of the first, so another process can map it and lock its items; where that cannot be had it is
// private memory, and the chain works the same. Runs in this process against a scratch root.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "maps_path.h"
#include "process_runner.h"
#include "test_shim.h"

extern "C" {
#include "os/vmem.h"
}

namespace {
const std::string kFirstPrefix = "Reloaded.Memory.Buffers.MemoryBuffer, PID ";

uintptr_t Word(uintptr_t address) {
    uintptr_t value;
    std::memcpy(&value, reinterpret_cast<const void *>(address), sizeof value);
    return value;
}

class FurtherLocators : public ScratchRoot {
  protected:
    void SetUp() override {
        ScratchRoot::SetUp();
        setenv("BUFFERS_SHARED_ROOT", root.c_str(), 1);
    }
    void TearDown() override {
        unsetenv("BUFFERS_SHARED_ROOT");
        ScratchRoot::TearDown();
    }
    // A first locator of our own: a file in the scratch root, as the finder makes it.
    uintptr_t OpenFirst() {
        uintptr_t first = 0;
        EXPECT_EQ(shim_finder_open((kFirstPrefix + std::to_string(getpid())).c_str(), &first), BUFFERS_OK)
            << buffers_last_error();
        return first;
    }
    // Registers count buffers (unlocked again) in the chain from first; returns the last item.
    void *Register(uintptr_t first, size_t count, uintptr_t base) {
        void *item = nullptr;
        for (size_t i = 0; i < count; i++) {
            EXPECT_EQ(shim_locator_register(reinterpret_cast<void *>(first), base + i * 0x1000, 0x1000, &item),
                      BUFFERS_OK);
            shim_item_unlock(item);
        }
        return item;
    }
    uintptr_t Next(uintptr_t loc) { return (uintptr_t)shim_locator_next(reinterpret_cast<void *>(loc)); }
    std::string PathOf(const std::string &name) { return SharedDir() + "/" + name; }
};

TEST_F(FurtherLocators, AFullFirstLocatorChainsASharedMappingOfAFileNamedAfterIt) {
    uintptr_t first = OpenFirst();
    ASSERT_NE(first, 0u);
    ASSERT_EQ(MappedPathAt(getpid(), first), PathOf(kFirstPrefix + std::to_string(getpid())));
    Register(first, shim_max_items(), 0x10000000);
    EXPECT_EQ(Next(first), 0u) << "full, but nothing asked for more yet";
    void *item = Register(first, 1, 0x20000000);
    uintptr_t next = Next(first);
    ASSERT_NE(next, 0u);
    EXPECT_EQ(MappedPathAt(getpid(), next), PathOf(FurtherLocatorName(getpid(), first)))
        << "in the directory of the first, named after the first's address";
    EXPECT_EQ(Word(next), next) << "a further locator records its own address";
    EXPECT_GT((uintptr_t)item, next) << "the new buffer is registered in the further locator";
    EXPECT_LT((uintptr_t)item, next + 4096);
    EXPECT_EQ(shim_locator_find(reinterpret_cast<void *>(first), 16, 0x20000000, 0x20000fff), item);
}

TEST_F(FurtherLocators, EveryLocatorOfALongChainIsNamedAfterTheOneBeforeIt) {
    uintptr_t first = OpenFirst();
    ASSERT_NE(first, 0u);
    const size_t kFurther = 4;
    void *last = Register(first, (kFurther + 1) * shim_max_items(), 0x10000000);
    uintptr_t loc = first;
    for (size_t n = 0; n < kFurther; n++) {
        uintptr_t next = Next(loc);
        ASSERT_NE(next, 0u) << "locator " << n + 2;
        EXPECT_EQ(MappedPathAt(getpid(), next), PathOf(FurtherLocatorName(getpid(), loc))) << "locator " << n + 2;
        loc = next;
    }
    EXPECT_EQ(Next(loc), 0u);
    // The scan walks the whole chain: the last buffer is found (and locked) from the first locator.
    uintptr_t last_base = 0x10000000 + ((kFurther + 1) * shim_max_items() - 1) * 0x1000;
    EXPECT_EQ(shim_locator_find(reinterpret_cast<void *>(first), 16, last_base, last_base + 0xfff), last);
}

// A child that opened names (and keeps them mapped and alive) until it is destroyed.
struct NameHolder {
    pid_t pid = -1;
    bool holding = false;
    NameHolder(const std::string &name, int count) {
        int ready[2];
        if (pipe(ready) != 0) return;
        pid = fork();
        if (pid == 0) {
            char answer = 'r';
            for (int i = 0; i < count; i++) {
                vmem_shared shared;
                if (vmem_shared_open(name.c_str(), 4096, &shared) != 0 || !shared.created) answer = 'e';
                vmem_shared_close(&shared, true);   // drops only the setup lock
            }
            (void)!write(ready[1], &answer, 1);
            pause();
            _exit(0);
        }
        char answer = 0;
        close(ready[1]);
        holding = read(ready[0], &answer, 1) == 1 && answer == 'r';
        close(ready[0]);
    }
    ~NameHolder() {
        if (pid <= 0) return;
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
    }
};

// Another process (here: a child, as a namesake in another PID namespace would) keeps the name: the
// object is left alone, and the derived name is used -- the one another process's walk tries next.
TEST_F(FurtherLocators, ANameAnotherProcessHoldsMovesToTheDerivedName) {
    uintptr_t first = OpenFirst();
    ASSERT_NE(first, 0u);
    std::string name = FurtherLocatorName(getpid(), first);
    NameHolder holder(name, 1);
    ASSERT_TRUE(holder.holding);
    Register(first, shim_max_items() + 1, 0x10000000);
    uintptr_t next = Next(first);
    ASSERT_NE(next, 0u);
    EXPECT_EQ(MappedPathAt(getpid(), next), PathOf(name + " #2"));
}

// A file left under the name by a dead process of the same pid (nobody holds it alive) is replaced
// by a new file (a new inode: whoever might still map the old one keeps its bytes).
TEST_F(FurtherLocators, AStaleFileUnderTheNameIsReplaced) {
    uintptr_t first = OpenFirst();
    ASSERT_NE(first, 0u);
    std::string path = PathOf(FurtherLocatorName(getpid(), first));
    FILE *stale = fopen(path.c_str(), "w");
    ASSERT_NE(stale, nullptr);
    fputs("stale", stale);
    fclose(stale);
    struct stat before;
    ASSERT_EQ(stat(path.c_str(), &before), 0);
    Register(first, shim_max_items() + 1, 0x10000000);
    uintptr_t next = Next(first);
    ASSERT_NE(next, 0u);
    EXPECT_EQ(MappedPathAt(getpid(), next), path);
    struct stat after;
    ASSERT_EQ(stat(path.c_str(), &after), 0);
    EXPECT_NE(after.st_ino, before.st_ino) << "the stale file was used in place";
    EXPECT_EQ(Word(next), next);
}

// An object under the name that this process already maps at its recorded address is somebody's
// live locator (vmem_shared_open hands it back instead of creating one): never taken over, the
// further locator is private memory, and the chain works as before.
TEST_F(FurtherLocators, ALiveObjectOfThisProcessUnderTheNameMakesItPrivateMemory) {
    uintptr_t first = OpenFirst();
    ASSERT_NE(first, 0u);
    std::string name = FurtherLocatorName(getpid(), first);
    vmem_shared other;
    ASSERT_EQ(vmem_shared_open(name.c_str(), 4096, &other), 0) << other.where;
    std::memcpy(reinterpret_cast<void *>(other.address), &other.address, sizeof other.address);
    vmem_shared_close(&other, true);
    void *item = Register(first, shim_max_items() + 1, 0x10000000);
    uintptr_t next = Next(first);
    ASSERT_NE(next, 0u);
    EXPECT_NE(next, other.address);
    EXPECT_EQ(MappedPathAt(getpid(), next), "") << "anonymous memory";
    EXPECT_EQ(Word(other.address), other.address) << "the other object is untouched";
    EXPECT_EQ(shim_locator_find(reinterpret_cast<void *>(first), 16, 0x10000000 + shim_max_items() * 0x1000,
                                0x10000000 + shim_max_items() * 0x1000 + 0xfff),
              item);
}

// A root whose further locator paths would pass the path limit: private memory, never a cut name.
TEST_F(FurtherLocators, APathOverTheLimitMakesItPrivateMemory) {
    void *block = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(block, MAP_FAILED);
    shim_locator_initialize(block, (uintptr_t)block, 4096, false);
    std::string long_root = root + "/" + std::string(VMEM_SHARED_PATH_LIMIT, 'r');
    setenv("BUFFERS_SHARED_ROOT", long_root.c_str(), 1);
    Register((uintptr_t)block, shim_max_items() + 1, 0x10000000);
    uintptr_t next = Next((uintptr_t)block);
    ASSERT_NE(next, 0u);
    EXPECT_EQ(MappedPathAt(getpid(), next), "");
    EXPECT_EQ(Word(next), next);
}
}  // namespace
