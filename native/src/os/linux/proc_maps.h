/* Linux only, shared by the OS-layer files: questions answered from /proc/<pid>/maps. */
#ifndef BUFFERS_VMEM_LINUX_MAPS_H
#define BUFFERS_VMEM_LINUX_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads a whole /proc file (its size is unknown in advance) into a malloc'd buffer. */
int linux_read_proc_file(const char *path, char **out_text, size_t *out_length);

/* True if process pid (0: this one) has a mapping starting at address of the file with this device
 * and inode, from its offset 0. False when the map cannot be read. */
bool linux_maps_file_at(uint32_t pid, uint64_t device, uint64_t inode, uintptr_t address);

/* 1 if process pid maps the file with this device and inode anywhere, 0 if not, -1 when its map
 * cannot be read. */
int linux_maps_file(uint32_t pid, uint64_t device, uint64_t inode);

#endif
