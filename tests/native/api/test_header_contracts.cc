// What buffers.h promises about the last error and returned strings ("The last error", "Strings
// returned"): each failing call records its status and text for its thread; calls that cannot fail
// leave them alone; returned strings are the library's and stay put.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <thread>

#include <reloaded/buffers.h>

namespace {
// Records a known failure on this thread, to see whether later calls touch it.
void Plant() {
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_get_buffer(nullptr, &item), BUFFERS_ERROR_INVALID_ARGUMENT);
}

void ExpectRecorded(buffers_status returned, const char *call) {
    EXPECT_NE(returned, BUFFERS_OK) << call;
    EXPECT_EQ(buffers_last_status(), returned) << call;
    std::string text = buffers_last_error();
    EXPECT_EQ(text.rfind(buffers_status_name(returned), 0), 0u) << call << ": " << text;
}
}  // namespace

TEST(HeaderContracts, EveryFailingStatusCallRecordsItsStatusAndText) {
    buffers_item *item;
    buffers_private_allocation none = {0, 0, 0};
    buffers_search_settings out;
    uintptr_t at;
    size_t count;
    bool removed;
    ExpectRecorded(buffers_get_buffer(nullptr, &item), "get_buffer");
    buffers_search_settings s = buffers_search_settings_default();
    ExpectRecorded(buffers_get_buffer_aligned(&s, 3, &item), "get_buffer_aligned");
    ExpectRecorded(buffers_write(&s, "x", 0, &at), "write");
    ExpectRecorded(buffers_write_code(nullptr, "x", 1, &at), "write_code");
    ExpectRecorded(buffers_allocate_private_memory(nullptr, &none), "allocate_private_memory");
    ExpectRecorded(buffers_free_private_memory(&none), "free_private_memory");
    ExpectRecorded(buffers_retire_private_memory(&none), "retire_private_memory");
    ExpectRecorded(buffers_list_buffers(nullptr, 1, &count), "list_buffers");
#ifndef _WIN32   // no effect on Windows, whose locators are not files (buffers.h)
    ExpectRecorded(buffers_use_shared_root("relative"), "use_shared_root");
#endif
    ExpectRecorded(buffers_search_settings_within(1, nullptr, 0, 1, &out), "search_settings_within");
    ExpectRecorded(buffers_item_reserve(nullptr, 1, &at, nullptr), "item_reserve");
    ExpectRecorded(buffers_item_unreserve(nullptr, 0), "item_unreserve");
    ExpectRecorded(buffers_commit_code(0, 0), "commit_code");
    ExpectRecorded(buffers_process_get_buffer(nullptr, &s, &item), "process_get_buffer");
    ExpectRecorded(buffers_locator_files("relative", nullptr, 0, &count), "locator_files");
    ExpectRecorded(buffers_locator_file_remove_stale(nullptr, false, &removed, nullptr, 0), "locator_file_remove_stale");
    ExpectRecorded(buffers_locator_file_read(nullptr, nullptr, 0, &count, nullptr, 0, &count, nullptr, 0),
                   "locator_file_read");
    Plant();
    EXPECT_EQ(buffers_item_append(nullptr, "x", 1), 0u);
    ExpectRecorded(BUFFERS_ERROR_INVALID_ARGUMENT, "item_append (returns 0)");
    EXPECT_EQ(buffers_try_write(1, 0, 1, "x", 1, 0), 0u);
    ExpectRecorded(BUFFERS_ERROR_INVALID_ARGUMENT, "try_write (returns 0)");
}

TEST(HeaderContracts, CallsThatCannotFailLeaveTheLastErrorAlone) {
    Plant();
    std::string before = buffers_last_error();
    buffers_search_settings s = buffers_search_settings_default();
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_get_buffer(&s, &item), BUFFERS_OK) << buffers_last_error();
    buffers_item_base_address(item);
    buffers_item_size(item);
    buffers_item_position(item);
    buffers_item_bytes_left(item);
    buffers_item_release(item);
    buffers_item_release(nullptr);
    buffers_search_settings_from_proximity(1, 2, 3);
    buffers_search_settings_rel32(0x10000, 16);
    buffers_allocator_settings_default();
    buffers_allocator_settings_from_proximity(1, 2, 3);
    buffers_process_close(nullptr);
    buffers_overwrite_allocated_code(nullptr, nullptr, 0);
    buffers_clear_instruction_cache(nullptr, nullptr);
    buffers_status_name(BUFFERS_ERROR_NO_SPACE);
    buffers_version();
    buffers_max_address();
    buffers_allocation_granularity();
    buffers_shared_root();
    EXPECT_EQ(buffers_last_error(), before) << "successes and calls that cannot fail leave it";
    EXPECT_EQ(buffers_last_status(), BUFFERS_ERROR_INVALID_ARGUMENT);
}

TEST(HeaderContracts, TheLastErrorIsPerThreadAndStringsStayPut) {
    Plant();
    std::string here = buffers_last_error();
    std::string there = "unset";
    buffers_status status_there = BUFFERS_ERROR_NO_SPACE;
    std::thread([&] {
        there = buffers_last_error();
        status_there = buffers_last_status();
    }).join();
    EXPECT_EQ(there, "") << "a thread that never failed sees no failure";
    EXPECT_EQ(status_there, BUFFERS_OK);
    EXPECT_EQ(std::string(buffers_last_error()), here);
    EXPECT_EQ(buffers_version(), buffers_version());
    EXPECT_EQ(buffers_status_name(BUFFERS_OK), buffers_status_name(BUFFERS_OK));
    const char *directory = buffers_locator_directory();
    buffers_write_code(nullptr, "x", 1, nullptr);   // a failure in between does not move it
    EXPECT_EQ(buffers_locator_directory(), directory);
}
