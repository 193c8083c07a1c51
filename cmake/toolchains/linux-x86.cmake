# linux-x86: 32-bit x86 Linux with Debian's gcc-i686-linux-gnu cross compiler (not gcc-multilib,
# which conflicts with the aarch64 cross compiler). Tests run natively through the cross loader, so
# the 32-bit process gets the full 4 GiB a 64-bit kernel gives it.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_COMPILER i686-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER i686-linux-gnu-g++)
set(BUFFERS_SYSROOT /usr/i686-linux-gnu)
set(CMAKE_FIND_ROOT_PATH ${BUFFERS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR ${BUFFERS_SYSROOT}/lib/ld-linux.so.2 --library-path ${BUFFERS_SYSROOT}/lib)
