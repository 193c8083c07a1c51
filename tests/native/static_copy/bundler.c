/* A shared library that bundles libbuffers.a, as a hooking library would: it uses the C API
 * inside and exports only its own function. With BUFFERS_STATIC_HIDDEN (the default) none of the
 * buffers_* symbols it linked in may appear in its dynamic symbol table. */
#include <reloaded/buffers.h>

#if defined(__GNUC__)
#define BUNDLER_API __attribute__((visibility("default")))
#else
#define BUNDLER_API
#endif

BUNDLER_API int bundler_place_code(const void *code, size_t size, uintptr_t near, uintptr_t *out_address);

int bundler_place_code(const void *code, size_t size, uintptr_t near, uintptr_t *out_address) {
    buffers_search_settings settings = buffers_search_settings_rel32(near, (uint32_t)size);
    return buffers_write_code(&settings, code, size, out_address) == BUFFERS_OK ? 0 : -1;
}
