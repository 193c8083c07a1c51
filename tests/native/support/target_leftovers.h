// Linux: what a process holds (its mappings and descriptors, from /proc), and what a round of a
// writer's sessions left in it beyond what the writer completely published: the ranges mapped now
// and not before must be locators of its chain or buffers registered there; no range may be gone, and
// the descriptors must be exactly the ones from before (test_dying_writer.cc).
#ifndef BUFFERS_TARGET_LEFTOVERS_H
#define BUFFERS_TARGET_LEFTOVERS_H

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "process_buffers_child.h"

struct TargetHoldings {
    std::vector<std::pair<uintptr_t, uintptr_t>> ranges;   // [start, end) of each line of its maps
    std::set<std::string> fds;                               // "N -> what it names"
};

inline TargetHoldings HoldingsOf(pid_t pid) {
    TargetHoldings held;
    std::string proc = "/proc/" + std::to_string(pid);
    if (FILE *maps = fopen((proc + "/maps").c_str(), "r")) {
        unsigned long start, end;
        char line[4096];
        while (fgets(line, sizeof line, maps))
            if (sscanf(line, "%lx-%lx", &start, &end) == 2) held.ranges.emplace_back(start, end);
        fclose(maps);
    }
    if (DIR *dir = opendir((proc + "/fd").c_str())) {
        while (dirent *entry = readdir(dir)) {
            if (entry->d_name[0] == '.') continue;
            char target[4096] = {};
            std::string link = proc + "/fd/" + entry->d_name;
            ssize_t got = readlink(link.c_str(), target, sizeof target - 1);
            held.fds.insert(std::string(entry->d_name) + " -> " + (got > 0 ? target : "?"));
        }
        closedir(dir);
    }
    return held;
}

// The parts of [start, end) that no range of ranges covers.
inline std::vector<std::pair<uintptr_t, uintptr_t>> Uncovered(uintptr_t start, uintptr_t end,
                                                              const std::vector<std::pair<uintptr_t, uintptr_t>> &ranges) {
    std::vector<std::pair<uintptr_t, uintptr_t>> left{{start, end}};
    for (const auto &r : ranges) {
        std::vector<std::pair<uintptr_t, uintptr_t>> next;
        for (const auto &piece : left) {
            if (r.second <= piece.first || r.first >= piece.second) {
                next.push_back(piece);
                continue;
            }
            if (piece.first < r.first) next.emplace_back(piece.first, r.first);
            if (r.second < piece.second) next.emplace_back(r.second, piece.second);
        }
        left.swap(next);
    }
    return left;
}

inline std::string Hex(uintptr_t value) {
    char text[32];
    snprintf(text, sizeof text, "%#lx", (unsigned long)value);
    return text;
}

// "" if pid holds now exactly what it held before plus locators and buffers of its chain, and at most
// private_bytes of other new memory (a private allocation its caller was given and did not free); else
// what it holds beyond that (or lost).
// The locators of pid's chain and the buffers registered there: what a writer completely published.
inline std::vector<std::pair<uintptr_t, uintptr_t>> PublishedRanges(pid_t pid) {
    std::vector<std::pair<uintptr_t, uintptr_t>> published;
    for (const ChainLocator &loc : ReadChain(pid)) {
        published.emplace_back(loc.address, loc.address + 4096);
        for (const auto &buffer : loc.buffers) published.emplace_back(buffer.first, buffer.first + buffer.second);
    }
    return published;
}

// must_stay: the ranges none of which may go (by default every range of before). A round that may
// leave a private page (an alloc round's writer killed holding it) passes the target's own ranges
// and what was published instead: that page's warden may take it back during a later round.
inline std::string Leftovers(pid_t pid, const TargetHoldings &before, uintptr_t private_bytes = 0,
                             const std::vector<std::pair<uintptr_t, uintptr_t>> *must_stay = nullptr) {
    TargetHoldings now = HoldingsOf(pid);
    std::vector<std::pair<uintptr_t, uintptr_t>> published = before.ranges, chain = PublishedRanges(pid);
    published.insert(published.end(), chain.begin(), chain.end());
    std::string found, extra;
    uintptr_t extra_bytes = 0;
    for (const auto &range : now.ranges)
        for (const auto &piece : Uncovered(range.first, range.second, published)) {
            extra_bytes += piece.second - piece.first;
            extra += " extra mapping " + Hex(piece.first) + "-" + Hex(piece.second) + " (" +
                     MappedPathAt(pid, piece.first) + ");";
        }
    if (extra_bytes > private_bytes) found = extra;
    for (const auto &range : must_stay ? *must_stay : before.ranges)
        for (const auto &piece : Uncovered(range.first, range.second, now.ranges))
            found += " lost mapping " + Hex(piece.first) + "-" + Hex(piece.second) + ";";
    for (const std::string &fd : now.fds)
        if (!before.fds.count(fd)) found += " extra fd " + fd + ";";
    for (const std::string &fd : before.fds)
        if (!now.fds.count(fd)) found += " lost fd " + fd + ";";
    return found;
}

#endif
