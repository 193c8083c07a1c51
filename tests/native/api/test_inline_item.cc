// The item calls compiled into the caller (buffers.h, "Append and release inline"), and
// buffers_window_get: each does in place exactly what the library would, or makes the call.
// Fakes over memory the test owns show the inline path byte by byte; the library's own items show
// that every case the inline path must not take reaches the library. Threads mixing these paths with
// the library's on one buffer: Contention.EightThreadsOnOneBufferLoseNoByteAndSeeNoSpuriousNoSpace.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "test_support.h"

#if !defined(__GNUC__) || defined(BUFFERS_NO_INLINE)
#error "these tests are about the inline paths: build them with GCC or Clang"
#endif

namespace {
const unsigned char kBytes[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

// An item of layout 2 over memory the test owns, written through a second view write_delta away
// (as in write-xor-execute mode): run addresses come back, bytes land in the view.
struct FakeItem {
    alignas(64) unsigned char run[256] = {};
    alignas(64) unsigned char view[256] = {};
    uint32_t taken = 1, position = 0;
    buffers_item_words words{};

    FakeItem() {
        words.words.base = reinterpret_cast<uintptr_t>(run);
        words.words.last = words.words.base + sizeof run - 1;
        words.words.size = sizeof run;
        words.words.taken = &taken;
        words.words.position = &position;
        words.write_delta = reinterpret_cast<intptr_t>(view) - reinterpret_cast<intptr_t>(run);
        words.held = BUFFERS_ITEM_HELD_INLINE;
    }
    buffers_item *item() { return reinterpret_cast<buffers_item *>(&words); }
    bool Untouched() const {
        return std::all_of(std::begin(run), std::end(run), [](unsigned char b) { return b == 0; }) &&
               std::all_of(std::begin(view), std::end(view), [](unsigned char b) { return b == 0; });
    }
};

buffers_search_settings Low(uint32_t size) { return {0, kTwoGiB, size}; }
}  // namespace

TEST(InlineItem, AppendWritesThroughTheViewAndMovesThePosition) {
    FakeItem fake;
    fake.position = 40;
    uintptr_t at = buffers_item_append(fake.item(), kBytes, sizeof kBytes);
    EXPECT_EQ(at, fake.words.words.base + 40) << "the run address";
    EXPECT_EQ(std::memcmp(fake.view + 40, kBytes, sizeof kBytes), 0);
    EXPECT_EQ(fake.position, 56u);
    for (size_t i = 0; i < sizeof fake.run; i++) ASSERT_EQ(fake.run[i], 0) << "run byte " << i << " written";
    for (size_t i = 0; i < sizeof fake.view; i++)
        if (i < 40 || i >= 56) ASSERT_EQ(fake.view[i], 0) << "view byte " << i << " outside the append";
    // To the last byte, then one byte more is refused (by the library: the call answers).
    fake.position = sizeof fake.run - 16;
    EXPECT_EQ(buffers_item_append(fake.item(), kBytes, sizeof kBytes), fake.words.words.base + sizeof fake.run - 16);
    EXPECT_EQ(fake.position, sizeof fake.run);
    EXPECT_EQ(buffers_item_append(fake.item(), kBytes, 1), 0u);
    EXPECT_NE(std::strstr(buffers_last_error(), "do not fit"), nullptr) << buffers_last_error();
    EXPECT_EQ(fake.position, sizeof fake.run);
}

TEST(InlineItem, ReleaseUnlocksAndEndsTheHold) {
    FakeItem fake;
    buffers_item_release(fake.item());
    EXPECT_EQ(fake.taken, 0u);
    EXPECT_EQ(fake.words.held, 0u);
    fake.taken = 1;   // someone else's lock now: a second release of the dead handle leaves it alone
    buffers_item_release(fake.item());
    EXPECT_EQ(fake.taken, 1u);
    EXPECT_EQ(buffers_item_append(fake.item(), kBytes, sizeof kBytes), 0u);
    EXPECT_NE(std::strstr(buffers_last_error(), "not locked"), nullptr) << buffers_last_error();
    EXPECT_TRUE(fake.Untouched());
}

TEST(InlineItem, WhatTheInlinePathMustNotTakeReachesTheLibrary) {
    // Each case is refused by the library's call, which names why; nothing is written or moved.
    struct Case {
        const char *name;
        uint32_t held, position;
        const void *data;
        size_t size;
        const char *why;
    } cases[] = {
        {"not held", 0, 0, kBytes, 16, "not locked"},
        {"null data", BUFFERS_ITEM_HELD_INLINE, 0, nullptr, 16, "data is null"},
        {"more than the buffer", BUFFERS_ITEM_HELD_INLINE, 0, kBytes, 257, "do not fit"},
        {"SIZE_MAX past a position", BUFFERS_ITEM_HELD_INLINE, 8, kBytes, SIZE_MAX, "do not fit"},
        {"a planted position past the end", BUFFERS_ITEM_HELD_INLINE, 0xFFFFFFF0u, kBytes, 16, "do not fit"},
    };
    for (const Case &c : cases) {
        FakeItem fake;
        fake.words.held = c.held;
        fake.position = c.position;
        EXPECT_EQ(buffers_item_append(fake.item(), c.data, c.size), 0u) << c.name;
        EXPECT_NE(std::strstr(buffers_last_error(), c.why), nullptr) << c.name << ": " << buffers_last_error();
        EXPECT_EQ(fake.position, c.position) << c.name;
        EXPECT_TRUE(fake.Untouched()) << c.name;
    }
    EXPECT_EQ(buffers_item_append(nullptr, kBytes, 16), 0u);
    EXPECT_NE(std::strstr(buffers_last_error(), "item is null"), nullptr) << buffers_last_error();
    buffers_item_release(nullptr);   // ignored, as the call ignores it
}

// The library's function itself (the name in parentheses is not the macro): the same refusals.
TEST(InlineItem, TheFunctionRefusesASizeThatWouldWrapPastThePosition) {
    buffers_search_settings low = Low(64);
    buffers_item *item;
    ASSERT_EQ(buffers_get_buffer(&low, &item), BUFFERS_OK) << buffers_last_error();
    ASSERT_NE((buffers_item_append)(item, kBytes, 8), 0u) << buffers_last_error();
    const uint32_t position = buffers_item_position(item);
    for (size_t size : {SIZE_MAX, SIZE_MAX - 7, (size_t)buffers_item_bytes_left(item) + 1}) {
        EXPECT_EQ((buffers_item_append)(item, kBytes, size), 0u) << size;
        EXPECT_NE(std::strstr(buffers_last_error(), "do not fit"), nullptr) << buffers_last_error();
        EXPECT_EQ(buffers_item_position(item), position) << size;
    }
    (buffers_item_release)(item);
}

TEST(InlineItem, ALibraryItemIsMarkedForTheInlinePathAndUnmarkedAtRelease) {
    buffers_search_settings low = Low(64);
    buffers_item *item;
    ASSERT_EQ(buffers_get_buffer(&low, &item), BUFFERS_OK) << buffers_last_error();
    const buffers_item_words *words = reinterpret_cast<const buffers_item_words *>(item);
#if defined(__APPLE__) && defined(__aarch64__)
    EXPECT_NE(words->held, BUFFERS_ITEM_HELD_INLINE) << "pages are flipped around each write there";
#else
    EXPECT_EQ(words->held, BUFFERS_ITEM_HELD_INLINE);
#endif
    EXPECT_EQ(words->words.base, buffers_item_base_address(item));
    EXPECT_EQ(words->words.size, buffers_item_size(item));
    EXPECT_EQ(*words->words.position, buffers_item_position(item));
    EXPECT_EQ(*words->words.taken, 1u);
    uintptr_t at = buffers_item_append(item, kBytes, sizeof kBytes);
    ASSERT_NE(at, 0u) << buffers_last_error();
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void *>(at), kBytes, sizeof kBytes), 0);
    buffers_item_release(item);
    EXPECT_EQ(words->held, 0u);
}

// A reservation marks the hold for the call: its release must forget the reservation, so that the
// next holder cannot give back bytes that are no longer the reserver's.
TEST(InlineItem, AReservationSendsTheReleaseToTheLibrary) {
    buffers_search_settings low = Low(64);
    buffers_item *item;
    ASSERT_EQ(buffers_get_buffer(&low, &item), BUFFERS_OK) << buffers_last_error();
    uintptr_t reserved;
    void *writable;
    ASSERT_EQ(buffers_item_reserve(item, 32, &reserved, &writable), BUFFERS_OK) << buffers_last_error();
    EXPECT_NE(reinterpret_cast<const buffers_item_words *>(item)->held, BUFFERS_ITEM_HELD_INLINE);
    std::memcpy(writable, kBytes, sizeof kBytes);
    uintptr_t after = buffers_item_append(item, kBytes, sizeof kBytes);   // the call appends as before
    EXPECT_EQ(after, reserved + 32) << buffers_last_error();
    buffers_item_release(item);
    buffers_item *again;
    ASSERT_EQ(buffers_get_buffer(&low, &again), BUFFERS_OK) << buffers_last_error();
    ExpectFailure(buffers_item_unreserve(again, reserved), BUFFERS_ERROR_INVALID_ARGUMENT, "");
    EXPECT_EQ(std::memcmp(reinterpret_cast<const void *>(reserved), kBytes, sizeof kBytes), 0);
    buffers_item_release(again);
}

TEST(InlineItem, WindowGetLocksAndMarksAFreeHintAndLeavesTheRestToTheCall) {
    FakeItem fake;
    fake.taken = 0;
    fake.words.held = 0;
    fake.words.write_delta = 0;
    buffers_window_entry *slot = &fake.words.words;
    buffers_window window{};
    window.settings = {fake.words.words.base, fake.words.words.last, 16};
    window.hint = &slot;
    buffers_item *item = nullptr;
    ASSERT_EQ(buffers_window_get(&window, &item), BUFFERS_OK) << buffers_last_error();
    EXPECT_EQ(item, fake.item());
    EXPECT_EQ(fake.taken, 1u);
    EXPECT_EQ(fake.words.held, BUFFERS_ITEM_HELD_INLINE);
    EXPECT_EQ(buffers_item_append(item, kBytes, sizeof kBytes), fake.words.words.base);
    buffers_item_release(item);
    EXPECT_EQ(fake.taken, 0u);
    EXPECT_EQ(std::memcmp(fake.run, kBytes, sizeof kBytes), 0);

    // Held by another, or without room: the call, which can make no buffer inside the test's array.
    fake.taken = 1;
    item = nullptr;
    ExpectFailure(buffers_window_get(&window, &item), BUFFERS_ERROR_NO_SPACE, "");
    EXPECT_EQ(item, nullptr);
    fake.taken = 0;
    fake.position = sizeof fake.run - 8;
    ExpectFailure(buffers_window_get(&window, &item), BUFFERS_ERROR_NO_SPACE, "");
    EXPECT_EQ(fake.taken, 0u);
    EXPECT_EQ(fake.position, sizeof fake.run - 8);
    ExpectFailure(buffers_window_get(&window, nullptr), BUFFERS_ERROR_INVALID_ARGUMENT, "out_item is null");
    ExpectFailure(buffers_window_get(nullptr, &item), BUFFERS_ERROR_INVALID_ARGUMENT, "settings is null");
}
