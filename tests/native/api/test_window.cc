// A window the caller keeps: buffers_window_open and the inline buffers_window_write (its fast path
// compiled into this file), against a hint the test owns and against the library's own buffers.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "test_support.h"

namespace {
// A hint of layout 2 over memory the test owns: what the inline path does is seen byte by byte,
// and any fall-back to buffers_write answers NO_SPACE (no library buffer can lie in this array).
struct FakeHint {
    alignas(64) unsigned char memory[256] = {};
    uint32_t taken = 0, position = 0;
    buffers_item_words words{};
    buffers_window_entry &entry = words.words;
    buffers_window_entry *slot = &entry;
    buffers_window window{};

    FakeHint() {
        entry = {reinterpret_cast<uintptr_t>(memory), reinterpret_cast<uintptr_t>(memory) + sizeof memory - 1,
                 sizeof memory, &taken, &position};
        window.settings = {entry.base, entry.last, 16};
        window.hint = &slot;
    }
};

const unsigned char kBytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

// Write i of thread t: 16, 20 or 24 bytes that name both, ending in a word that names the thread.
size_t Pattern(int t, int i, uint32_t (&words)[6]) {
    const size_t size = 16 + (size_t)(i % 3) * 4;
    uint32_t pattern[6] = {0xB0FFE125u, (uint32_t)t, (uint32_t)i, (uint32_t)~i, (uint32_t)(t * 31 + i), 0};
    pattern[size / 4 - 1] = 0x5EA1ED00u + (uint32_t)t;
    std::memcpy(words, pattern, sizeof words);
    return size;
}
}  // namespace

TEST(Window, AFreeHintWithRoomIsWrittenInPlaceAndReleased) {
    FakeHint fake;
    fake.position = 32;
    uintptr_t at = 0;
    ASSERT_EQ(buffers_window_write(&fake.window, kBytes, sizeof kBytes, &at), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(at, fake.entry.base + 32);
    EXPECT_EQ(std::memcmp(fake.memory + 32, kBytes, sizeof kBytes), 0);
    EXPECT_EQ(fake.position, 48u);
    EXPECT_EQ(fake.taken, 0u) << "released";
    for (size_t i = 0; i < 32; i++) ASSERT_EQ(fake.memory[i], 0) << "byte " << i << " before the position";
    for (size_t i = 48; i < sizeof fake.memory; i++) ASSERT_EQ(fake.memory[i], 0) << "byte " << i << " after";
}

TEST(Window, AHeldFullOrOutOfWindowHintIsLeftAloneAndTheCallAnswers) {
    // Each case falls back to buffers_write over the fake's range, where no buffer can be made.
    FakeHint held;
    held.taken = 1;
    FakeHint full;
    full.position = sizeof full.memory - 8;
    FakeHint below;   // the free part starts below the window's min
    below.window.settings.min_address += 64;
    FakeHint beyond;  // the buffer ends past the window's max
    beyond.window.settings.max_address -= 1;
    for (FakeHint *fake : {&held, &full, &below, &beyond}) {
        const uint32_t taken = fake->taken, position = fake->position;
        uintptr_t at = 7;
        ExpectFailure(buffers_window_write(&fake->window, kBytes, sizeof kBytes, &at), BUFFERS_ERROR_NO_SPACE, "");
        EXPECT_EQ(at, 7u);
        EXPECT_EQ(fake->taken, taken);
        EXPECT_EQ(fake->position, position);
        for (unsigned char byte : fake->memory) ASSERT_EQ(byte, 0);
    }
}

TEST(Window, TheSettingsSizeIsTheRoomAskedForAsInWrite) {
    FakeHint fake;
    fake.window.settings.size = 64;
    fake.position = sizeof fake.memory - 32;   // room for the 16 bytes, not for the 64 asked
    uintptr_t at = 0;
    EXPECT_EQ(buffers_window_write(&fake.window, kBytes, sizeof kBytes, &at), BUFFERS_ERROR_NO_SPACE);
    EXPECT_EQ(fake.position, sizeof fake.memory - 32);
}

TEST(Window, BadArgumentsAreRefusedAsWriteRefusesThem) {
    FakeHint fake;
    uintptr_t at = 5;
    ExpectFailure(buffers_window_write(&fake.window, nullptr, 16, &at), BUFFERS_ERROR_INVALID_ARGUMENT, "data is null");
    ExpectFailure(buffers_window_write(&fake.window, kBytes, 0, &at), BUFFERS_ERROR_INVALID_ARGUMENT, "size 0");
    ExpectFailure(buffers_window_write(&fake.window, kBytes, 16, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "out_address is null");
    ExpectFailure(buffers_window_write(nullptr, kBytes, 16, &at), BUFFERS_ERROR_INVALID_ARGUMENT, "settings is null");
    EXPECT_EQ(at, 5u);
    EXPECT_EQ(fake.position, 0u);
    EXPECT_EQ(fake.taken, 0u);
}

TEST(Window, OpenChecksTheSettingsAndLeavesAnUnknownLayoutToTheCall) {
    buffers_search_settings low = {0, kTwoGiB, 16};
    buffers_window window;
    ExpectFailure(buffers_window_open(nullptr, BUFFERS_WINDOW_LAYOUT, &window), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "settings is null");
    ExpectFailure(buffers_window_open(&low, BUFFERS_WINDOW_LAYOUT, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "out is null");
    buffers_search_settings inverted = {10, 5, 16}, empty = {0, kTwoGiB, 0};
    ExpectFailure(buffers_window_open(&inverted, BUFFERS_WINDOW_LAYOUT, &window), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "above max_address");
    ExpectFailure(buffers_window_open(&empty, BUFFERS_WINDOW_LAYOUT, &window), BUFFERS_ERROR_INVALID_ARGUMENT,
                  "size is 0");

    ASSERT_EQ(buffers_window_open(&low, BUFFERS_WINDOW_LAYOUT + 1, &window), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(window.hint, nullptr) << "a layout the library does not speak: every write calls";
    uintptr_t at = 0;
    ASSERT_EQ(buffers_window_write(&window, kBytes, sizeof kBytes, &at), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void *>(at), kBytes, sizeof kBytes), 0);
}

// Threads share one window over the library's buffers; every write's bytes are checked afterwards,
// and no two writes overlap (the inline lock is the library's lock: buffers_write runs beside it).
TEST(Window, ThreadsWritingThroughOneWindowLoseAndOverlapNothing) {
    constexpr int kThreads = 4, kWrites = 20000;
    buffers_search_settings low = {0, kTwoGiB, 24};
    buffers_window window;
    ASSERT_EQ(buffers_window_open(&low, BUFFERS_WINDOW_LAYOUT, &window), BUFFERS_OK) << buffers_last_error();
#if defined(__APPLE__) && defined(__aarch64__)
    EXPECT_EQ(window.hint, nullptr) << "pages are flipped writable around each write there: every write calls";
#else
    ASSERT_NE(window.hint, nullptr) << "the inline path is available on this platform";
#endif
    std::vector<std::vector<uintptr_t>> where(kThreads, std::vector<uintptr_t>(kWrites));
    ThreadFailures failures;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kWrites; i++) {
                uint32_t words[6];
                const size_t size = Pattern(t, i, words);
                // Odd threads take the library's call, so both paths lock the same items.
                buffers_status status = t % 2 ? buffers_write(&low, words, size, &where[t][i])
                                              : buffers_window_write(&window, words, size, &where[t][i]);
                if (status != BUFFERS_OK) failures.Record(t, i, "write", status);
            }
        });
    for (auto &thread : threads) thread.join();
    ASSERT_EQ(failures.Count(), 0u) << failures.Describe();
    std::vector<std::pair<uintptr_t, size_t>> spans;
    for (int t = 0; t < kThreads; t++)
        for (int i = 0; i < kWrites; i++) {
            uint32_t words[6];
            const size_t size = Pattern(t, i, words);
            ASSERT_EQ(std::memcmp(reinterpret_cast<const void *>(where[t][i]), words, size), 0)
                << "thread " << t << " write " << i;
            spans.emplace_back(where[t][i], size);
        }
    std::sort(spans.begin(), spans.end());
    for (size_t s = 1; s < spans.size(); s++)
        ASSERT_LE(spans[s - 1].first + spans[s - 1].second, spans[s].first) << "writes overlap";
}
