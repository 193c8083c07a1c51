/* Where the locator directories of the POSIX layers (Linux, macOS) live. */
#ifndef BUFFERS_OS_POSIX_SHARED_ROOT_H
#define BUFFERS_OS_POSIX_SHARED_ROOT_H

/* The folder the locator directories live under: the one vmem_shared_set_root chose, else
 * $BUFFERS_SHARED_ROOT when set (tests and sandboxes), else /tmp. */
const char *file_shared_root(void);

#endif
