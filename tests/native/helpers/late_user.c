/* Helper for test_process_create.cc: a program that links the library but does not use it until
 * told to, so another process can create its locator first.
 *     late_user
 * Prints "waiting" and blocks reading stdin. After a line arrives it makes its first library calls:
 * prints "locator <address>" (buffers_locator_address), then "buffer <base> <size> <position>
 * <first position bytes in hex, at most 32>" for every registered buffer, then gets a buffer of its
 * own in the first 2 GiB, appends 8 bytes and prints "own <address>" (or "error ..."), and "done".
 * Then waits for another line and exits 0 (3 if stdin ends first).
 *     late_user in-thread
 * The same in a second thread while the main thread waits for it: a session from outside stops the
 * main thread (picked first), so the library is used while a session is in flight. */
#include <reloaded/buffers.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_BUFFERS = 64, SHOWN_BYTES = 32 };

static void print_buffers(void) {
    buffers_buffer_info info[MAX_BUFFERS];
    size_t count = 0;
    if (buffers_list_buffers(info, MAX_BUFFERS, &count) != BUFFERS_OK) {
        printf("error listing: %s\n", buffers_last_error());
        return;
    }
    for (size_t i = 0; i < count && i < MAX_BUFFERS; i++) {
        printf("buffer %#lx %u %u ", (unsigned long)info[i].base_address, info[i].size, info[i].position);
        const unsigned char *bytes = (const unsigned char *)info[i].base_address;
        for (uint32_t k = 0; k < info[i].position && k < SHOWN_BYTES; k++) printf("%02x", bytes[k]);
        printf("\n");
    }
}

/* From the first line on stdin to the exit status. */
static int use_library(void) {
    char line[64];
    if (!fgets(line, sizeof line, stdin)) return 2;
    printf("locator %#lx\n", (unsigned long)buffers_locator_address());
    print_buffers();
    buffers_search_settings settings = {0, 0x7FFFFFFF, 64};
    buffers_item *item;
    if (buffers_get_buffer(&settings, &item) == BUFFERS_OK) {
        printf("own %#lx\n", (unsigned long)buffers_item_append(item, "late use", 8));
        buffers_item_release(item);
    } else {
        printf("error %s\n", buffers_last_error());
    }
    printf("done\n");
    fflush(stdout);
    return fgets(line, sizeof line, stdin) ? 0 : 3;
}

static void *use_library_thread(void *unused) {
    (void)unused;
    return (void *)(intptr_t)use_library();
}

int main(int argc, char **argv) {
    printf("waiting\n");
    fflush(stdout);
    if (argc < 2 || strcmp(argv[1], "in-thread") != 0) return use_library();
    pthread_t user;
    void *status = NULL;
    if (pthread_create(&user, NULL, use_library_thread, NULL) != 0 || pthread_join(user, &status) != 0) return 4;
    return (int)(intptr_t)status;
}
