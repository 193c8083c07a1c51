/* Facts about another process from /proc: see os/linux/remote/target.h. */
#define _GNU_SOURCE

#include "os/linux/remote/target.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *target_stat_field(const char *path, int field) {
    static _Thread_local char text[1024];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    ssize_t got = read(fd, text, sizeof text - 1);
    close(fd);
    if (got <= 0) return NULL;
    text[got] = '\0';
    char *at = strrchr(text, ')');   /* ends field 2; each later field follows a space */
    for (int n = 2; at && n < field; n++) at = strchr(at + 1, ' ');
    return at ? at + 1 : NULL;
}

static char thread_state(uint32_t pid, const char *tid) {
    char path[96];
    int length = snprintf(path, sizeof path, "/proc/%u/task/%s/stat", (unsigned)pid, tid);
    if (length < 0 || (size_t)length >= sizeof path) return 0;   /* no such thread id: a cut path would name another */
    const char *state = target_stat_field(path, 3);
    return state ? *state : 0;
}

char target_thread_state(uint32_t pid, int tid) {
    char id[16];
    snprintf(id, sizeof id, "%d", tid);
    return thread_state(pid, id);
}

static bool is_live(char state) {
    return state && state != 'Z' && state != 'X';
}

int target_pick_thread(uint32_t pid) {
    char path[64];
    snprintf(path, sizeof path, "%u", (unsigned)pid);
    if (is_live(thread_state(pid, path))) return (int)pid;
    snprintf(path, sizeof path, "/proc/%u/task", (unsigned)pid);
    DIR *dir = opendir(path);
    if (!dir) return 0;
    int found = 0;
    for (struct dirent *entry; !found && (entry = readdir(dir)) != NULL;) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        char state = thread_state(pid, entry->d_name);
        if (is_live(state)) found = atoi(entry->d_name);
    }
    closedir(dir);
    return found;
}

enum { CHUNK = 64 * 1024, READ_BUDGET = 32 * 1024 * 1024 };

typedef struct instruction_search {
    int                  mem_fd;
    const unsigned char *bytes;
    size_t               length, align;
    uintptr_t            avoid;
    size_t               budget;    /* bytes we may still read */
    unsigned char        chunk[CHUNK];
} instruction_search;

/* Searches [start, end) chunk by chunk (chunks overlap so no instruction is split). */
static bool search_range(instruction_search *search, uintptr_t start, uintptr_t end, uintptr_t *out) {
    for (uintptr_t at = start; at < end && search->budget > 0;) {
        size_t want = end - at < CHUNK ? end - at : CHUNK;
        ssize_t got = pread(search->mem_fd, search->chunk, want, (off_t)at);
        if (got < (ssize_t)search->length) return false;   /* unreadable: try the next mapping */
        search->budget = search->budget > (size_t)got ? search->budget - (size_t)got : 0;
        for (size_t i = 0; i + search->length <= (size_t)got; i++) {
            uintptr_t address = at + i;
            if (address % search->align || address == search->avoid) continue;
            if (memcmp(search->chunk + i, search->bytes, search->length) == 0) {
                *out = address;
                return true;
            }
        }
        at += (uintptr_t)got - (search->length - 1);
    }
    return false;
}

/* One pass over the executable mappings in maps: the vDSO only, or everything else. */
static bool search_maps(instruction_search *search, FILE *maps, bool vdso, uintptr_t *out) {
    rewind(maps);
    char line[512];
    while (fgets(line, sizeof line, maps)) {
        uintptr_t start, end;
        char perms[8];
        int path_at = 0;
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %*s %*s %*s %n", &start, &end, perms, &path_at) != 3)
            continue;
        if (perms[2] != 'x' || strncmp(line + path_at, "[vsyscall]", 10) == 0) continue;
        if ((strncmp(line + path_at, "[vdso]", 6) == 0) != vdso) continue;
        if (search_range(search, start, end, out)) return true;
    }
    return false;
}

int target_find_instruction(uint32_t pid, const unsigned char *instruction, size_t length, size_t align,
                            uintptr_t avoid, uintptr_t *out, char *why, size_t why_size) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%u/maps", (unsigned)pid);
    FILE *maps = fopen(path, "re");
    if (!maps) return errno;
    snprintf(path, sizeof path, "/proc/%u/mem", (unsigned)pid);
    instruction_search *search = malloc(sizeof *search);
    int error = search ? 0 : ENOMEM;
    if (search && (search->mem_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) error = errno;
    if (!error) {
        search->bytes = instruction, search->length = length, search->align = align;
        search->avoid = avoid, search->budget = READ_BUDGET;
        if (!search_maps(search, maps, true, out) && !search_maps(search, maps, false, out)) {
            snprintf(why, why_size, "no system-call instruction found in the executable memory of process %u",
                     (unsigned)pid);
            error = ENOEXEC;
        }
        close(search->mem_fd);
    }
    free(search);
    fclose(maps);
    return error;
}
