/* Write-xor-execute buffers in a fresh process (the mode is chosen once per process). Prints
 * key=value lines and exits 0 when every check held; 1 with the failure on stderr otherwise.
 *     stress      buffers_use_write_xor_execute(), then 8 threads append 1,250 small functions each
 *                 while 2 threads keep calling functions already written; every byte checked, then
 *                 no buffer page may be writable and executable (/proc/self/maps)
 *     seccomp     a seccomp filter refuses mmap/mprotect asking for write and execute (EACCES);
 *                 then get, append code, call it: the mode must have been taken by itself
 *     seccomp-placed  the same filter for mappings at a chosen address only: the mode is not taken,
 *                 and a refused reservation must be PERMISSION naming the policy
 *     late        the ordinary mode in use, then buffers_use_write_xor_execute(): refused
 *     reserve     (env BUFFERS_WRITE_XOR_EXECUTE=1) reserve, fill through the writable view, commit, call
 *     reserve-asked  the same after buffers_use_write_xor_execute()
 *     window      a window kept by the caller (buffers_window_write) never writes inline in this mode
 *     plant       items planted in the write-xor-execute locator whose trailer names a writable view of
 *                 another object, or of the same object at another offset: never used, never written
 * Linux x86-64, i386 and aarch64 (the code it writes is `return constant`); on Windows (x86-64, x86)
 * stress, late and reserve, the page check asked of VirtualQuery. */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <reloaded/buffers.h>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
typedef HANDLE thread_t;
typedef struct thread_start {
    void *(*fn)(void *);
    void *argument;
} thread_start;
static DWORD WINAPI run_thread(LPVOID start) {   /* WINAPI: __stdcall on x86, unlike fn */
    thread_start what = *(thread_start *)start;
    free(start);
    what.fn(what.argument);
    return 0;
}
static bool start_thread(thread_t *thread, void *(*fn)(void *), void *argument) {
    thread_start *start = malloc(sizeof *start);
    if (!start) return false;
    *start = (thread_start){fn, argument};
    *thread = CreateThread(NULL, 0, run_thread, start, 0, NULL);
    if (!*thread) free(start);
    return *thread != NULL;
}
static void join_thread(thread_t thread) {
    WaitForSingleObject(thread, INFINITE);
    CloseHandle(thread);
}
#else
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
typedef pthread_t thread_t;
static bool start_thread(thread_t *thread, void *(*fn)(void *), void *argument) {
    return pthread_create(thread, NULL, fn, argument) == 0;
}
static void join_thread(thread_t thread) {
    pthread_join(thread, NULL);
}
#endif

enum { WRITERS = 8, APPENDS = 1250, CALLERS = 2, STUB = 8 };

#define FAIL(...) (fprintf(stderr, __VA_ARGS__), fprintf(stderr, " (last error: %s)\n", buffers_last_error()), exit(1))

/* `return value` as machine code, padded to STUB bytes. */
static void make_stub(uint32_t value, unsigned char out[STUB]) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned char code[STUB] = {0xB8, (unsigned char)value, (unsigned char)(value >> 8), (unsigned char)(value >> 16),
                                (unsigned char)(value >> 24), 0xC3, 0x90, 0x90};   /* mov eax, imm32; ret */
    memcpy(out, code, STUB);
#elif defined(__aarch64__)
    uint32_t words[2] = {0x52800000u | ((value & 0xFFFFu) << 5), 0xD65F03C0u};   /* movz w0, #imm16; ret */
    memcpy(out, words, STUB);
#else
#error "wx_probe: x86-64, i386 and aarch64 only"
#endif
}

static uint32_t value_of(uint32_t n) {
#if defined(__aarch64__)
    return (n * 2654435761u) & 0xFFFFu;   /* movz takes 16 bits */
#else
    return n * 2654435761u;
#endif
}

typedef uint32_t (*stub_fn)(void);

static _Atomic(uintptr_t) written[WRITERS * APPENDS];
static _Atomic(uint32_t) published;   /* written[0 .. published) may be called (in any order filled) */
static _Atomic(int) writers_left = WRITERS;

static void *writer(void *argument) {
    uint32_t first = (uint32_t)(uintptr_t)argument * APPENDS;
    buffers_search_settings settings = buffers_search_settings_default();
    settings.size = STUB;
    for (uint32_t n = first; n < first + APPENDS; n++) {
        unsigned char stub[STUB];
        make_stub(value_of(n), stub);
        buffers_item *item;
        if (buffers_get_buffer_aligned(&settings, STUB, &item) != BUFFERS_OK) FAIL("get %u failed", (unsigned)n);
        uintptr_t at = buffers_item_append_code(item, stub, STUB);
        buffers_item_release(item);
        if (!at) FAIL("append_code %u failed", (unsigned)n);
        atomic_store_explicit(&written[n], at, memory_order_release);
        atomic_fetch_add_explicit(&published, 1, memory_order_release);
    }
    atomic_fetch_sub(&writers_left, 1);
    return NULL;
}

/* Keeps calling functions already written, in the pages writers are appending to. */
static void *caller(void *argument) {
    unsigned long calls = 0;
    uint32_t seed = (uint32_t)(uintptr_t)argument * 7919u + 1;
    while (atomic_load(&writers_left) > 0 || calls < 1000) {
        seed = seed * 1103515245u + 12345u;
        uint32_t n = seed % (WRITERS * APPENDS);
        uintptr_t at = atomic_load_explicit(&written[n], memory_order_acquire);
        if (!at) continue;
        uint32_t got = ((stub_fn)at)();
        if (got != value_of(n)) FAIL("function %u at %#lx returned %#x, not %#x", (unsigned)n, (unsigned long)at,
                                     (unsigned)got, (unsigned)value_of(n));
        calls++;
    }
    printf("calls=%lu\n", calls);
    return NULL;
}

#ifdef _WIN32
/* Every function's page: execute+read, never writable. */
static void check_maps(void) {
    unsigned long pages = 0;
    for (uint32_t n = 0; n < WRITERS * APPENDS; n++) {
        MEMORY_BASIC_INFORMATION region;
        uintptr_t at = atomic_load(&written[n]);
        if (!VirtualQuery((const void *)at, &region, sizeof region)) FAIL("VirtualQuery %#lx", (unsigned long)at);
        if (region.Protect != PAGE_EXECUTE_READ) FAIL("function %u's page is not PAGE_EXECUTE_READ but %#lx", (unsigned)n,
                                                      (unsigned long)region.Protect);
        pages += (at & 0xFFF) < STUB;
    }
    printf("views=%lu code_views=%lu wx_views=0\n", pages, pages);
}
#else
/* Every buffer mapping holding one of the functions (and every view of the dual objects) is
 * checked: none may be both writable and executable; a function's own page must be r-x. */
static void check_maps(void) {
    FILE *maps = fopen("/proc/self/maps", "re");
    if (!maps) FAIL("cannot read /proc/self/maps");
    char line[512];
    unsigned long views = 0, code_views = 0;
    while (fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3) continue;
        bool dual = strstr(line, "buffers.wx") != NULL;
        bool holds = false;
        for (uint32_t n = 0; n < WRITERS * APPENDS && !holds; n++) {
            uintptr_t at = atomic_load(&written[n]);
            holds = at >= start && at < end;
        }
        if (!dual && !holds) continue;
        views++;
        if (perms[1] == 'w' && perms[2] == 'x') FAIL("writable and executable: %s", line);
        if (holds && strncmp(perms, "r-x", 3) != 0) FAIL("a function's page is not r-x: %s", line);
        if (holds) code_views++;
    }
    fclose(maps);
    if (!code_views) FAIL("no mapping holds the functions");
    printf("views=%lu code_views=%lu wx_views=0\n", views, code_views);
}
#endif

static int stress(void) {
    if (buffers_use_write_xor_execute() != BUFFERS_OK) FAIL("buffers_use_write_xor_execute failed");
    thread_t threads[WRITERS + CALLERS];
    for (uintptr_t t = 0; t < WRITERS + CALLERS; t++)
        if (!start_thread(&threads[t], t < WRITERS ? writer : caller, (void *)(t < WRITERS ? t : t - WRITERS)))
            FAIL("cannot start a thread");
    for (int t = 0; t < WRITERS + CALLERS; t++) join_thread(threads[t]);
    for (uint32_t n = 0; n < WRITERS * APPENDS; n++) {
        unsigned char stub[STUB];
        make_stub(value_of(n), stub);
        uintptr_t at = atomic_load(&written[n]);
        if (memcmp((const void *)at, stub, STUB) != 0) FAIL("the bytes of function %u at %#lx changed", n, (unsigned long)at);
    }
    printf("appends=%u\n", (unsigned)atomic_load(&published));
    check_maps();
    printf("reason=%s\n", buffers_write_xor_execute_reason());
    return 0;
}

#ifdef __linux__
#if defined(__x86_64__)
#define THIS_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define THIS_ARCH AUDIT_ARCH_AARCH64
#else
#define THIS_ARCH AUDIT_ARCH_I386
#endif
#if defined(SYS_mmap2)
#define MAP_CALL SYS_mmap2   /* what 32-bit glibc calls */
#else
#define MAP_CALL SYS_mmap
#endif

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* Refuses (EACCES, as SELinux execmem does) mmap and mprotect asking for both write and execute;
 * with only_placed, only mappings at a chosen address (MAP_FIXED_NOREPLACE: the library's
 * reservations, not its one-page probe), so the mode is not taken and the refusal surfaces. */
static void refuse_writable_executable(bool only_placed) {
    const unsigned short extra = only_placed ? 3 : 0;
    struct sock_filter filter[16] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, THIS_ARCH, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MAP_CALL, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mprotect, 0, (unsigned char)(4 + extra)),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
        BPF_STMT(BPF_ALU | BPF_AND | BPF_K, PROT_WRITE | PROT_EXEC),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROT_WRITE | PROT_EXEC, 0, (unsigned char)(1 + extra)),
    };
    unsigned short n = 9;
    if (only_placed) {
        filter[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3]));
        filter[n++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_AND | BPF_K, MAP_FIXED_NOREPLACE);
        filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, MAP_FIXED_NOREPLACE, 0, 1);
    }
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES);
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog program = {n, filter};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0)
        FAIL("seccomp: %s", strerror(errno));
    void *probe = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if ((probe == MAP_FAILED) != !only_placed) FAIL("the filter did not judge a writable and executable mapping");
    if (probe != MAP_FAILED) munmap(probe, 4096);
}

#endif

/* Gets a buffer, appends `return 42` and calls it. */
static void append_and_call(void) {
    buffers_search_settings settings = buffers_search_settings_default();
    settings.size = STUB;
    buffers_item *item;
    buffers_status status = buffers_get_buffer(&settings, &item);
    printf("status=%s\n", buffers_status_name(status));
    if (status != BUFFERS_OK) FAIL("get failed");
    printf("note=%s\n", buffers_last_error());
    unsigned char stub[STUB];
    make_stub(42, stub);
    uintptr_t at = buffers_item_append_code(item, stub, STUB);
    buffers_item_release(item);
    if (!at) FAIL("append_code failed");
    printf("called=%u\n", (unsigned)((stub_fn)at)());
}

#ifdef __linux__
static int seccomp(void) {
    refuse_writable_executable(false);
    append_and_call();
    printf("reason=%s\n", buffers_write_xor_execute_reason());
    return buffers_write_xor_execute_reason()[0] ? 0 : 1;
}

/* The probe passes, the reservations are refused: PERMISSION naming the policy, never NO_SPACE. */
static int seccomp_placed(void) {
    refuse_writable_executable(true);
    buffers_search_settings settings = buffers_search_settings_default();
    buffers_item *item;
    buffers_status status = buffers_get_buffer(&settings, &item);
    printf("status=%s\nerror=%s\n", buffers_status_name(status), buffers_last_error());
    return status == BUFFERS_ERROR_PERMISSION ? 0 : 1;
}

#endif

static int late(void) {
    append_and_call();
    buffers_status status = buffers_use_write_xor_execute();
    printf("late_status=%s\nlate_error=%s\n", buffers_status_name(status), buffers_last_error());
    return status == BUFFERS_ERROR_LOCATOR ? 0 : 1;
}

static int reserve(void) {
    buffers_search_settings settings = buffers_search_settings_default();
    settings.size = STUB;
    buffers_item *item;
    if (buffers_get_buffer(&settings, &item) != BUFFERS_OK) FAIL("get failed");
    uintptr_t address;
    void *writable;
    if (buffers_item_reserve(item, STUB, &address, &writable) != BUFFERS_OK) FAIL("reserve failed");
    buffers_item_release(item);
    printf("distinct=%d\n", (uintptr_t)writable != address);
    unsigned char stub[STUB];
    make_stub(7, stub);
    memcpy(writable, stub, STUB);
    if (buffers_commit_code(address, STUB) != BUFFERS_OK) FAIL("commit failed");
    printf("called=%u\nreason=%s\n", (unsigned)((stub_fn)address)(), buffers_write_xor_execute_reason());
    return 0;
}

#ifdef __linux__
/* A read+execute view of a new "buffers.wx" memfd of size bytes, and its read+write view. */
static uintptr_t dual_object(size_t size, uintptr_t *write) {
    int fd = (int)syscall(SYS_memfd_create, "buffers.wx", 0);
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0) FAIL("memfd: %s", strerror(errno));
    void *w = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void *x = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    close(fd);
    if (w == MAP_FAILED || x == MAP_FAILED) FAIL("mmap: %s", strerror(errno));
    *write = (uintptr_t)w;
    return (uintptr_t)x;
}

/* Appends an item (base, size, free, position 0) to the locator at loc, in the document's layout. */
static void plant_item(uintptr_t loc, uintptr_t base, uint32_t size) {
    const size_t header = 2 * sizeof(void *) + 8, item = sizeof(void *) + 12;
    unsigned char *count = (unsigned char *)loc + 2 * sizeof(void *) + 5;
    unsigned char *at = (unsigned char *)loc + header + *count * item;
    uint32_t words[3] = {0, size, 0};
    memcpy(at, &base, sizeof base);
    memcpy(at + sizeof base, words, sizeof words);
    atomic_thread_fence(memory_order_release);
    count[2] = count[0] = (unsigned char)(*count + 1);   /* offsets 21 and 23 (32-bit: 13 and 15) */
}

static int plant(void) {
    if (buffers_use_write_xor_execute() != BUFFERS_OK) FAIL("buffers_use_write_xor_execute failed");
    uintptr_t loc = buffers_locator_address();
    if (!loc) FAIL("no locator");
    enum { SIZE = 8192, ITEM = SIZE - 16 };
    const uint64_t magic = 0x3178572e7366667bull;   /* the trailer of native/src/core/item_index.h */
    uintptr_t decoy_write, code_write, other_write;
    (void)dual_object(SIZE, &decoy_write);
    uintptr_t code = dual_object(SIZE, &code_write);
    uintptr_t other = dual_object(2 * SIZE, &other_write);   /* the same object, shifted by a page */
    const struct { const char *name; uintptr_t base, write; } cases[] = {
        {"another-object", code, decoy_write},
        {"another-offset", other, other_write + 4096},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t trailer[2] = {magic, cases[i].write};
        uintptr_t trailer_write = cases[i].base == code ? code_write + ITEM : other_write + ITEM;
        memcpy((void *)trailer_write, trailer, sizeof trailer);
        plant_item(loc, cases[i].base, ITEM);
        buffers_search_settings settings = {cases[i].base, cases[i].base + ITEM - 1, 16};
        buffers_item *item;
        buffers_status status = buffers_get_buffer(&settings, &item);
        printf("%s=%s\n", cases[i].name, buffers_status_name(status));
        printf("%s_error=%s\n", cases[i].name, buffers_last_error());
        if (status == BUFFERS_OK) FAIL("%s: a planted item was handed out", cases[i].name);
        /* Listed in the shared file, never verified: commit refuses it too. */
        printf("%s_commit=%s\n", cases[i].name, buffers_status_name(buffers_commit_code(cases[i].base, 16)));
    }
    static const unsigned char zeros[SIZE - 16];
    if (memcmp((const void *)decoy_write, zeros, sizeof zeros) != 0) FAIL("the decoy was written");
    if (memcmp((const void *)(other_write + 4096), zeros, ITEM - 4096) != 0) FAIL("the shifted view was written");
    printf("untouched=1\n");
    return 0;
}

#endif

/* A window kept by the caller: in layout 1 (old headers, and the Java side) it must never take the
 * inline path here, whose plain store would land in the read+execute view; in layout 2 it writes
 * through the writable view (the entry's write_delta), as the inline append of an item does. Each
 * write reads back at the address the code runs from. */
static int window(void) {
    if (buffers_use_write_xor_execute() != BUFFERS_OK) FAIL("buffers_use_write_xor_execute failed");
    buffers_search_settings settings = {0, UINTPTR_MAX, 64};
    buffers_window old_layout, w;
    if (buffers_window_open(&settings, 1u, &old_layout) != BUFFERS_OK) FAIL("window_open (layout 1) failed");
    if (buffers_window_open(&settings, BUFFERS_WINDOW_LAYOUT, &w) != BUFFERS_OK) FAIL("window_open failed");
    printf("inline1=%d\n", old_layout.hint != NULL);
    printf("inline=%d\n", w.hint != NULL);
    static const char bytes[16] = "window, wx mode";
    for (int i = 0; i < 300; i++) {
        uintptr_t at = 0;
        buffers_item *item;
        if (i % 3 == 0 && buffers_window_write(&old_layout, bytes, sizeof bytes, &at) != BUFFERS_OK)
            FAIL("window_write (layout 1) failed");
        if (i % 3 == 1 && buffers_window_write(&w, bytes, sizeof bytes, &at) != BUFFERS_OK) FAIL("window_write failed");
        if (i % 3 == 2) {
            if (buffers_window_get(&w, &item) != BUFFERS_OK) FAIL("window_get failed");
            at = buffers_item_append(item, bytes, sizeof bytes);
            buffers_item_release(item);
            if (!at) FAIL("append failed");
        }
        if (memcmp((const void *)at, bytes, sizeof bytes) != 0) FAIL("window write: bytes differ");
    }
    printf("written=300\n");
    return 0;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "";
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (strcmp(mode, "stress") == 0) return stress();
#ifdef __linux__
    if (strcmp(mode, "seccomp") == 0) return seccomp();
    if (strcmp(mode, "seccomp-placed") == 0) return seccomp_placed();
    if (strcmp(mode, "plant") == 0) return plant();
#endif
    if (strcmp(mode, "late") == 0) return late();
    if (strcmp(mode, "window") == 0) return window();
    if (strcmp(mode, "reserve") == 0) return reserve();
    if (strcmp(mode, "reserve-asked") == 0) {
        if (buffers_use_write_xor_execute() != BUFFERS_OK) FAIL("buffers_use_write_xor_execute failed");
        return reserve();
    }
    fprintf(stderr, "usage: wx_probe stress|seccomp|seccomp-placed|late|reserve|reserve-asked|plant|window\n");
    return 2;
}
