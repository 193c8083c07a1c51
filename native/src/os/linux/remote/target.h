/* Linux only: facts about another process read from /proc, for the ptrace sessions
 * (os/linux/remote/ptrace.c): a thread that can be stopped, and where a system-call instruction lies. */
#ifndef BUFFERS_VMEM_LINUX_TARGET_H
#define BUFFERS_VMEM_LINUX_TARGET_H

#include <stddef.h>
#include <stdint.h>

/* Field number field (1-based, as proc(5) counts; 3 and up) of the stat file at path
 * ("/proc/<pid>/stat", "/proc/<pid>/task/<tid>/stat"), or NULL if it cannot be read. The command
 * name (field 2) may hold spaces and ')', so fields are counted after its last ')'. The text is
 * this thread's and lasts until its next call. */
const char *target_stat_field(const char *path, int field);

/* The state letter of thread tid of pid in /proc (R, S, D, T, t, Z, ...); 0 if it is gone. */
char target_thread_state(uint32_t pid, int tid);

/* The thread to stop: the main thread unless it has exited (a zombie leader never stops), else
 * the first thread that has not; 0 if none is left. */
int target_pick_thread(uint32_t pid);

/* Finds the bytes of instruction (starting at a multiple of align) in executable memory of pid:
 * the vDSO first, then the other executable mappings. avoid is an address not to return (the
 * thread's own pc). Reads /proc/<pid>/mem, so the caller must be allowed to (it has seized pid).
 * Returns 0 with *out, or ENOEXEC with the reason in why, or an errno. */
int target_find_instruction(uint32_t pid, const unsigned char *instruction, size_t length, size_t align,
                            uintptr_t avoid, uintptr_t *out, char *why, size_t why_size);

#endif
