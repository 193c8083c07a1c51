// Small helpers shared by the API tests.
#ifndef BUFFERS_TEST_SUPPORT_H
#define BUFFERS_TEST_SUPPORT_H

#include <gtest/gtest.h>

#include <string>

#include <reloaded/buffers.h>

// Expects status and a last-error text that names it and contains fragment.
inline void ExpectFailure(buffers_status got, buffers_status want, const std::string &fragment) {
    EXPECT_EQ(got, want) << buffers_status_name(got) << ": " << buffers_last_error();
    std::string text = buffers_last_error();
    EXPECT_NE(text.find(buffers_status_name(want)), std::string::npos) << text;
    EXPECT_NE(text.find(fragment), std::string::npos) << "'" << fragment << "' not in: " << text;
}

constexpr uintptr_t kTwoGiB = 0x7FFFFFFF;

// A locked buffer in the first 2 GiB with at least size bytes free; null (and a test failure) if
// none could be had.
inline buffers_item *GetLowBuffer(uint32_t size) {
    buffers_search_settings settings = {0, kTwoGiB, size};
    buffers_item *item = nullptr;
    buffers_status status = buffers_get_buffer(&settings, &item);
    EXPECT_EQ(status, BUFFERS_OK) << buffers_last_error();
    return status == BUFFERS_OK ? item : nullptr;
}

#endif
