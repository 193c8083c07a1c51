/* The trust rules for the directories locator files live in (docs/locator-security.md, rules 1-3),
 * the same on Linux and macOS: opened one component at a time without following a symlink, owned by
 * this user or root, a shared one sticky when others may write to it, a per-user one ours and closed
 * to others. */
#ifndef BUFFERS_OS_POSIX_DIRECTORIES_H
#define BUFFERS_OS_POSIX_DIRECTORIES_H

#include <stdbool.h>
#include <stddef.h>

/* Opens (creating it if missing: mode 01777 when shared, else 0700) directory name under parent and
 * checks it may be trusted; a per-user directory of ours open to others is narrowed to 0700. Its
 * descriptor, or with why a negative errno: -EACCES when it may not be trusted, else the failing
 * call's (-EROFS, -EMFILE, ...). */
int file_open_checked_directory(int parent, const char *name, bool shared, char *why, size_t why_size);

/* The same checks on a directory that must exist already, changing nothing (no mkdir, no chmod: a
 * per-user directory open to others is refused, not tightened): for the files another process uses.
 * -ENOENT when it is missing. */
int file_open_existing_directory(int parent, const char *name, bool shared, char *why, size_t why_size);

#endif
