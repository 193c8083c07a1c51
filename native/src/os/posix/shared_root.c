/* The folder the locator directories live under (os/posix/shared_root.h) and the verb that chooses
 * it for this process (vmem_shared_set_root, os/vmem.h). */
#define _POSIX_C_SOURCE 200809L

#include "os/vmem.h"
#include "os/posix/shared_root.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Written once, before the first locator is opened (the core refuses later calls), then only read:
 * the flag publishes the text. */
static char chosen_root[VMEM_SHARED_PATH_LIMIT / 2];
static atomic_bool root_chosen;

int vmem_shared_set_root(const char *directory) {
    size_t length = directory ? strlen(directory) : 0;
    if (length == 0 || directory[0] != '/') return EINVAL;
    if (length >= sizeof chosen_root) return ENAMETOOLONG;
    memcpy(chosen_root, directory, length + 1);
    atomic_store_explicit(&root_chosen, true, memory_order_release);
    return 0;
}

const char *file_shared_root(void) {
    if (atomic_load_explicit(&root_chosen, memory_order_acquire)) return chosen_root;
    const char *root = getenv("BUFFERS_SHARED_ROOT");
    return root && *root ? root : "/tmp";
}
