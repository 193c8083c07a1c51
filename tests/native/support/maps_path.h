// Linux: what /proc/<pid>/maps says is mapped at an address, for tests that check which file (if
// any) backs a locator.
#ifndef BUFFERS_MAPS_PATH_H
#define BUFFERS_MAPS_PATH_H

#include <sys/types.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

constexpr const char *kNoMappingThere = "<nothing is mapped there>";

// The path of the mapping that holds address in process pid, "" for an anonymous one (which the
// kernel may have merged with its neighbours), or kNoMappingThere.
inline std::string MappedPathAt(pid_t pid, uintptr_t address) {
    std::string file = "/proc/" + std::to_string(pid) + "/maps";
    FILE *maps = fopen(file.c_str(), "r");
    if (!maps) return kNoMappingThere;
    char line[4096];
    std::string found = kNoMappingThere;
    while (fgets(line, sizeof line, maps)) {
        char *end;
        uintptr_t start = (uintptr_t)strtoull(line, &end, 16), stop = (uintptr_t)strtoull(end + 1, nullptr, 16);
        if (address < start || address >= stop) continue;
        // start-end perms offset dev inode [path]: the path is what follows the fifth field.
        const char *at = line;
        for (int field = 0; field < 5; field++) {
            at += strcspn(at, " \n");
            at += strspn(at, " ");
        }
        found.assign(at, strcspn(at, "\n"));
        break;
    }
    fclose(maps);
    return found;
}

// The name a further locator of process pid chained after previous is given (docs/format.md).
inline std::string FurtherLocatorName(pid_t pid, uintptr_t previous) {
    char name[128];
    snprintf(name, sizeof name, "Reloaded.Memory.Buffers.MemoryBuffer, PID %d, after 0x%llx", (int)pid,
             (unsigned long long)previous);
    return name;
}

#endif
