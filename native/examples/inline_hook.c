/*
 * inline_hook: an x86-64 Linux inline hook built on libbuffers, the way a hooking library would.
 *
 * Hooking a function overwrites its first 5 bytes with `jmp rel32` to a chunk near it. The chunk
 * holds a relay (an absolute jump to the replacement, which may be anywhere) and a trampoline (the
 * overwritten instructions, then an absolute jump back into the function), through which the
 * replacement calls the original. The chunk's bytes depend on where it lives, so:
 *
 *   1. buffers_search_settings_rel32(target, size): the window the 5-byte jump reaches, every byte;
 *   2. buffers_get_buffer + buffers_item_reserve: the chunk's address, before any byte is written;
 *   3. fill it through the writable address; on failure buffers_item_unreserve while still held;
 *   4. buffers_item_release, then buffers_commit_code (any thread, any time later);
 *   5. patch the target.
 *
 * It hooks a function of its own and two libc functions (labs, getpid: called through pointers
 * from dlsym, so the compiler cannot inline or fold them), calls through the trampolines, checks
 * the results, unhooks, and shows that a function it cannot relocate leaves no bytes behind.
 *
 * The instruction decoder knows only the position-independent instructions common in prologues
 * (it refuses relative branches and RIP-relative operands rather than relocating them): enough for
 * an example, not for a hooking library. Patching is not safe against other threads running the
 * target meanwhile; this program has one thread.
 *
 * With --write-xor-execute it first calls buffers_use_write_xor_execute() (as BUFFERS_WRITE_XOR_EXECUTE=1
 * would): the chunks then run read+execute and are written through a second view, so the writable
 * address differs from the chunk's, and the same code works unchanged.
 *
 * Exit status: 0 all checks passed, 1 a check failed, 77 not x86-64 Linux (ctest: skipped).
 */
#if defined(__x86_64__) && defined(__linux__)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <reloaded/buffers.h>

enum {
    JMP_REL32_SIZE = 5,     /* E9 + 32-bit displacement */
    JMP_ABS_SIZE = 14,      /* FF 25 00000000 (jmp [rip+0]) + 64-bit address */
    MAX_STOLEN = 16,        /* the longest prologue this example copies */
    CHUNK_SIZE = JMP_ABS_SIZE + MAX_STOLEN + JMP_ABS_SIZE
};

typedef struct hook {
    uint8_t  *target;
    uint8_t   original[JMP_REL32_SIZE];
    uintptr_t chunk;         /* relay, then trampoline */
    uintptr_t writable;      /* where the chunk was written (the chunk itself unless write-xor-execute) */
    void     *trampoline;    /* call this to run the original */
} hook;

/* ---- a tiny length decoder for position-independent prologue instructions ---- */

/* Bytes of a ModRM operand (ModRM, SIB, displacement); sets *rip_relative for [rip + disp32]. */
static size_t modrm_length(const uint8_t *p, bool *rip_relative) {
    uint8_t mod = p[0] >> 6, rm = p[0] & 7;
    size_t n = 1;
    if (mod == 3) return n;
    if (rm == 4) {
        n++;                                               /* SIB */
        if (mod == 0 && (p[1] & 7) == 5) n += 4;           /* [index*scale + disp32] */
    } else if (mod == 0 && rm == 5) {
        *rip_relative = true;
        n += 4;
    }
    return n + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
}

/* Length of the instruction at p, or 0 if this decoder does not know it or it depends on where it
 * runs (relative branches, RIP-relative operands, ret: the function would be too short). */
static size_t instruction_length(const uint8_t *p) {
    static const uint8_t endbr64[] = {0xF3, 0x0F, 0x1E, 0xFA};
    if (memcmp(p, endbr64, sizeof endbr64) == 0) return 4;
    size_t n = 0;
    bool rex_w = false, rip_relative = false;
    if ((p[n] & 0xF0) == 0x40) rex_w = (p[n++] & 8) != 0;   /* REX */
    uint8_t op = p[n++];
    size_t length;
    if ((op >= 0x50 && op <= 0x5F) || op == 0x90 || op == 0x99) return n;   /* push, pop, nop, cdq/cqo */
    if (op >= 0xB8 && op <= 0xBF) return n + (rex_w ? 8 : 4);              /* mov reg, imm */
    switch (op) {
    case 0x01: case 0x03: case 0x09: case 0x0B: case 0x21: case 0x23: case 0x29: case 0x2B:
    case 0x31: case 0x33: case 0x39: case 0x3B: case 0x85: case 0x89: case 0x8B: case 0x8D:
        length = n + modrm_length(p + n, &rip_relative);   /* add, or, and, sub, xor, cmp, test, mov, lea */
        break;
    case 0x83: case 0xC1:                                  /* group 1 and shifts, imm8 */
        length = n + modrm_length(p + n, &rip_relative) + 1;
        break;
    case 0x81: case 0xC7:                                  /* group 1 and mov, imm32 */
        length = n + modrm_length(p + n, &rip_relative) + 4;
        break;
    case 0xF7:                                             /* test imm32 (/0, /1), not, neg, mul, div */
        length = n + modrm_length(p + n, &rip_relative) + (((p[n] >> 3) & 7) < 2 ? 4 : 0);
        break;
    case 0x0F: {
        uint8_t op2 = p[n++];
        if ((op2 & 0xF0) != 0x40 && op2 != 0xAF && op2 != 0xB6 && op2 != 0xB7 && op2 != 0xBE && op2 != 0xBF)
            return 0;                                      /* cmovcc, imul, movzx, movsx only */
        length = n + modrm_length(p + n, &rip_relative);
        break;
    }
    default:
        return 0;
    }
    return rip_relative ? 0 : length;
}

/* ---- writing code ---- */

static void put_jmp_abs(uint8_t *at, uintptr_t destination) {
    static const uint8_t jmp_rip[] = {0xFF, 0x25, 0, 0, 0, 0};   /* jmp [rip+0]: the address follows */
    memcpy(at, jmp_rip, sizeof jmp_rip);
    memcpy(at + sizeof jmp_rip, &destination, sizeof destination);
}

/* Overwrites bytes of code that is not ours to write (the target's pages are r-x). */
static bool patch_code(uint8_t *at, const uint8_t *bytes, size_t size) {
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t first = (uintptr_t)at & ~(page - 1), end = ((uintptr_t)at + size + page - 1) & ~(page - 1);
    if (mprotect((void *)first, end - first, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) {
        perror("mprotect");
        return false;
    }
    memcpy(at, bytes, size);
    mprotect((void *)first, end - first, PROT_READ | PROT_EXEC);
    __builtin___clear_cache((char *)at, (char *)at + size);
    return true;
}

/* Fills the chunk (relay, then trampoline) through its writable address; false if the target's
 * first instructions cannot be moved. */
static bool fill_chunk(uint8_t *writable, uintptr_t chunk, const uint8_t *target, void *replacement) {
    size_t stolen = 0;
    while (stolen < JMP_REL32_SIZE) {
        size_t length = instruction_length(target + stolen);
        if (length == 0 || stolen + length > MAX_STOLEN) {
            fprintf(stderr, "  cannot move the instruction at %p+%zu (%02x %02x %02x %02x)\n", (void *)target, stolen,
                    target[stolen], target[stolen + 1], target[stolen + 2], target[stolen + 3]);
            return false;
        }
        stolen += length;
    }
    (void)chunk;   /* the chunk's own address is not needed: every jump in it is absolute */
    put_jmp_abs(writable, (uintptr_t)replacement);
    memcpy(writable + JMP_ABS_SIZE, target, stolen);
    put_jmp_abs(writable + JMP_ABS_SIZE + stolen, (uintptr_t)target + stolen);
    return true;
}

static bool hook_install(hook *h, void *target, void *replacement) {
    h->target = target;
    buffers_search_settings settings = buffers_search_settings_rel32((uintptr_t)target, CHUNK_SIZE);
    buffers_item *item;
    if (buffers_get_buffer(&settings, &item) != BUFFERS_OK) {
        fprintf(stderr, "  no buffer near %p: %s\n", target, buffers_last_error());
        return false;
    }
    uintptr_t chunk;
    void *writable;
    if (buffers_item_reserve(item, CHUNK_SIZE, &chunk, &writable) != BUFFERS_OK) {
        fprintf(stderr, "  reserve: %s\n", buffers_last_error());
        buffers_item_release(item);
        return false;
    }
    /* Filled while the item is held, so that a failure can give the bytes back. */
    if (!fill_chunk(writable, chunk, target, replacement)) {
        if (buffers_item_unreserve(item, chunk) != BUFFERS_OK)
            fprintf(stderr, "  unreserve: %s\n", buffers_last_error());
        buffers_item_release(item);
        return false;
    }
    buffers_item_release(item);
    if (buffers_commit_code(chunk, CHUNK_SIZE) != BUFFERS_OK) {
        fprintf(stderr, "  commit: %s\n", buffers_last_error());
        return false;
    }
    /* The settings guarantee the displacement fits; check it as a hooking library must anyway. */
    int64_t displacement = (int64_t)(chunk - ((uintptr_t)target + JMP_REL32_SIZE));
    if (displacement < INT32_MIN || displacement > INT32_MAX) {
        fprintf(stderr, "  chunk %#lx is out of reach of %p\n", (unsigned long)chunk, target);
        return false;
    }
    uint8_t jump[JMP_REL32_SIZE] = {0xE9};
    int32_t rel32 = (int32_t)displacement;
    memcpy(jump + 1, &rel32, sizeof rel32);
    memcpy(h->original, target, sizeof h->original);
    h->chunk = chunk;
    h->writable = (uintptr_t)writable;
    h->trampoline = (void *)(chunk + JMP_ABS_SIZE);
    return patch_code(h->target, jump, sizeof jump);
}

/* Puts the target's bytes back. The chunk stays: appended bytes are permanent, and a thread may
 * still be running in the trampoline. */
static bool hook_remove(hook *h) {
    return patch_code(h->target, h->original, sizeof h->original);
}

/* ---- what is hooked ---- */

/* A function of our own, kept out of line and called through a pointer. */
__attribute__((noinline)) static int scale(int a, int b) {
    return a * 3 + b;
}

/* A function this decoder must refuse: its first instruction is RIP-relative. */
__asm__(".pushsection .text\n"
        ".globl inline_hook_rip_stub\n"
        ".hidden inline_hook_rip_stub\n"
        ".type inline_hook_rip_stub, @function\n"
        "inline_hook_rip_stub:\n"
        "    lea 0(%rip), %rax\n"
        "    ret\n"
        "    .size inline_hook_rip_stub, .-inline_hook_rip_stub\n"
        ".popsection\n");
void inline_hook_rip_stub(void);

static hook scale_hook, labs_hook, getpid_hook;
static int getpid_calls;

static int hooked_scale(int a, int b) {
    return ((int (*)(int, int))scale_hook.trampoline)(a, b) * 10;
}

static long hooked_labs(long value) {
    return ((long (*)(long))labs_hook.trampoline)(value) + 1000;
}

static pid_t hooked_getpid(void) {
    getpid_calls++;
    return ((pid_t (*)(void))getpid_hook.trampoline)();
}

/* ---- checks ---- */

static int failures;

static void check(bool ok, const char *what) {
    printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) failures++;
}

/* The position of the buffer that serves the reach window of target (where its next chunk goes). */
static uint32_t next_position_near(void *target) {
    buffers_search_settings settings = buffers_search_settings_rel32((uintptr_t)target, CHUNK_SIZE);
    buffers_item *item;
    if (buffers_get_buffer(&settings, &item) != BUFFERS_OK) return UINT32_MAX;
    uint32_t position = buffers_item_position(item);
    buffers_item_release(item);
    return position;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--write-xor-execute") == 0 && buffers_use_write_xor_execute() != BUFFERS_OK) {
        fprintf(stderr, "write-xor-execute: %s\n", buffers_last_error());
        return 1;
    }
    int (*volatile call_scale)(int, int) = scale;
    long (*volatile call_labs)(long) = (long (*)(long))dlsym(RTLD_DEFAULT, "labs");
    pid_t (*volatile call_getpid)(void) = (pid_t (*)(void))dlsym(RTLD_DEFAULT, "getpid");
    if (!call_labs || !call_getpid) {
        fprintf(stderr, "dlsym: %s\n", dlerror());
        return 1;
    }
    pid_t pid = (pid_t)syscall(SYS_getpid);

    check(call_scale(2, 1) == 7, "scale(2, 1) is 7 before hooking");
    check(hook_install(&scale_hook, (void *)scale, (void *)hooked_scale), "hook scale (our own function)");
    check(call_scale(2, 1) == 70, "hooked scale(2, 1) is 70 (the original through the trampoline, times 10)");

    check(hook_install(&labs_hook, (void *)call_labs, (void *)hooked_labs), "hook labs (libc)");
    check(call_labs(-5) == 1005, "hooked labs(-5) is 1005");
    check(hook_install(&getpid_hook, (void *)call_getpid, (void *)hooked_getpid), "hook getpid (libc)");
    check(call_getpid() == pid && getpid_calls >= 1, "hooked getpid returns the pid and counts the call");
    check(!buffers_write_xor_execute_reason()[0] || scale_hook.writable != scale_hook.chunk,
          "in write-xor-execute mode the chunk is written through another address");
    printf("     mode: %s\n", buffers_write_xor_execute_reason()[0] ? buffers_write_xor_execute_reason()
                                                                    : "read/write/execute buffers");
    printf("     trampolines at %#lx (scale), %#lx (labs), %#lx (getpid)\n", (unsigned long)scale_hook.chunk,
           (unsigned long)labs_hook.chunk, (unsigned long)getpid_hook.chunk);

    check(hook_remove(&scale_hook) && call_scale(2, 1) == 7, "unhooked scale(2, 1) is 7 again");
    check(hook_remove(&labs_hook) && call_labs(-5) == 5, "unhooked labs(-5) is 5 again");
    int calls = getpid_calls;
    check(hook_remove(&getpid_hook) && call_getpid() == pid && getpid_calls == calls, "unhooked getpid is not counted");

    /* A prologue the decoder refuses: the reserved chunk is given back while still held. */
    uint32_t before = next_position_near((void *)inline_hook_rip_stub);
    hook refused;
    check(!hook_install(&refused, (void *)inline_hook_rip_stub, (void *)hooked_scale),
          "a RIP-relative prologue is refused");
    check(before != UINT32_MAX && next_position_near((void *)inline_hook_rip_stub) == before,
          "and its reserved chunk was given back (the buffer's position did not move)");

    printf("%s\n", failures ? "inline_hook: FAILED" : "inline_hook: all checks passed");
    return failures ? 1 : 0;
}

#else
#include <stdio.h>

int main(void) {
    printf("skipped: inline_hook patches x86-64 machine code and uses Linux calls; this build is neither\n");
    return 77;
}
#endif
