// Small helpers shared by the API tests.
#ifndef BUFFERS_TEST_SUPPORT_H
#define BUFFERS_TEST_SUPPORT_H

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

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

// Failures seen by worker threads. The last-error text is per thread, so each failure is recorded
// with its own thread's status and message, in that thread; the main thread prints them.
class ThreadFailures {
  public:
    void Record(int thread, int round, const char *what, buffers_status status) {
        std::string text = "thread " + std::to_string(thread) + " round " + std::to_string(round) + ": " + what +
                           " -> " + buffers_status_name(status) + " (" + buffers_last_error() + ")";
        std::lock_guard<std::mutex> lock(mutex_);
        if (first_.size() < kKept) first_.push_back(text);
        count_++;
    }
    size_t Count() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return count_;
    }
    std::string Describe() const {
        std::lock_guard<std::mutex> lock(mutex_);
        std::string text = std::to_string(count_) + " failed request(s)";
        for (const std::string &line : first_) text += "\n  " + line;
        return text;
    }

  private:
    static constexpr size_t kKept = 8;
    mutable std::mutex mutex_;
    std::vector<std::string> first_;
    size_t count_ = 0;
};

#endif
