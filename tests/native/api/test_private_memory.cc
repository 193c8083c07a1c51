// Private allocations: placement, rounding, freeing, and what is refused.
#include <gtest/gtest.h>

#include <cstring>

#include "test_shim.h"
#include "test_support.h"

extern "C" {
#include "os/vmem.h"
}

namespace {
void ExpectUsable(const buffers_private_allocation &block) {
    auto *bytes = reinterpret_cast<volatile uint8_t *>(block.base_address);
    bytes[0] = 0xA5;
    bytes[block.size - 1] = 0x5A;
    EXPECT_EQ(bytes[0], 0xA5);
    EXPECT_EQ(bytes[block.size - 1], 0x5A);
}
}  // namespace

TEST(PrivateMemory, InTheFirstTwoGiB) {
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.max_address = kTwoGiB;
    a.size = 100;
    buffers_private_allocation block;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
    EXPECT_NE(block.base_address, 0u);
    EXPECT_EQ(block.size, buffers_allocation_granularity()) << "rounded up to the granularity";
    EXPECT_LE(block.base_address + block.size - 1, kTwoGiB);
    EXPECT_EQ(block.base_address % buffers_allocation_granularity(), 0u);
    EXPECT_NE(block.process_id, 0u);
    ExpectUsable(block);
    EXPECT_EQ(buffers_free_private_memory(&block), BUFFERS_OK);
    EXPECT_EQ(block.base_address, 0u) << "zeroed after freeing";
}

TEST(PrivateMemory, NearTheTopOfTheAddressSpace) {
    uintptr_t top = buffers_max_address();
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.min_address = top - 0x40000000;   // the highest GiB user code may map
    a.max_address = top;
    a.size = 3 * buffers_allocation_granularity();
    buffers_private_allocation block;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
    EXPECT_GE(block.base_address, a.min_address);
    EXPECT_LE(block.base_address + block.size - 1, top);
    EXPECT_EQ(block.size, a.size);
    ExpectUsable(block);
    EXPECT_EQ(buffers_free_private_memory(&block), BUFFERS_OK);
}

TEST(PrivateMemory, IsPlacedNearTheMiddleOfTheRange) {
    uintptr_t target = reinterpret_cast<uintptr_t>(&ExpectUsable);
    buffers_allocator_settings a = buffers_allocator_settings_from_proximity(kTwoGiB, target, 4096);
    buffers_private_allocation block;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
    // The allocator aims at the middle of [min, max]: the target itself unless the window was cut at
    // an end of the address space (on 32-bit, where the code sits near the top).
    uintptr_t middle = a.min_address + (a.max_address - a.min_address) / 2;
    uintptr_t distance = block.base_address > middle ? block.base_address - middle : middle - block.base_address;
    // The code segment of this test binary is a few MiB; free space begins right after it.
    EXPECT_LT(distance, (uintptr_t)256 << 20) << "placed near the target, not at the low edge of the window";
    EXPECT_EQ(buffers_free_private_memory(&block), BUFFERS_OK);
}

TEST(PrivateMemory, SecondFreeIsRefused) {
    buffers_allocator_settings a = buffers_allocator_settings_default();
    buffers_private_allocation block;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK);
    ASSERT_EQ(buffers_free_private_memory(&block), BUFFERS_OK);
    ExpectFailure(buffers_free_private_memory(&block), BUFFERS_ERROR_INVALID_ARGUMENT, "already freed");
}

TEST(PrivateMemory, AnotherProcessIsUnsupportedOffWindows) {
    if (vmem_supports_other_processes()) GTEST_SKIP() << "this OS can (test_windows_process.cc)";
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.target_process_id = 1;
    buffers_private_allocation block;
    ExpectFailure(buffers_allocate_private_memory(&a, &block), BUFFERS_ERROR_UNSUPPORTED, "pid 1");
}

TEST(PrivateMemory, OwnProcessIdMeansThisProcess) {
    buffers_allocator_settings a = buffers_allocator_settings_default();
    buffers_private_allocation block;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK);
    uint32_t own = block.process_id;
    ASSERT_EQ(buffers_free_private_memory(&block), BUFFERS_OK);
    a.target_process_id = own;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(block.process_id, own);
    EXPECT_EQ(buffers_free_private_memory(&block), BUFFERS_OK);
}

TEST(PrivateMemory, SizeThatCannotBeRoundedIsRefused) {
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.size = 0xFFFFFFFFu;
    buffers_private_allocation block;
    ExpectFailure(buffers_allocate_private_memory(&a, &block), BUFFERS_ERROR_INVALID_ARGUMENT, "does not fit 32 bits");
}

TEST(PrivateMemory, ExactFitBetweenTwoReservationsIsFound) {
    // Reserve three granules, free the middle one, then ask for exactly that hole.
    uint32_t g = buffers_allocation_granularity();
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.min_address = 0x38000000;
    a.max_address = 0x38000000 + 64 * (uintptr_t)g;
    a.size = g;
    buffers_private_allocation left, middle, right;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &middle), BUFFERS_OK);
    buffers_allocator_settings around = a;
    around.min_address = middle.base_address - g;
    around.max_address = middle.base_address;
    ASSERT_EQ(buffers_allocate_private_memory(&around, &left), BUFFERS_OK) << buffers_last_error();
    around.min_address = middle.base_address + g;
    around.max_address = middle.base_address + 2 * (uintptr_t)g;
    ASSERT_EQ(buffers_allocate_private_memory(&around, &right), BUFFERS_OK) << buffers_last_error();
    uintptr_t hole = middle.base_address;
    ASSERT_EQ(buffers_free_private_memory(&middle), BUFFERS_OK);
    around.min_address = left.base_address;
    around.max_address = right.base_address + g;
    ASSERT_EQ(buffers_allocate_private_memory(&around, &middle), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(middle.base_address, hole);
    for (auto *b : {&left, &middle, &right}) EXPECT_EQ(buffers_free_private_memory(b), BUFFERS_OK);
}

namespace {
constexpr uintptr_t kWindow = 64u << 20;

// The middle of a 64 MiB window below 2 GiB that is free right now (reserved, then released):
// fixed addresses are not free everywhere (wine32 keeps large areas reserved).
uintptr_t FreeWindowMiddle() {
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.max_address = kTwoGiB;
    a.size = kWindow;
    buffers_private_allocation window;
    EXPECT_EQ(buffers_allocate_private_memory(&a, &window), BUFFERS_OK) << buffers_last_error();
    uintptr_t middle = window.base_address + window.size / 2;
    EXPECT_EQ(buffers_free_private_memory(&window), BUFFERS_OK);
    return middle;
}

// Makes the allocator's "beside the last reservation" hint point somewhere at or above `above`.
void MoveTheLastReservationHint(uintptr_t above) {
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.min_address = above;
    buffers_private_allocation elsewhere;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &elsewhere), BUFFERS_OK) << buffers_last_error();
    ASSERT_EQ(buffers_free_private_memory(&elsewhere), BUFFERS_OK);
}
}  // namespace

TEST(PrivateMemory, FreeSpaceNextToTheTargetNeedsNoMemoryMapRead) {
    uintptr_t middle = FreeWindowMiddle();
    ASSERT_NE(middle, 0u);
    buffers_allocator_settings a = buffers_allocator_settings_from_proximity(kWindow / 2, middle, 4096);
    unsigned long walks = shim_allocator_walk_count();
    buffers_private_allocation block;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(shim_allocator_walk_count(), walks) << "read the memory map although the middle was free";
    uintptr_t centre = block.base_address + block.size / 2;
    EXPECT_LE(centre > middle ? centre - middle : middle - centre, block.size / 2) << "centred on the target";
    // The next one goes beside it, still without a walk.
    buffers_private_allocation second;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &second), BUFFERS_OK);
    EXPECT_EQ(shim_allocator_walk_count(), walks);
    uintptr_t gap = second.base_address > block.base_address ? second.base_address - block.base_address
                                                              : block.base_address - second.base_address;
    EXPECT_EQ(gap, block.size) << "adjacent to the first";
    EXPECT_EQ(buffers_free_private_memory(&second), BUFFERS_OK);
    EXPECT_EQ(buffers_free_private_memory(&block), BUFFERS_OK);
}

TEST(PrivateMemory, OccupiedMiddleFallsBackToTheWalk) {
    uintptr_t middle = FreeWindowMiddle();
    ASSERT_NE(middle, 0u);
    uint32_t g = buffers_allocation_granularity();
    // Occupy 256 granules around the middle so every probe ring (up to 64 sizes away) hits memory.
    buffers_allocator_settings wall = buffers_allocator_settings_from_proximity(128 * (uintptr_t)g, middle, 256 * g);
    buffers_private_allocation blocker;
    ASSERT_EQ(buffers_allocate_private_memory(&wall, &blocker), BUFFERS_OK) << buffers_last_error();
    MoveTheLastReservationHint(middle + kWindow);
    buffers_allocator_settings a = buffers_allocator_settings_from_proximity(kWindow / 2, middle, g);
    unsigned long walks = shim_allocator_walk_count();
    buffers_private_allocation block;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
    EXPECT_GT(shim_allocator_walk_count(), walks);
    bool just_outside = block.base_address + block.size == blocker.base_address ||
                        block.base_address == blocker.base_address + blocker.size;
    EXPECT_TRUE(just_outside) << "the nearest free granule to the target is beside the wall: got " << std::hex
                              << block.base_address << ", wall " << blocker.base_address << "+" << blocker.size
                              << ", target " << middle;
    EXPECT_EQ(buffers_free_private_memory(&block), BUFFERS_OK);
    EXPECT_EQ(buffers_free_private_memory(&blocker), BUFFERS_OK);
}
