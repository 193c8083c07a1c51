// The public header compiles as C++ (the C++ consumer of the installed package).
#include <reloaded/buffers.h>

int main() {
    buffers_search_settings settings = buffers_search_settings_default();
    return settings.size == 4096 ? 0 : 1;
}
