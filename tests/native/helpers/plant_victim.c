/* The victim of a planted locator item (tests/native/core/test_item_trust.cc). Uses the library once,
 * prints
 *     file=<its locator file> data=<a page of its static data> buffer=<base> size=<bytes> position=<p>
 * waits for a line on stdin (the test edits the file meanwhile), appends 16 bytes of code and prints
 *     status=<0 or the status> at=<address written> intact=<1 if the data page is unchanged>
 * Modes: fresh (the first item is released; the append goes to a new get_buffer), held (the first item
 * stays locked across the edit, and the append goes into it). $BUFFERS_SHARED_ROOT is the root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <reloaded/buffers.h>

#define DATA_PAGE 4096
static unsigned char data[3 * DATA_PAGE] __attribute__((aligned(DATA_PAGE))) = {1};   /* .data, not .bss */

static bool data_intact(void) {
    for (size_t i = 0; i < sizeof data; i++)
        if (data[i] != 0xA5) return false;
    return true;
}

int main(int argc, char **argv) {
    bool held = argc > 1 && strcmp(argv[1], "held") == 0;
    memset(data, 0xA5, sizeof data);
    buffers_search_settings settings = buffers_search_settings_default();
    settings.size = 16;
    buffers_item *item;
    if (buffers_get_buffer(&settings, &item) != BUFFERS_OK) return printf("error=%s\n", buffers_last_error()), 1;
    if (!buffers_item_append(item, "0123456789abcdef", 16)) return 1;
    printf("file=%s/Reloaded.Memory.Buffers.MemoryBuffer, PID %u\ndata=%#lx buffer=%#lx size=%u position=%u\n",
           buffers_locator_directory(), (unsigned)getpid(), (unsigned long)(data + DATA_PAGE),
           (unsigned long)buffers_item_base_address(item), (unsigned)buffers_item_size(item),
           (unsigned)buffers_item_position(item));
    if (!held) buffers_item_release(item);
    fflush(stdout);

    char line[16];
    if (!fgets(line, sizeof line, stdin)) return 2;
    static const unsigned char code[16] = {0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC,
                                           0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC, 0xCC};
    buffers_status status = BUFFERS_OK;
    if (!held) status = buffers_get_buffer(&settings, &item);
    uintptr_t at = status == BUFFERS_OK ? buffers_item_append_code(item, code, sizeof code) : 0;
    if (status == BUFFERS_OK) buffers_item_release(item);
    printf("status=%d at=%#lx intact=%d\n", (int)status, (unsigned long)at, data_intact() ? 1 : 0);
    if (!at) printf("error=%s\n", buffers_last_error());
    return 0;
}
