/* The smallest useful program against the installed library; exits 0 if it got and wrote a buffer. */
#include <stdio.h>

#include <reloaded/buffers.h>

int main(void) {
    buffers_search_settings settings = {0, 0x7FFFFFFF, 8};
    buffers_item *item;
    if (buffers_get_buffer(&settings, &item) != BUFFERS_OK) {
        fprintf(stderr, "%s\n", buffers_last_error());
        return 1;
    }
    uintptr_t at = buffers_item_append(item, "consumer", 8);
    buffers_item_release(item);
    printf("libbuffers %s wrote at %#lx\n", buffers_version(), (unsigned long)at);
    return at ? 0 : 1;
}
