// The chain rules' walk (core/chain.h), as both wings use it, over a chain planted in memory: which
// locators a registration or a search passes over (full ones, those without a view), where the walk
// stops (a locator it may not touch), and how a full chain is extended (once per need, bounded).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "test_shim.h"

namespace {
struct alignas(64) Block {
    unsigned char bytes[4096];
};

constexpr size_t kPointer = sizeof(void *);

class ChainWalk : public ::testing::Test {
  protected:
    // A chain of count locators, linked in order; full[i] fills locator i (its count, nothing else).
    void Plant(const std::vector<bool> &full) {
        blocks.reset(new Block[full.size() + kSpares]);
        for (size_t i = 0; i < full.size() + kSpares; i++)
            shim_locator_initialize(At(i), (uintptr_t)At(i), 4096, false);
        for (size_t i = 0; i + 1 < full.size(); i++) {
            uintptr_t next = (uintptr_t)At(i + 1);
            std::memcpy(At(i)->bytes + kPointer, &next, sizeof next);
        }
        for (size_t i = 0; i < full.size(); i++)
            if (full[i]) Fill(At(i));
        for (size_t i = 0; i < kSpares; i++) spare[i] = At(full.size() + i);
        plan = shim_planted_walk{0, -1, spare, kSpares, 0, 0, false, 0};
    }
    static void Fill(Block *block) {
        block->bytes[2 * kPointer + 5] = (unsigned char)shim_max_items();   // the count at 21 (32-bit: 13)
        block->bytes[2 * kPointer + 7] = (unsigned char)shim_max_items();   // and where C# keeps it
    }
    Block *At(size_t i) { return &blocks[i]; }
    bool Inside(void *item, size_t i) {
        return (uintptr_t)item > (uintptr_t)At(i) && (uintptr_t)item < (uintptr_t)At(i) + 4096;
    }
    buffers_status Register(void **item) { return shim_chain_register_planted(At(0), &plan, 0x40000000, 0x1000, item); }

    static constexpr unsigned kSpares = 9;
    std::unique_ptr<Block[]> blocks;
    void *spare[kSpares];
    shim_planted_walk plan;
};

TEST_F(ChainWalk, ARegistrationPassesOverFullLocatorsAndThoseWithoutAView) {
    Plant({true, false, false});
    plan.viewless = 1u << 1;
    void *item = nullptr;
    ASSERT_EQ(Register(&item), BUFFERS_OK) << buffers_last_error();
    EXPECT_TRUE(Inside(item, 2)) << "the first locator with a view and a free slot";
    EXPECT_EQ(plan.index, 2u);
    EXPECT_EQ(shim_locator_item_count(At(1)), 0u) << "a locator without a view is never written";
    EXPECT_EQ(plan.made, 0u);
}

TEST_F(ChainWalk, AChainEndingInALocatorWithoutAViewIsNotExtendedFromHere) {
    Plant({true, false});
    plan.viewless = 1u << 1;
    void *item = nullptr;
    ASSERT_EQ(Register(&item), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(item, nullptr) << "the caller names the refusal";
    EXPECT_EQ(plan.index, 1u) << "left at the chain's last locator";
    EXPECT_EQ(plan.made, 0u);
    EXPECT_EQ(shim_locator_next(At(1)), nullptr);
}

TEST_F(ChainWalk, ALocatorThatMayNotBeTouchedStopsTheWalk) {
    Plant({true, false});
    plan.broken_at = 1;
    void *item = nullptr;
    EXPECT_EQ(Register(&item), BUFFERS_ERROR_LOCATOR);
    EXPECT_EQ(item, nullptr);
    EXPECT_NE(std::string(buffers_last_error()).find("planted as not to be touched"), std::string::npos)
        << buffers_last_error();
    EXPECT_EQ(shim_locator_item_count(At(1)), 0u) << "nothing written into it";
    EXPECT_EQ(shim_chain_find_planted(At(0), &plan, 16, 0, UINTPTR_MAX, &item), BUFFERS_ERROR_LOCATOR);
}

TEST_F(ChainWalk, AFullChainIsExtendedOnceAndTheWalkGoesOnIntoTheNewLocator) {
    Plant({true, true});
    void *item = nullptr;
    ASSERT_EQ(Register(&item), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(plan.made, 1u);
    EXPECT_EQ(plan.after_calls, 1u) << "the maker hears when the header lock is let go";
    EXPECT_EQ(shim_locator_next(At(1)), spare[0]) << "chained after the last locator";
    EXPECT_EQ(plan.index, 2u);
    EXPECT_TRUE((uintptr_t)item > (uintptr_t)spare[0] && (uintptr_t)item < (uintptr_t)spare[0] + 4096);
}

TEST_F(ChainWalk, ExtensionsThatOthersFillAtOnceAreBounded) {
    Plant({true});
    plan.made_full = true;
    void *item = nullptr;
    EXPECT_EQ(Register(&item), BUFFERS_ERROR_NO_SPACE);
    EXPECT_EQ(item, nullptr);
    EXPECT_EQ(plan.made, 8u) << "never more than 8 extensions in one call";
    EXPECT_NE(std::string(buffers_last_error()).find("filled up again each of the 8 times"), std::string::npos)
        << buffers_last_error();
}

TEST_F(ChainWalk, ASearchLocksOnlyInLocatorsWithAView) {
    Plant({false, false});
    void *first = nullptr, *second = nullptr;
    ASSERT_EQ(shim_locator_register(At(0), 0x50000000, 0x1000, &first), BUFFERS_OK);
    shim_item_unlock(first);
    ASSERT_EQ(shim_locator_register(At(1), 0x50000000, 0x1000, &second), BUFFERS_OK);
    shim_item_unlock(second);
    plan.viewless = 1u << 0;
    void *found = nullptr;
    ASSERT_EQ(shim_chain_find_planted(At(0), &plan, 16, 0x50000000, 0x50000fff, &found), BUFFERS_OK);
    EXPECT_EQ(found, second) << "the fitting item without a view is passed over";
    EXPECT_EQ(plan.index, 1u);
    ASSERT_EQ(shim_chain_find_planted(At(0), &plan, 16, 0x50000000, 0x50000fff, &found), BUFFERS_OK);
    EXPECT_EQ(found, nullptr) << "the only lockable one is held now";
    shim_item_unlock(second);
}
}  // namespace
