#include <gtest/gtest.h>

extern "C" {
#include "pure/address_range.h"
}

namespace {
constexpr size_t kGranule = 0x10000;

uintptr_t Best(uintptr_t gap_start, uintptr_t gap_end, uintptr_t min, uintptr_t max, size_t size, uintptr_t target) {
    uintptr_t out = 0;
    EXPECT_TRUE(range_best_start(gap_start, gap_end, min, max, size, kGranule, target, &out));
    return out;
}

bool Any(uintptr_t gap_start, uintptr_t gap_end, uintptr_t min, uintptr_t max, size_t size) {
    uintptr_t out;
    return range_best_start(gap_start, gap_end, min, max, size, kGranule, (min + max) / 2, &out);
}
}  // namespace

TEST(AddressRange, RoundingIsToPowersOfTwo) {
    EXPECT_EQ(range_round_down(0x12345, 0x1000), 0x12000u);
    uintptr_t up = 0;
    EXPECT_TRUE(range_round_up(0x12345, 0x1000, &up));
    EXPECT_EQ(up, 0x13000u);
    EXPECT_TRUE(range_round_up(0x12000, 0x1000, &up));
    EXPECT_EQ(up, 0x12000u);
    EXPECT_FALSE(range_round_up(UINTPTR_MAX - 5, 0x1000, &up));
}

TEST(AddressRange, SaturatingArithmetic) {
    EXPECT_EQ(range_saturating_add(UINTPTR_MAX - 1, 5), UINTPTR_MAX);
    EXPECT_EQ(range_saturating_add(10, 5), 15u);
    EXPECT_EQ(range_saturating_sub(3, 5), 0u);
    EXPECT_EQ(range_saturating_sub(9, 5), 4u);
    EXPECT_EQ(range_midpoint(0, UINTPTR_MAX), UINTPTR_MAX / 2);
    EXPECT_EQ(range_distance(7, 10), 3u);
    EXPECT_EQ(range_distance(10, 7), 3u);
}

TEST(AddressRange, GapOutsideTheRequestHasNoCandidate) {
    EXPECT_FALSE(Any(200001, 250001, 100000, 200000, 30000));
}

TEST(AddressRange, BufferBiggerThanGapHasNoCandidate) {
    EXPECT_FALSE(Any(100000, 130000, 100000, 200000, 50000));
}

TEST(AddressRange, TargetInsideGapPicksTheNearestGranule) {
    // Gap 0x100000..0x900000, request everything, size one granule: the buffer middle nearest
    // 0x438000 is the buffer at 0x430000 (middle 0x438000).
    EXPECT_EQ(Best(0x100000, 0x900000, 0, UINTPTR_MAX, kGranule, 0x438000), 0x430000u);
    // Middle between two granules rounds down on a tie, up past it.
    EXPECT_EQ(Best(0x100000, 0x900000, 0, UINTPTR_MAX, kGranule, 0x440000), 0x430000u);
    EXPECT_EQ(Best(0x100000, 0x900000, 0, UINTPTR_MAX, kGranule, 0x449000), 0x440000u);
}

TEST(AddressRange, TargetBelowGapPicksTheGapStartRoundedUp) {
    EXPECT_EQ(Best(0x123456, 0x900000, 0, UINTPTR_MAX, kGranule, 0x1000), 0x130000u);
}

TEST(AddressRange, TargetAboveGapPicksTheLastFittingStart) {
    EXPECT_EQ(Best(0x100000, 0x987654, 0, UINTPTR_MAX, 0x20000, UINTPTR_MAX), 0x960000u);
}

TEST(AddressRange, RequestMinimumRaisesTheStart) {
    EXPECT_EQ(Best(0x100000, 0x900000, 0x345678, UINTPTR_MAX, kGranule, 0), 0x350000u);
}

TEST(AddressRange, RequestMaximumIsTheLastByteTheBufferMayUse) {
    // The buffer's last byte, start + size - 1, must be at or below max.
    EXPECT_EQ(Best(0x100000, 0x900000, 0, 0x47FFFF, kGranule, UINTPTR_MAX), 0x470000u);
    EXPECT_EQ(Best(0x100000, 0x900000, 0, 0x480005, kGranule, UINTPTR_MAX), 0x470000u);
    EXPECT_EQ(Best(0x100000, 0x900000, 0, 0x47FFFE, kGranule, UINTPTR_MAX), 0x460000u);
}

TEST(AddressRange, RangeOfExactlyOneBufferFits) {
    EXPECT_EQ(Best(0x100000, 0x900000, 0x470000, 0x47FFFF, kGranule, 0), 0x470000u);
    EXPECT_FALSE(Any(0x100000, 0x900000, 0x470000, 0x47FFFE, kGranule));
}

TEST(AddressRange, ExactFitGapIsUsed) {
    // A free gap of exactly one buffer (the reference implementations lose it by one byte).
    EXPECT_EQ(Best(0x20000, 0x30000, 0, UINTPTR_MAX, kGranule, 0), 0x20000u);
    EXPECT_FALSE(Any(0x20000, 0x2FFFF, 0, UINTPTR_MAX, kGranule));
}

TEST(AddressRange, UnalignedGapTooSmallAfterRounding) {
    // 0x18000 bytes free, but from 0x21000 the first granule start is 0x30000 and 0x40000 > 0x39000.
    EXPECT_FALSE(Any(0x21000, 0x39000, 0, UINTPTR_MAX, kGranule));
}

TEST(AddressRange, TopOfAddressSpaceDoesNotOverflow) {
    uintptr_t top = UINTPTR_MAX - 0xFFFF;  // the last granule starts here
    EXPECT_EQ(Best(top - 0x40000, UINTPTR_MAX, 0, UINTPTR_MAX, kGranule, UINTPTR_MAX), top - 0x10000);
    uintptr_t out;
    EXPECT_FALSE(range_best_start(UINTPTR_MAX - 5, UINTPTR_MAX, 0, UINTPTR_MAX, kGranule, kGranule, 0, &out));
}

TEST(AddressRange, DegenerateInputsHaveNoCandidate) {
    uintptr_t out;
    EXPECT_FALSE(range_best_start(0x10000, 0x90000, 0, UINTPTR_MAX, 0, kGranule, 0, &out));
    EXPECT_FALSE(range_best_start(0x10000, 0x90000, 0, UINTPTR_MAX, kGranule, 0, 0, &out));
    EXPECT_FALSE(range_best_start(0x90000, 0x10000, 0, UINTPTR_MAX, kGranule, kGranule, 0, &out));
    EXPECT_FALSE(range_best_start(0x10000, 0x90000, 0x50000, 0x40000, kGranule, kGranule, 0, &out));
}
