/* Where the locator files of the POSIX layers (Linux, macOS) live, and the parts of opening one that
 * both share: the root folder, the shared directory with the per-user fallback and the path limit,
 * the mapping (executable when it can be), and the record of the directory chosen. Each OS passes in
 * how one directory is tried (its locks and its choice of file differ). */
#ifndef BUFFERS_OS_POSIX_SHARED_ROOT_H
#define BUFFERS_OS_POSIX_SHARED_ROOT_H

#include <stdbool.h>
#include <stddef.h>

#include "os/vmem.h"

/* The two folders a locator file may be in, under the root (vmem_shared_root): <root>/.reloaded/memory.buffers, which
 * every user may write to (tried first), else <root>/.reloaded-<euid>/memory.buffers, this user's
 * own (docs/locator-security.md). Every open, search, creation for another process and listing
 * takes them from here, in this order. */
#define FILE_SHARED_FIRST    ".reloaded"
#define FILE_PER_USER_PREFIX ".reloaded-"
#define FILE_LOCATOR_FOLDER  "memory.buffers"

typedef struct file_folders {
    const char *root;
    char        first[2][32];   /* [0] the shared folder's first component, [1] the per-user one's */
} file_folders;

void file_locator_folders(file_folders *out);

/* The length of the longest path built for name in either folder (with a derived " #n"): over
 * VMEM_SHARED_PATH_LIMIT - 1 is refused, never cut. */
size_t file_longest_path(const file_folders *folders, const char *name);

/* How an OS tries directory <root>/<first>/memory.buffers (shared: the one every user may write to,
 * else the per-user one) for the object name: on success out is filled (file_shared_record called
 * with the file's name); else an errno and why says what was wrong. */
typedef int (*file_open_in)(const char *root, const char *first, bool shared, const char *name, size_t size,
                            vmem_shared *out, char *why, size_t why_size);

/* vmem_shared_open on POSIX: refuses a path over VMEM_SHARED_PATH_LIMIT (never cuts it), tries the
 * shared directory <root>/.reloaded/memory.buffers, then <root>/.reloaded-<euid>/memory.buffers; on
 * failure out->where names both reasons and the setting that moves them. */
int file_shared_open(const char *name, size_t size, vmem_shared *out, file_open_in open_in);

/* Opens the root folder; its descriptor, or -1 with why written and errno kept. */
int file_open_root(const char *root, char *why, size_t why_size);

/* Maps size bytes of fd (the file identity/device: its inode and device numbers) shared read/write,
 * and executable when it can be (bytes past the first page hold code chunks; a noexec mount or a
 * hardened runtime refuses: then no chunks), into out (address, size, executable, identity, device).
 * 0, or the errno with out left without a mapping. */
int file_map_shared(int fd, size_t size, uint64_t identity, uint64_t device, vmem_shared *out);

/* Records <root>/<first>/memory.buffers as the chosen directory (vmem_shared_directory) and
 * out->where as the path of file in it. */
void file_shared_record(vmem_shared *out, const char *root, const char *first, const char *file);

#endif
