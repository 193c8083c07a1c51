/* Linux only: the object behind a write-xor-execute buffer's two views (os/linux/vmem.c maps it). */
#ifndef BUFFERS_VMEM_LINUX_DUAL_H
#define BUFFERS_VMEM_LINUX_DUAL_H

#include <stddef.h>

/* A new shared object of size bytes that nobody else can open: a memfd named "buffers.wx", else an
 * unlinked file "buffers.wx.XXXXXX" in /dev/shm or /tmp (kernels before 3.17, memfd refused by a
 * filter). 0 and *out_fd (close-on-exec), or an errno. */
int linux_dual_object(size_t size, int *out_fd);

#endif
