/* A fresh process for the layout tests: optionally opts in to Rust's item layout by the C call,
 * gets a buffer, and prints what the locator holds: layout=<name> status=<name>
 * count21=<n> count23=<n> word8=<n> word16=<n> (item 0's words at 64-bit offsets 8 and 16; 4 and 12
 * on 32-bit). Usage: layout_probe [call] */
#include <reloaded/buffers.h>

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    buffers_status status = BUFFERS_OK;
    if (argc > 1 && strcmp(argv[1], "call") == 0) status = buffers_use_rust_layout();
    printf("status=%s\n", buffers_status_name(status));
    buffers_search_settings s = {0, 0x7FFFFFFF, 64};
    buffers_item *item;
    buffers_status got = buffers_get_buffer(&s, &item);
    if (got != BUFFERS_OK) return printf("get=%s error=%s\n", buffers_status_name(got), buffers_last_error()), 1;
    buffers_item_release(item);
    const unsigned char *locator = (const unsigned char *)buffers_locator_address();
    size_t pointer = sizeof(void *), item0 = pointer == 8 ? 24 : 16;   /* after the header */
    unsigned word_first, word_last;
    memcpy(&word_first, locator + item0 + pointer, 4);
    memcpy(&word_last, locator + item0 + pointer + 8, 4);
    printf("layout=%s count21=%u count23=%u word8=%u word16=%u\n", buffers_locator_layout(),
           (unsigned)locator[2 * pointer + 5], (unsigned)locator[2 * pointer + 7], word_first, word_last);
    return 0;
}
