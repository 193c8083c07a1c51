/* One coexistence case in a fresh process: libbuffers and upstream stand-ins (or two copies of one
 * stand-in) in this process, sharing the locator file of this PID under $BUFFERS_SHARED_ROOT.
 *     coexistence concurrent A B    A writes first (making the locator), then B, then 3 threads of
 *                                   each write at once; every byte and buffer is checked
 *     coexistence share A B         A writes 100 bytes, B must append right after them in the same
 *                                   buffer, then A right after B
 *     coexistence keeps-layout U    U (upstream) registers buffers; libbuffers must add its buffer in
 *                                   U's layout and leave U's items byte for byte as they were
 *     coexistence offsets U         U's fields sit at upstream's offsets, and its lock behaves as
 *                                   upstream's (Rust's swap overwrites a non-zero word)
 *     coexistence clash rust csharp the two upstreams cannot share (their known incompatibility)
 * A and B are "us" (libbuffers), "csharp" or "rust". Prints key=value facts and "problem: ..." lines;
 * exits 0 when there was no problem. */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <reloaded/buffers.h>

#include "coexistence_sides.h"

enum { THREADS_EACH = 3, WRITES_EACH = 150, LOG_CAPACITY = 2 * THREADS_EACH * WRITES_EACH + 16 };

static writer make_writer(const char *name, int side) {
    writer w = {name, side, NULL};
    if (strcmp(name, "csharp") == 0) w.upstream = upstream_csharp_load();
    else if (strcmp(name, "rust") == 0) w.upstream = upstream_rust_load();
    else if (strcmp(name, "us") == 0) w.name = "libbuffers";
    else fprintf(stderr, "unknown library '%s'\n", name), exit(2);
    return w;
}

/* Both writers use one locator, and everything written and registered is consistent. */
static size_t verify(const writer *a, const writer *b, written *log, size_t n) {
    uintptr_t la = locator_of(a), lb = locator_of(b);
    printf("locator_%s=%#lx locator_%s=%#lx\n", a->name, (unsigned long)la, b->name, (unsigned long)lb);
    size_t problems = 0;
    if (!la || la != lb) report_problem("the two do not use one locator"), problems++;
    problems += check_writes(log, n);
    side_view va = view_of(a), vb = view_of(b);
    problems += check_view(&va, log, n) + check_view(&vb, log, n) + check_views_agree(&va, &vb);
    printf("writes=%zu buffers_%s=%zu buffers_%s=%zu\n", n, a->name, va.count, b->name, vb.count);
    free_view(&va);
    free_view(&vb);
    return problems;
}

static size_t retries(const writer *a, const writer *b) {
    unsigned r = (a->upstream ? upstream_overrun_retries(a->upstream) : 0) +
                 (b->upstream ? upstream_overrun_retries(b->upstream) : 0);
    printf("upstream_overrun_retries=%u\n", r);
    return r;
}

static size_t concurrent(const writer *a, const writer *b) {
    written log[LOG_CAPACITY];
    size_t n = 0;
    log[n++] = write_through(a, 64, 0xA0000001u);
    log[n++] = write_through(b, 64, 0xB0000001u);
    write_concurrently(a, b, THREADS_EACH, WRITES_EACH, log, &n);
    retries(a, b);
    return verify(a, b, log, n);
}

static size_t share(const writer *a, const writer *b) {
    written log[3] = {write_through(a, 100, 0xA0000001u), write_through(b, 16, 0xB0000001u),
                      write_through(a, 16, 0xA0000002u)};
    size_t problems = 0;
    printf("first=%#lx second=%#lx third=%#lx\n", (unsigned long)log[0].address, (unsigned long)log[1].address,
           (unsigned long)log[2].address);
    if (!log[0].address || log[1].address != log[0].address + 100)
        report_problem("%s did not append right after %s's 100 bytes", b->name, a->name), problems++;
    if (!log[1].address || log[2].address != log[1].address + 16)
        report_problem("%s did not append right after %s's 16 bytes", a->name, b->name), problems++;
    return problems + verify(a, b, log, 3);
}

/* Raw copies of every item the upstream had registered. */
static size_t snapshot(upstream_library *up, uint8_t *out, size_t capacity) {
    upstream_buffer items[64];
    size_t n = upstream_list(up, items, 64), item_size = upstream_layout_of(up)->item_size, used = 0;
    for (size_t i = 0; i < n && i < 64 && used + item_size <= capacity; i++, used += item_size)
        memcpy(out + used, (const void *)items[i].item_address, item_size);
    return used;
}

static size_t keeps_layout(const writer *up, const writer *us) {
    written log[4];
    size_t n = 0, problems = 0;
    for (uint32_t i = 0; i < 3; i++) log[n++] = write_through(up, 3000, 0xA0000001u + i);
    upstream_buffer items[64];
    size_t count = upstream_list(up->upstream, items, 64);
    uint32_t fullest = 0;   /* a request none of the upstream's buffers can serve */
    for (size_t i = 0; i < count && i < 64; i++)
        if (items[i].size - items[i].position > fullest) fullest = items[i].size - items[i].position;
    uint8_t before[4096], after[4096];
    size_t bytes = snapshot(up->upstream, before, sizeof before);
    log[n++] = write_through(us, fullest + 1, 0xB0000001u);
    printf("upstream_items=%zu request=%u\n", count, fullest + 1);
    if (snapshot(up->upstream, after, sizeof after) < bytes || memcmp(before, after, bytes) != 0)
        report_problem("libbuffers changed the items %s had registered", up->name), problems++;
    size_t now = upstream_list(up->upstream, items, 64);
    if (now != count + 1) report_problem("%s now sees %zu items, expected %zu", up->name, now, count + 1), problems++;
    return problems + verify(up, us, log, n);
}

static uint32_t word_at(uintptr_t address) {
    uint32_t v;
    memcpy(&v, (const void *)address, 4);
    return v;
}

static size_t offsets(const writer *up) {
    const size_t P = sizeof(uintptr_t);
    bool rust = strcmp(up->name, "rust") == 0;
    size_t problems = 0;
    written w = write_through(up, 100, 0xA0000001u);
    uintptr_t header = locator_of(up), item = header + (P == 8 ? 24 : 16);
    uintptr_t base;
    memcpy(&base, (const void *)item, P);
    size_t count_at = rust ? (P == 8 ? 21 : 13) : (P == 8 ? 23 : 15), other = rust ? count_at + 2 : count_at - 2;
    uint32_t size = word_at(item + (rust ? P : P + 4)), position = word_at(item + (rust ? P + 4 : P + 8));
    /* Mappings bigger than 4096 bytes start with chunks of at most 16384 (upstream.md 3.4). */
    uint32_t page = (uint32_t)sysconf(_SC_PAGESIZE), chunks = (page - 4096 + 16383) / 16384;
    uint32_t want_count = chunks ? chunks : 1, want_size = chunks ? (page - 4096 < 16384 ? page - 4096 : 16384) : page;
    uintptr_t taken = item + (rust ? P + 8 : P);
    printf("count=%u other=%u base=%#lx size=%u position=%u taken=%u\n", *(uint8_t *)(header + count_at),
           *(uint8_t *)(header + other), (unsigned long)base, size, position, word_at(taken));
    if (*(uintptr_t *)header != header) report_problem("header's this-address is not the header"), problems++;
    if (*(uint8_t *)(header + count_at) != want_count || *(uint8_t *)(header + other) != 0)
        report_problem("the item count is not where %s keeps it", up->name), problems++;
    if (base != w.address || size != want_size || position != 100 || word_at(taken) != 0)
        report_problem("item 0's fields are not where %s keeps them", up->name), problems++;
    /* A foreign non-zero word where upstream keeps "taken": C# leaves it, Rust's swap overwrites it. */
    uint32_t foreign = 5;
    memcpy((void *)taken, &foreign, 4);
    upstream_item *got = upstream_get_buffer(up->upstream, 16, 0, upstream_max_address());
    if (!got || (uintptr_t)got == item) report_problem("a taken item was handed out"), problems++;
    else upstream_release(up->upstream, got);
    printf("taken_after_failed_lock=%u\n", word_at(taken));
    if (word_at(taken) != (rust ? 1u : 5u)) report_problem("the failed lock did not behave as %s's", up->name), problems++;
    return problems;
}

/* Rust registers a buffer; C# (count at 23) sees none and writes its item 0 over Rust's. */
static size_t clash(const writer *rust, const writer *csharp) {
    written r = write_through(rust, 100, 0xA0000001u), c = write_through(csharp, 100, 0xB0000001u);
    upstream_buffer seen[8];
    size_t n = upstream_list(rust->upstream, seen, 8);
    printf("rust_wrote=%#lx csharp_wrote=%#lx rust_item0=%#lx rust_items=%zu\n", (unsigned long)r.address,
           (unsigned long)c.address, (unsigned long)(n ? seen[0].base : 0), n);
    bool clashed = n == 1 && c.address && c.address != r.address + 100 && seen[0].base == c.address;
    if (!clashed) report_problem("the upstream stand-ins did not reproduce their incompatibility");
    return clashed ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc < 3) return fprintf(stderr, "usage: see the top of coexistence.c\n"), 2;
    umask(022);    /* a typical session; with 0 the C# stand-in's directories would be world-writable */
    alarm(240);    /* a hang is a failure, not a stuck test run */
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *layout = getenv("BUFFERS_LOCATOR_LAYOUT");
    printf("BUFFERS_LOCATOR_LAYOUT=%s\n", layout ? layout : "(unset)");
    writer a = make_writer(argv[2], strcmp(argv[2], "us") == 0 ? SIDE_US : SIDE_UPSTREAM);
    size_t problems;
    if (strcmp(argv[1], "offsets") == 0 && a.upstream) problems = offsets(&a);
    else if (argc < 4) return fprintf(stderr, "%s needs two libraries\n", argv[1]), 2;
    else {
        int side_b = strcmp(argv[3], "us") == 0 ? SIDE_US : a.side == SIDE_UPSTREAM ? SIDE_UPSTREAM_2 : SIDE_UPSTREAM;
        writer b = make_writer(argv[3], side_b);
        if (side_b == SIDE_UPSTREAM_2) b.name = "second_copy";
        if (strcmp(argv[1], "concurrent") == 0) problems = concurrent(&a, &b);
        else if (strcmp(argv[1], "share") == 0) problems = share(&a, &b);
        else if (strcmp(argv[1], "keeps-layout") == 0 && a.upstream && !b.upstream) problems = keeps_layout(&a, &b);
        else if (strcmp(argv[1], "clash") == 0 && a.upstream && b.upstream) problems = clash(&a, &b);
        else return fprintf(stderr, "unknown case '%s' for these libraries\n", argv[1]), 2;
    }
    printf("problems=%zu\n", problems);
    return problems ? 1 : 0;
}
