/* Where the locator files live on Linux and macOS (os/posix/shared_root.h), and the verbs that choose
 * the root for this process (vmem_shared_set_root), tell it (vmem_shared_root) and tell the directory
 * chosen (os/vmem.h). */
#define _DARWIN_C_SOURCE   /* O_DIRECTORY on macOS */
#define _POSIX_C_SOURCE 200809L

#include "os/vmem.h"
#include "os/posix/shared_root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Written once, before the first locator is opened (the core refuses later calls), then only read:
 * the flag publishes the text. */
static char chosen_root[VMEM_SHARED_PATH_LIMIT / 2];
static atomic_bool root_chosen;

static char chosen_directory[VMEM_SHARED_PATH_LIMIT];

int vmem_shared_set_root(const char *directory) {
    size_t length = directory ? strlen(directory) : 0;
    if (length == 0 || directory[0] != '/') return EINVAL;
    if (length >= sizeof chosen_root) return ENAMETOOLONG;
    memcpy(chosen_root, directory, length + 1);
    atomic_store_explicit(&root_chosen, true, memory_order_release);
    return 0;
}

const char *vmem_shared_root(void) {
    if (atomic_load_explicit(&root_chosen, memory_order_acquire)) return chosen_root;
    const char *root = getenv("BUFFERS_SHARED_ROOT");
    return root && *root ? root : "/tmp";
}

const char *vmem_shared_directory(void) {
    return chosen_directory;
}

int vmem_shared_reset(vmem_shared *shared) {
    (void)shared;
    return EBUSY;   /* never in place: vmem_shared_open replaces stale files itself */
}

void file_locator_folders(file_folders *out) {
    out->root = vmem_shared_root();
    snprintf(out->first[0], sizeof out->first[0], "%s", FILE_SHARED_FIRST);
    snprintf(out->first[1], sizeof out->first[1], "%s%u", FILE_PER_USER_PREFIX, (unsigned)geteuid());
}

size_t file_longest_path(const file_folders *folders, const char *name) {
    return strlen(folders->root) + 1 + strlen(folders->first[1]) + sizeof "/" FILE_LOCATOR_FOLDER "/" - 1 +
           strlen(name) + sizeof " #99" - 1;
}

void file_shared_record(vmem_shared *out, const char *root, const char *first, const char *file) {
    snprintf(chosen_directory, sizeof chosen_directory, "%s/%s/" FILE_LOCATOR_FOLDER, root, first);
    snprintf(out->where, sizeof out->where, "%s/%s", chosen_directory, file);
}

int file_open_root(const char *root, char *why, size_t why_size) {
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        int error = errno;
        snprintf(why, why_size, "'%s': %s", root, strerror(error));
        errno = error;
    }
    return fd;
}

int file_map_shared(int fd, size_t size, uint64_t identity, uint64_t device, vmem_shared *out) {
    bool executable = size > 4096;
    void *address = mmap(NULL, size, PROT_READ | PROT_WRITE | (executable ? PROT_EXEC : 0), MAP_SHARED, fd, 0);
    if (address == MAP_FAILED && executable) {
        executable = false;
        address = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    }
    if (address == MAP_FAILED) return errno;
    out->address = (uintptr_t)address;
    out->size = size;
    out->executable = executable;
    out->identity = identity;
    out->device = device;
    return 0;
}

int file_shared_open(const char *name, size_t size, vmem_shared *out, file_open_in open_in) {
    memset(out, 0, sizeof *out);
    out->os_handle = -1;
    file_folders f;
    file_locator_folders(&f);
    size_t longest = file_longest_path(&f, name);
    if (longest >= VMEM_SHARED_PATH_LIMIT) {
        snprintf(out->where, sizeof out->where, "the locator path under root '%.64s...' (%zu characters) would be "
                 "%zu characters, over the limit of %d", f.root, strlen(f.root), longest, VMEM_SHARED_PATH_LIMIT - 1);
        return ENAMETOOLONG;
    }
    char shared_why[512] = "", private_why[512] = "";
    if (open_in(f.root, f.first[0], true, name, size, out, shared_why, sizeof shared_why) == 0) return 0;
    int error = open_in(f.root, f.first[1], false, name, size, out, private_why, sizeof private_why);
    if (error)
        snprintf(out->where, sizeof out->where, "%s/%s/" FILE_LOCATOR_FOLDER ": %s; fallback %s/%s/" FILE_LOCATOR_FOLDER
                 ": %s; BUFFERS_SHARED_ROOT names another folder for both (now '%s')",
                 f.root, f.first[0], shared_why, f.root, f.first[1], private_why, f.root);
    return error;
}
