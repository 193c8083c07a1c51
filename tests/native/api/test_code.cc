// Code written into buffers runs, and overwriting it takes effect (instruction cache flushed).
#include <gtest/gtest.h>

#include <vector>

#include "test_support.h"

namespace {
// A function returning `value`, in the machine code of this build's architecture.
std::vector<uint8_t> ReturnConstant(uint32_t value) {
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
    return {0xB8, uint8_t(value), uint8_t(value >> 8), uint8_t(value >> 16), uint8_t(value >> 24), 0xC3};  // mov eax; ret
#elif defined(__aarch64__)
    uint32_t movz = 0x52800000u | ((value & 0xFFFF) << 5);           // movz w0, #lo
    uint32_t movk = 0x72A00000u | (((value >> 16) & 0xFFFF) << 5);   // movk w0, #hi, lsl 16
    uint32_t ret = 0xD65F03C0u;
    std::vector<uint8_t> code;
    for (uint32_t word : {movz, movk, ret})
        for (int i = 0; i < 4; i++) code.push_back(uint8_t(word >> (8 * i)));
    return code;
#else
#error "add the machine code of a constant-returning function for this architecture"
#endif
}

using Function = uint32_t (*)();
Function AsFunction(uintptr_t address) { return reinterpret_cast<Function>(address); }
}  // namespace

TEST(Code, AppendedCodeRuns) {
    buffers_search_settings s = {0, kTwoGiB, 64};
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_get_buffer_aligned(&s, 16, &item), BUFFERS_OK) << buffers_last_error();
    std::vector<uint8_t> code = ReturnConstant(0x12345678);
    uintptr_t at = buffers_item_append_code(item, code.data(), code.size());
    buffers_item_release(item);
    ASSERT_NE(at, 0u);
    EXPECT_EQ(AsFunction(at)(), 0x12345678u);
}

TEST(Code, OverwrittenCodeRunsTheNewVersion) {
    buffers_search_settings s = {0, kTwoGiB, 64};
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_get_buffer_aligned(&s, 16, &item), BUFFERS_OK);
    std::vector<uint8_t> first = ReturnConstant(1), second = ReturnConstant(0xBEEF);
    uintptr_t at = buffers_item_append_code(item, first.data(), first.size());
    buffers_item_release(item);
    ASSERT_NE(at, 0u);
    EXPECT_EQ(AsFunction(at)(), 1u);
    buffers_overwrite_allocated_code(second.data(), reinterpret_cast<void *>(at), second.size());
    EXPECT_EQ(AsFunction(at)(), 0xBEEFu);
}

TEST(Code, ProximityCodeRunsNearTheTarget) {
    uintptr_t target = reinterpret_cast<uintptr_t>(&AsFunction);
    buffers_search_settings s = buffers_search_settings_from_proximity(kTwoGiB, target, 32);
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_get_buffer(&s, &item), BUFFERS_OK);
    std::vector<uint8_t> code = ReturnConstant(77);
    uintptr_t at = buffers_item_append_code(item, code.data(), code.size());
    buffers_item_release(item);
    ASSERT_NE(at, 0u);
    EXPECT_LE(at > target ? at - target : target - at, kTwoGiB);
    EXPECT_EQ(AsFunction(at)(), 77u);
}

TEST(Code, PrivateMemoryIsExecutable) {
    buffers_allocator_settings a = buffers_allocator_settings_default();
    a.max_address = kTwoGiB;
    buffers_private_allocation block;
    ASSERT_EQ(buffers_allocate_private_memory(&a, &block), BUFFERS_OK) << buffers_last_error();
    std::vector<uint8_t> code = ReturnConstant(4242);
    buffers_overwrite_allocated_code(code.data(), reinterpret_cast<void *>(block.base_address), code.size());
    EXPECT_EQ(AsFunction(block.base_address)(), 4242u);
    EXPECT_EQ(buffers_free_private_memory(&block), BUFFERS_OK);
}

TEST(Code, WrittenInOneCallRuns) {
    buffers_search_settings s = {0, kTwoGiB, 16};
    std::vector<uint8_t> code = ReturnConstant(0x0BADF00D);
    uintptr_t at = 0;
    ASSERT_EQ(buffers_write_code(&s, code.data(), code.size(), &at), BUFFERS_OK) << buffers_last_error();
    EXPECT_LE(at + code.size() - 1, kTwoGiB);
    EXPECT_EQ(AsFunction(at)(), 0x0BADF00Du);
}
