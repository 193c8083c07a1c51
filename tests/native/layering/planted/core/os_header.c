/* Planted breach: an OS header and an OS decision in the core. */
#include <sys/mman.h>
#ifdef _WIN32
#endif
