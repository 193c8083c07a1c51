// Linux x86-64: the chain of another process seen from outside (buffers_process_get_buffer;
// docs/external.md): a full chain extended for the target, and further locators the target keeps
// in private memory, walked past but never locked.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "process_buffers_child.h"

namespace {

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

// A writer that ended after the target mapped the further locator it was making, but before it linked
// it (docs/external.md, "A writer that dies"), leaves a whole, empty locator file mapped in the target
// under the name the next extension needs: that extension links it instead of failing on a file "in
// use".
TEST_F(ProcessBuffers, AFurtherLocatorLeftUnlinkedByAWriterThatEndedIsLinkedNotInTheWay) {
    Child target({PROCESS_BUFFERS_PEER_PATH, "target", "1", "1", std::to_string(2 * kItemsPerLocator)}, "document");
    ASSERT_GT(target.pid, 0);
    ASSERT_EQ(target.Lines("ready").back(), "ready document\n");
    std::vector<ChainLocator> chain = ReadChain(target.pid);
    ASSERT_EQ(chain.size(), 2u);
    vmem_shared made;
    uintptr_t unlinked = 0;
    ASSERT_EQ(vmem_shared_create_in_other((uint32_t)target.pid, FurtherLocatorName(target.pid, chain[1].address).c_str(),
                                          4096, &made, &unlinked), 0) << made.where;
    vmem_shared_close(&made, true);   // as a writer killed right after the session: nothing more written
    vmem_shared_close_other(&made);
    buffers_process *process = nullptr;
    ASSERT_EQ(buffers_process_open((uint32_t)target.pid, &process), BUFFERS_OK) << buffers_last_error();
    buffers_search_settings settings = {0, kTwoGiB, 64};
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_process_get_buffer(process, &settings, &item), BUFFERS_OK) << buffers_last_error();
    chain = ReadChain(target.pid);
    ASSERT_EQ(chain.size(), 3u);
    EXPECT_EQ(chain[2].address, unlinked);
    EXPECT_EQ(LocatorOf(chain, buffers_item_base_address(item)), 2);
    buffers_item_release(item);
    buffers_process_close(process);
    std::vector<Record> own;   // and the target's own library goes on in that locator
    ASSERT_NO_FATAL_FAILURE(RunOneTargetRound(&target, &own));
    EXPECT_EQ(LocatorOf(ReadChain(target.pid), own[0].address), 2);
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

}  // namespace
