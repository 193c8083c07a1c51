/* Planted breach: one OS's folder using another's. */
#include "os/windows/only.h"
