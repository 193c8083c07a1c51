// The checks the buffers-of-another-process tests make on the records the peers (peer_records.h)
// and the tests wrote: parsed from the peers' lines, no two overlapping, both sides sharing pages.
#ifndef BUFFERS_RECORD_CHECKS_H
#define BUFFERS_RECORD_CHECKS_H

#include <gtest/gtest.h>

#include <reloaded/buffers.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

extern "C" {
#include "os/vmem_other.h"
}

struct Record {
    uintptr_t address;
    uint32_t length, seed;
};

// record_byte of peer_records.h (which is C only).
inline unsigned char RecordByte(uint32_t seed, uint32_t k) {
    return (unsigned char)((seed * 2654435761u + k * 40503u) >> 13);
}

// The records of lines "<tag> <address> <length> <seed>"; lines starting with "error" go to errors.
inline void Collect(const std::vector<std::string> &lines, char tag, std::vector<Record> *records,
                    std::string *errors) {
    for (const auto &line : lines) {
        unsigned long long address;
        unsigned length, seed;
        if (!line.empty() && line[0] == tag && sscanf(line.c_str() + 1, "%llx %u %u", &address, &length, &seed) == 3)
            records->push_back({(uintptr_t)address, length, seed});
        else if (line.compare(0, 5, "error") == 0)
            *errors += line + (line.back() == '\n' ? "" : "\n");
    }
}

// No two of all records (of the target, own, and of writers, written) overlap, and all lie in the
// first 2 GiB.
inline void ExpectNoOverlap(const std::vector<Record> &own, const std::vector<Record> &written) {
    std::vector<Record> all = own;
    all.insert(all.end(), written.begin(), written.end());
    std::sort(all.begin(), all.end(), [](const Record &a, const Record &b) { return a.address < b.address; });
    size_t overlaps = 0;
    for (size_t i = 1; i < all.size(); i++) overlaps += all[i - 1].address + all[i - 1].length > all[i].address;
    EXPECT_EQ(overlaps, 0u);
    EXPECT_TRUE(std::all_of(all.begin(), all.end(),
                            [](const Record &r) { return r.address && r.address < 0x80000000u; }));
}

// As ExpectNoOverlap, and the two sides really shared buffers: some 4 KiB page holds records of
// the target and of a writer.
inline void ExpectSharedWithoutOverlap(const std::vector<Record> &own, const std::vector<Record> &written) {
    ExpectNoOverlap(own, written);
    std::vector<uintptr_t> own_pages, written_pages, both;
    for (const Record &r : own) own_pages.push_back(r.address >> 12);
    for (const Record &r : written) written_pages.push_back(r.address >> 12);
    std::sort(own_pages.begin(), own_pages.end());
    std::sort(written_pages.begin(), written_pages.end());
    std::set_intersection(own_pages.begin(), own_pages.end(), written_pages.begin(), written_pages.end(),
                          std::back_inserter(both));
    EXPECT_FALSE(both.empty());
}

// On an item of process pid just got from buffers_process_get_buffer: size and bytes left agree,
// append_code puts 4 bytes at base + position (read back from pid with vmem_read_other) and moves
// the position, and a longer append than is left is refused. Returns the address of the code.
inline uintptr_t ExpectCodeLandsInTheTarget(uint32_t pid, buffers_item *item) {
    uint32_t size = buffers_item_size(item), before = buffers_item_position(item);
    EXPECT_GE(size, 32u);
    EXPECT_EQ(buffers_item_bytes_left(item), size - before);
    const unsigned char code[] = {0xC3, 0x90, 0x90, 0xCC};
    uintptr_t at = buffers_item_append_code(item, code, sizeof code);
    EXPECT_EQ(at, buffers_item_base_address(item) + before) << buffers_last_error();
    EXPECT_EQ(buffers_item_position(item), before + sizeof code);
    EXPECT_EQ(buffers_item_append(item, code, size), 0u);   // more than is left
    EXPECT_NE(std::string(buffers_last_error()).find("do not fit"), std::string::npos) << buffers_last_error();
    unsigned char got[sizeof code] = {};
    EXPECT_EQ(vmem_read_other(pid, at, got, sizeof got), 0);
    EXPECT_EQ(std::memcmp(got, code, sizeof code), 0);
    return at;
}

#endif
