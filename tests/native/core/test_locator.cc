// The locator's binary format, checked byte by byte at the offsets of SPEC.md, and its operations
// on a block of test memory.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "test_shim.h"

namespace {
constexpr bool k64 = sizeof(void *) == 8;
constexpr size_t kPointer = sizeof(void *);
constexpr size_t kHeader = k64 ? 24 : 16;
constexpr size_t kItem = k64 ? 20 : 16;
constexpr size_t kTaken = k64 ? 8 : 4, kSize = k64 ? 12 : 8, kPosition = k64 ? 16 : 12;

template <typename T>
T Read(const unsigned char *block, size_t offset) {
    T value;
    std::memcpy(&value, block + offset, sizeof value);
    return value;
}

uintptr_t ReadPointer(const unsigned char *block, size_t offset) {
    return k64 ? (uintptr_t)Read<uint64_t>(block, offset) : (uintptr_t)Read<uint32_t>(block, offset);
}

size_t ItemAt(size_t index) { return kHeader + index * kItem; }

// 64 KiB of page-aligned memory (the mapping size on Windows), freed at the end.
struct Block {
    std::vector<unsigned char> storage = std::vector<unsigned char>(0x10000 + 4096);
    unsigned char *data = reinterpret_cast<unsigned char *>(((uintptr_t)storage.data() + 4095) & ~(uintptr_t)4095);
};
}  // namespace

TEST(LocatorFormat, SizesMatchTheSpecification) {
    EXPECT_EQ(shim_locator_size(), 4096u);
    EXPECT_EQ(shim_header_size(), kHeader);
    EXPECT_EQ(shim_item_size(), kItem);
    EXPECT_EQ(shim_max_items(), k64 ? 203u : 255u);
    EXPECT_EQ(shim_max_items(), (4096 - kHeader) / kItem);
}

TEST(LocatorFormat, HeaderFieldsSitAtTheirOffsets) {
    Block block;
    std::memset(block.data, 0xEE, 4096);
    shim_locator_initialize(block.data, 0x12345678, 4096, true);
    EXPECT_EQ(ReadPointer(block.data, 0), (uintptr_t)0x12345678);          // this address
    EXPECT_EQ(ReadPointer(block.data, kPointer), 0u);                       // next locator
    EXPECT_EQ(Read<uint32_t>(block.data, 2 * kPointer), 0u);                // lock
    EXPECT_EQ(block.data[2 * kPointer + 4], 0u);                            // flags: version 0
    EXPECT_EQ(block.data[2 * kPointer + 5], 0u);                            // item count
    EXPECT_EQ(Read<uint16_t>(block.data, 2 * kPointer + 6), 0u);            // reserved
    EXPECT_EQ(block.data[4095], 0u) << "the whole block is cleared";
}

// Version 0 is read; the high 5 bits of flags are reserved and do not change it; any other low 3 bits
// are a version this library refuses (by the finder and by the remote wing alike).
TEST(LocatorFormat, OnlyVersionZeroIsReadable) {
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 4096, false);
    unsigned version = 99;
    EXPECT_TRUE(shim_locator_version_readable(block.data, &version));
    EXPECT_EQ(version, 0u);
    block.data[2 * kPointer + 4] = 0xF8;   // reserved bits only
    EXPECT_TRUE(shim_locator_version_readable(block.data, &version));
    block.data[2 * kPointer + 4] = 0x01;
    EXPECT_FALSE(shim_locator_version_readable(block.data, &version));
    EXPECT_EQ(version, 1u);
}

TEST(LocatorFormat, TheFirstLocatorIsNamedAfterThePid) {
    char name[96];
    ASSERT_TRUE(shim_locator_first_name(name, sizeof name, 4294967295u));
    EXPECT_STREQ(name, "Reloaded.Memory.Buffers.MemoryBuffer, PID 4294967295");
    EXPECT_FALSE(shim_locator_first_name(name, 20, 1234)) << "a cut name is reported";
}

TEST(LocatorFormat, ItemFieldsSitAtTheirOffsets) {
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 4096, false);
    void *first = nullptr, *second = nullptr;
    ASSERT_EQ(shim_locator_register(block.data, 0x40000000, 0x3000, &first), BUFFERS_OK);
    ASSERT_EQ(shim_locator_register(block.data, 0x50000000, 0x5000, &second), BUFFERS_OK);
    EXPECT_EQ(first, block.data + ItemAt(0));
    EXPECT_EQ(second, block.data + ItemAt(1));
    EXPECT_EQ(block.data[2 * kPointer + 5], 2u);                            // item count
    EXPECT_EQ(ReadPointer(block.data, ItemAt(1)), (uintptr_t)0x50000000);  // base (4-aligned on 64-bit)
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(1) + kTaken), 1u);          // registered locked
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(1) + kSize), 0x5000u);
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(1) + kPosition), 0u);
    shim_item_unlock(second);
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(1) + kTaken), 0u);
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(0) + kSize), 0x3000u);
}

TEST(LocatorFormat, SixtyFourKibMappingIsCutIntoChunksAtDistinctAddresses) {
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 0x10000, true);
    ASSERT_EQ(block.data[2 * kPointer + 5], 4u);
    const uintptr_t base = (uintptr_t)block.data;
    const uintptr_t offsets[] = {0x1000, 0x5000, 0x9000, 0xD000};
    const uint32_t sizes[] = {16384, 16384, 16384, 12288};
    for (size_t i = 0; i < 4; i++) {
        EXPECT_EQ(ReadPointer(block.data, ItemAt(i)), base + offsets[i]) << i;
        EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(i) + kSize), sizes[i]) << i;
        EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(i) + kTaken), 0u) << i;
    }
}

TEST(LocatorFormat, NonExecutableMappingRegistersNoChunks) {
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 0x10000, false);
    EXPECT_EQ(block.data[2 * kPointer + 5], 0u);
}

TEST(Locator, CanUseNeedsTheWholeBufferInRangeAndTheFreePartAboveMin) {
    // Both ends of [min, max] are inclusive: the buffer [0x100000, 0x101000) fits [0x100000, 0x100FFF].
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 4096, false);
    void *item;
    ASSERT_EQ(shim_locator_register(block.data, 0x100000, 0x1000, &item), BUFFERS_OK);
    EXPECT_TRUE(shim_item_can_use(item, 0x1000, 0x100000, 0x100FFF));
    EXPECT_FALSE(shim_item_can_use(item, 0x1001, 0, UINTPTR_MAX));            // not enough bytes
    EXPECT_FALSE(shim_item_can_use(item, 0x10, 0x100001, UINTPTR_MAX));       // free part below min
    EXPECT_FALSE(shim_item_can_use(item, 0x10, 0, 0x100FFE));                 // last byte above max
}

TEST(Locator, FindLocksTheFirstFitAndSkipsTakenItems) {
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 4096, false);
    void *a, *b;
    ASSERT_EQ(shim_locator_register(block.data, 0x100000, 0x1000, &a), BUFFERS_OK);
    ASSERT_EQ(shim_locator_register(block.data, 0x200000, 0x1000, &b), BUFFERS_OK);
    EXPECT_EQ(shim_locator_find(block.data, 16, 0, UINTPTR_MAX), nullptr) << "both are still locked";
    shim_item_unlock(b);
    EXPECT_EQ(shim_locator_find(block.data, 16, 0, UINTPTR_MAX), b);
    EXPECT_EQ(shim_locator_find(block.data, 16, 0, UINTPTR_MAX), nullptr) << "b is locked by the find";
    shim_item_unlock(a);
    shim_item_unlock(b);
    EXPECT_EQ(shim_locator_find(block.data, 16, 0x200000, UINTPTR_MAX), b) << "a is below min";
}

TEST(Locator, FullLocatorChainsANewOne) {
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 4096, false);
    const size_t max = shim_max_items();
    void *item = nullptr;
    for (size_t i = 0; i < max; i++) {
        ASSERT_EQ(shim_locator_register(block.data, 0x100000 + i * 0x1000, 0x1000, &item), BUFFERS_OK);
        shim_item_unlock(item);
    }
    EXPECT_EQ(shim_locator_next(block.data), nullptr);
    EXPECT_EQ(block.data[2 * kPointer + 5], (unsigned char)max);
    ASSERT_EQ(shim_locator_register(block.data, 0x900000, 0x1000, &item), BUFFERS_OK);
    auto *next = static_cast<unsigned char *>(shim_locator_next(block.data));
    ASSERT_NE(next, nullptr);
    EXPECT_EQ(ReadPointer(block.data, kPointer), (uintptr_t)next) << "linked through the header";
    EXPECT_EQ(ReadPointer(next, 0), (uintptr_t)next) << "a further locator records its own address";
    // A further locator is one allocation granule; past its first 4096 bytes it holds 16 KiB code
    // chunks (none with 4 KiB pages, four on Windows), so the new buffer follows them.
    const size_t chunks = (buffers_allocation_granularity() - 4096 + 16383) / 16384;
    EXPECT_EQ(item, next + ItemAt(chunks));
    EXPECT_EQ(ReadPointer(next, ItemAt(chunks)), (uintptr_t)0x900000);
    shim_item_unlock(item);
    // The scan continues into the chained locator (max keeps any code chunks out of the answer).
    EXPECT_EQ(shim_locator_find(block.data, 16, 0x900000, 0x901000), item);
}

// ---- Item layouts: the document's, upstream Rust v4's, and upstream C#'s count at offset 23 ----

namespace {
constexpr size_t kRustSize = k64 ? 8 : 4, kRustPosition = k64 ? 12 : 8, kRustTaken = k64 ? 16 : 12;
constexpr size_t kCount = 2 * kPointer + 5, kCountAt23 = 2 * kPointer + 7;

// Writes item index in Rust's layout by hand, as a Rust copy would, and sets the count at 21 only.
void WriteRustItem(unsigned char *block, size_t index, uintptr_t base, uint32_t size, uint32_t position,
                   uint32_t taken) {
    std::memcpy(block + ItemAt(index), &base, sizeof base);
    std::memcpy(block + ItemAt(index) + kRustSize, &size, 4);
    std::memcpy(block + ItemAt(index) + kRustPosition, &position, 4);
    std::memcpy(block + ItemAt(index) + kRustTaken, &taken, 4);
    block[kCount] = (unsigned char)(index + 1);
}
}  // namespace

TEST(LocatorLayout, CountIsWrittenAtOffsets21And23) {
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 4096, false);
    void *item;
    ASSERT_EQ(shim_locator_register(block.data, 0x100000, 0x1000, &item), BUFFERS_OK);
    EXPECT_EQ(block.data[kCount], 1u);
    EXPECT_EQ(block.data[kCountAt23], 1u) << "upstream C# reads the count here";
    EXPECT_EQ(block.data[2 * kPointer + 6], 0u) << "the byte between stays reserved";
}

TEST(LocatorLayout, TheLargerOfTheTwoCountsIsRead) {
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 4096, false);
    block.data[kCountAt23] = 3;   // a C# copy registered three items
    EXPECT_EQ(shim_locator_item_count(block.data), 3u);
    block.data[kCount] = 5;
    EXPECT_EQ(shim_locator_item_count(block.data), 5u);
    block.data[kCountAt23] = 255;   // garbage above the maximum (203 on 64-bit) is clamped
    EXPECT_EQ(shim_locator_item_count(block.data), shim_max_items());
}

TEST(LocatorLayout, RegisteringAfterACSharpCopyAppendsAfterItsItems) {
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 4096, false);
    void *item;
    ASSERT_EQ(shim_locator_register(block.data, 0x100000, 0x1000, &item), BUFFERS_OK);
    block.data[kCountAt23] = 2;   // C# added item 1 and bumped only its count
    ASSERT_EQ(shim_locator_register(block.data, 0x300000, 0x1000, &item), BUFFERS_OK);
    EXPECT_EQ(item, block.data + ItemAt(2));
    EXPECT_EQ(block.data[kCount], 3u);
    EXPECT_EQ(block.data[kCountAt23], 3u);
}

TEST(LocatorLayout, RustLayoutPutsTakenLast) {
    Block block;
    shim_locator_initialize_in(block.data, (uintptr_t)block.data, 4096, false, true);
    void *item;
    ASSERT_EQ(shim_locator_register_in(block.data, true, 0x40000000, 0x3000, &item), BUFFERS_OK);
    EXPECT_EQ(ReadPointer(block.data, ItemAt(0)), (uintptr_t)0x40000000);
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(0) + kRustSize), 0x3000u);
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(0) + kRustPosition), 0u);
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(0) + kRustTaken), 1u);
    shim_item_unlock_in(item, true);
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(0) + kRustTaken), 0u);
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(0) + kRustSize), 0x3000u) << "unlock leaves the size alone";
}

TEST(LocatorLayout, RustMadeChunksAreInRustsLayout) {
    Block block;
    shim_locator_initialize_in(block.data, (uintptr_t)block.data, 0x10000, true, true);
    ASSERT_EQ(block.data[kCount], 4u);
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(0) + kRustSize), 16384u);
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(0) + kRustTaken), 0u);
    EXPECT_EQ(shim_detect_layout(block.data, 4096), SHIM_DETECTED_RUST);
}

TEST(LocatorLayout, DetectionReadsTheWordAtOffset8) {
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 4096, false);
    EXPECT_EQ(shim_detect_layout(block.data, 4096), SHIM_DETECTED_EMPTY);
    void *item;
    ASSERT_EQ(shim_locator_register(block.data, 0x100000, 0x1000, &item), BUFFERS_OK);   // taken 1
    ASSERT_EQ(shim_locator_register(block.data, 0x200000, 0x1000, &item), BUFFERS_OK);
    shim_item_unlock(item);                                                                // taken 0
    EXPECT_EQ(shim_detect_layout(block.data, 4096), SHIM_DETECTED_DOCUMENT);

    Block rust;
    shim_locator_initialize(rust.data, (uintptr_t)rust.data, 4096, false);
    WriteRustItem(rust.data, 0, 0x100000, 0x1000, 0x10, 1);
    WriteRustItem(rust.data, 1, 0x200000, 0x10000, 0, 0);
    EXPECT_EQ(shim_detect_layout(rust.data, 4096), SHIM_DETECTED_RUST);
    EXPECT_EQ(shim_detect_layout(rust.data, 0x2000), SHIM_DETECTED_MIXED) << "0x1000 is below a 0x2000 page";

    Block mixed;
    shim_locator_initialize(mixed.data, (uintptr_t)mixed.data, 4096, false);
    ASSERT_EQ(shim_locator_register(mixed.data, 0x100000, 0x1000, &item), BUFFERS_OK);
    WriteRustItem(mixed.data, 1, 0x200000, 0x1000, 0, 0);
    EXPECT_EQ(shim_detect_layout(mixed.data, 4096), SHIM_DETECTED_MIXED);
    WriteRustItem(mixed.data, 1, 0x200000, 7, 0, 0);   // neither a flag nor a page-sized size
    EXPECT_EQ(shim_detect_layout(mixed.data, 4096), SHIM_DETECTED_MIXED);
}

// The rule both wings settle a chain's layout by (core/chain.c): what the items show, else the
// caller's choice for an empty locator; a mix is refused, naming the locator as the caller does.
TEST(LocatorLayout, SettlingTakesTheItemsWordElseTheCallersChoiceAndRefusesAMix) {
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 4096, false);
    bool rust = false;
    ASSERT_EQ(shim_chain_settle_layout(block.data, true, "the locator here", &rust), BUFFERS_OK);
    EXPECT_TRUE(rust) << "empty: the caller's choice";
    ASSERT_EQ(shim_chain_settle_layout(block.data, false, "the locator here", &rust), BUFFERS_OK);
    EXPECT_FALSE(rust);
    void *item;
    ASSERT_EQ(shim_locator_register(block.data, 0x100000, 0x1000, &item), BUFFERS_OK);
    ASSERT_EQ(shim_chain_settle_layout(block.data, true, "the locator here", &rust), BUFFERS_OK);
    EXPECT_FALSE(rust) << "a document item outweighs the choice for an empty locator";
    WriteRustItem(block.data, 1, 0x200000, 0x1000, 0, 0);
    ASSERT_EQ(shim_chain_settle_layout(block.data, false, "the locator of process 42", &rust), BUFFERS_ERROR_LOCATOR);
    EXPECT_NE(std::string(buffers_last_error()).find("the locator of process 42 holds items in neither"),
              std::string::npos) << buffers_last_error();

    Block only_rust;
    shim_locator_initialize(only_rust.data, (uintptr_t)only_rust.data, 4096, false);
    WriteRustItem(only_rust.data, 0, 0x100000, 0x1000, 0, 0);
    ASSERT_EQ(shim_chain_settle_layout(only_rust.data, false, "the locator here", &rust), BUFFERS_OK);
    EXPECT_TRUE(rust);
}

TEST(LocatorLayout, AFindInRustsLayoutLocksTheRustTakenWord) {
    Block rust;
    shim_locator_initialize(rust.data, (uintptr_t)rust.data, 4096, false);
    WriteRustItem(rust.data, 0, 0x100000, 0x1000, 0xFF8, 0);   // 8 bytes left
    WriteRustItem(rust.data, 1, 0x200000, 0x1000, 0x10, 0);
    EXPECT_EQ(shim_locator_find_in(rust.data, true, 16, 0, UINTPTR_MAX), rust.data + ItemAt(1));
    EXPECT_EQ(Read<uint32_t>(rust.data, ItemAt(1) + kRustTaken), 1u);
    EXPECT_EQ(Read<uint32_t>(rust.data, ItemAt(1) + kRustSize), 0x1000u) << "the size was not taken for a lock";
    // Registering after Rust's items: Rust reads the new one (count at 21, taken last).
    void *item;
    ASSERT_EQ(shim_locator_register_in(rust.data, true, 0x300000, 0x2000, &item), BUFFERS_OK);
    EXPECT_EQ(rust.data[kCount], 3u);
    EXPECT_EQ(Read<uint32_t>(rust.data, ItemAt(2) + kRustSize), 0x2000u);
    EXPECT_EQ(Read<uint32_t>(rust.data, ItemAt(2) + kRustTaken), 1u);
}

// ---- The process-local index over an in-memory chain ----

TEST(ItemIndex, RefreshReadsOnlyNewItemsAndFollowsTheChain) {
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 4096, false);
    void *index = shim_index_create();
    void *item;
    ASSERT_EQ(shim_locator_register(block.data, 0x100000, 0x1000, &item), BUFFERS_OK);
    shim_item_unlock(item);
    ASSERT_EQ(shim_index_refresh(index, block.data, false), BUFFERS_OK);
    EXPECT_EQ(shim_index_count(index), 1u);
    for (size_t i = 1; i <= shim_max_items(); i++) {   // fills the first locator and chains a second
        ASSERT_EQ(shim_locator_register(block.data, 0x200000 + i * 0x1000, 0x1000, &item), BUFFERS_OK);
        shim_item_unlock(item);
    }
    ASSERT_EQ(shim_index_refresh(index, block.data, false), BUFFERS_OK);
    const size_t chunks = (buffers_allocation_granularity() - 4096 + 16383) / 16384;
    EXPECT_EQ(shim_index_count(index), shim_max_items() + 1 + chunks);
    void *entry = nullptr;
    EXPECT_EQ(shim_index_scan(index, false, 16, 0x200000 + shim_max_items() * 0x1000, 0x300000, &entry), 1);
    EXPECT_EQ(shim_index_entry_item(entry), item) << "the newest item, in the chained locator";
    shim_index_destroy(index);
}

TEST(ItemIndex, ScanSaysWhenOnlyAHeldBufferFits) {
    Block block;
    shim_locator_initialize_in(block.data, (uintptr_t)block.data, 4096, false, true);
    void *index = shim_index_create();
    void *item;
    ASSERT_EQ(shim_locator_register_in(block.data, true, 0x100000, 0x1000, &item), BUFFERS_OK);   // held
    ASSERT_EQ(shim_index_refresh(index, block.data, true), BUFFERS_OK);
    void *entry = nullptr;
    EXPECT_EQ(shim_index_scan(index, false, 16, 0, UINTPTR_MAX, &entry), 2);
    EXPECT_EQ(shim_index_scan(index, false, 16, 0x200000, UINTPTR_MAX, &entry), 0) << "outside the window";
    shim_item_unlock_in(item, true);
    EXPECT_EQ(shim_index_scan(index, false, 16, 0, UINTPTR_MAX, &entry), 1);
    EXPECT_EQ(shim_index_entry_item(entry), item);
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(0) + kRustTaken), 1u) << "locked through Rust's taken word";
    shim_index_destroy(index);
}

TEST(ItemIndex, NearlyFullBuffersLeaveTheOpenListButTheFullScanFindsThem) {
    Block rust;
    shim_locator_initialize(rust.data, (uintptr_t)rust.data, 4096, false);
    WriteRustItem(rust.data, 0, 0x100000, 0x1000, 0x1000 - 32, 0);   // 32 bytes left: below the low water
    void *index = shim_index_create();
    ASSERT_EQ(shim_index_refresh(index, rust.data, true), BUFFERS_OK);
    void *entry = nullptr;
    EXPECT_EQ(shim_index_scan(index, false, 16, 0, UINTPTR_MAX, &entry), 0);
    EXPECT_EQ(shim_index_scan(index, true, 16, 0, UINTPTR_MAX, &entry), 1);
    EXPECT_EQ(shim_index_entry_item(entry), rust.data + ItemAt(0));
    shim_index_destroy(index);
}

TEST(ItemIndex, AnItemInTheOtherLayoutIsNeitherLockedNorWaitedFor) {
    // A document-layout chain into which a Rust copy later wrote an item: its "taken" word (our
    // offset 8) holds Rust's size.
    Block block;
    shim_locator_initialize(block.data, (uintptr_t)block.data, 4096, false);
    void *item;
    ASSERT_EQ(shim_locator_register(block.data, 0x100000, 0x1000, &item), BUFFERS_OK);
    shim_item_unlock(item);
    WriteRustItem(block.data, 1, 0x200000, 0x1000, 0x10, 0);
    void *index = shim_index_create();
    ASSERT_EQ(shim_index_refresh(index, block.data, false), BUFFERS_OK);
    void *entry = nullptr;
    EXPECT_EQ(shim_index_scan(index, true, 1, 0x200000, UINTPTR_MAX, &entry), 0) << "not 'held': never waited for";
    EXPECT_EQ(Read<uint32_t>(block.data, ItemAt(1) + kTaken), 0x1000u) << "Rust's size untouched";
    shim_index_destroy(index);
}
