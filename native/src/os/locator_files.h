/*
 * The OS layer, locator files of every process: what tools (the CLI's list, inspect and cleanup)
 * see under a root, read as bytes, never mapped. Implemented in os/linux/locator_files.c; the other
 * OS folders answer VMEM_UNSUPPORTED. Conventions are os/vmem.h's; names are matched against the
 * prefix the caller passes (the core's LOCATOR_NAME_PREFIX: nothing below calls up).
 */
#ifndef BUFFERS_LOCATOR_FILES_H
#define BUFFERS_LOCATOR_FILES_H

#include "os/vmem.h"

typedef enum vmem_file_state {
    VMEM_FILE_LIVE,         /* its process runs and maps it (or that cannot be told) */
    VMEM_FILE_STALE,        /* no process with its pid, nobody holds it alive */
    VMEM_FILE_PID_REUSED,   /* a process with its pid runs and does not map it */
    VMEM_FILE_FOREIGN       /* no process with its pid here, yet something holds it alive */
} vmem_file_state;

typedef struct vmem_locator_file {
    char            path[VMEM_SHARED_PATH_LIMIT];
    size_t          directory_length;   /* path[0, directory_length) is the directory */
    uint32_t        pid;
    uint32_t        owner_uid;          /* UINT32_MAX when unknown */
    vmem_file_state state;
    bool            regular;
    char            process_name[32];   /* "?" when unknown */
} vmem_locator_file;

/* Calls fn for every entry named "<prefix><pid>" or "<prefix><pid> #<n>" in root/.reloaded/
 * memory.buffers and root/.reloaded-<anything>/memory.buffers (directories opened without following
 * symlinks; unreadable ones skipped); fn returns true to stop. 0; ENOENT/ENOTDIR when root is not a
 * directory; VMEM_UNSUPPORTED where locators are not files. */
typedef bool (*vmem_locator_file_fn)(const vmem_locator_file *file, void *context);
int vmem_locator_files_walk(const char *root, const char *prefix, vmem_locator_file_fn fn, void *context);

/* Copies up to size bytes from the start of the regular file at path (never following a symlink,
 * never blocking on a FIFO) into out; *out_read the bytes read. 0 or an error (EINVAL: not a regular
 * file). */
int vmem_locator_file_read(const char *path, void *out, size_t size, size_t *out_read);

/* Copies size bytes at address in process pid (this one included) without trusting the address: an
 * unmapped one is an error (EIO, EFAULT), never a fault. Linux: /proc/<pid>/mem. */
int vmem_locator_memory_read(uint32_t pid, uintptr_t address, void *out, size_t size);

/* The pointer width of process pid's executable (8 or 4), 0 when it cannot be told. */
uint32_t vmem_process_pointer_size(uint32_t pid);

/* The state of the locator file at path whose name gives pid (as the walk reports it). */
vmem_file_state vmem_locator_file_state(const char *path, uint32_t pid);

/* Removes the file at path (named with prefix) when it is stale by the sweep's rules
 * (vmem_shared_remove_stale): 0 and *removed set (with dry_run: it would go, it stays); 0 and
 * *removed false with why written when it is kept; an error (why written) when a stale file could
 * not be unlinked. */
int vmem_locator_file_remove_stale(const char *path, const char *prefix, bool dry_run, bool *removed, char *why,
                                   size_t why_size);

#endif
