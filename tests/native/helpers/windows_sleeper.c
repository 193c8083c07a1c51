/* A second process for test_windows_process.cc to allocate memory in: it only waits (at most a
 * minute, so a crashed test never leaves it behind) until the test ends it. */
#include <windows.h>

int main(void) {
    Sleep(60000);
    return 0;
}
