/* A hook's view of libbuffers: get a buffer within 2 GiB of a function, write a trampoline-sized
 * chunk of code there, and one in the first 2 GiB; print what was handed out. */
#include <inttypes.h>
#include <stdio.h>

#include <reloaded/buffers.h>

static int hooked_function(int x) { return x * 3; }

static int show(const char *what, const buffers_search_settings *settings, uintptr_t target) {
    static const uint8_t code[] = {0xC3, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90}; /* ret; nops */
    buffers_item *item;
    buffers_status status = buffers_get_buffer(settings, &item);
    if (status != BUFFERS_OK) {
        fprintf(stderr, "%s: %s\n", what, buffers_last_error());
        return 1;
    }
    uintptr_t at = buffers_item_append_code(item, code, sizeof code);
    uintptr_t base = buffers_item_base_address(item);
    uint32_t size = buffers_item_size(item), left = buffers_item_bytes_left(item);
    buffers_item_release(item);
    uintptr_t distance = at > target ? at - target : target - at;
    int ok = at != 0 && at >= settings->min_address && base + size <= settings->max_address;
    printf("%-22s code at 0x%016" PRIxPTR "  buffer 0x%016" PRIxPTR " +%-6u left %-6u distance %#" PRIxPTR " %s\n",
           what, at, base, size, left, distance, ok ? "ok" : "OUT OF RANGE");
    return ok ? 0 : 1;
}

int main(void) {
    uintptr_t target = (uintptr_t)&hooked_function;
    printf("libbuffers %s, granularity %u, max address %#" PRIxPTR "\n", buffers_version(),
           buffers_allocation_granularity(), buffers_max_address());
    buffers_search_settings near = buffers_search_settings_from_proximity(0x7FFFFFFF, target, 64);
    buffers_search_settings low = {0, 0x7FFFFFFF, 64};
    int failures = show("near hooked_function", &near, target) + show("first 2 GiB", &low, 0);
    printf("locator at %#" PRIxPTR " in %s\n", buffers_locator_address(), buffers_locator_directory());
    return failures ? 1 : 0;
}
