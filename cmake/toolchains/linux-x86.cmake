# linux-x86: 32-bit x86 Linux with Debian's gcc-i686-linux-gnu cross compiler (not gcc-multilib,
# which conflicts with the aarch64 cross compiler). Tests run natively through the cross loader, so
# the 32-bit process gets the full 4 GiB a 64-bit kernel gives it.
set(CMAKE_SYSTEM_PROCESSOR i686)
set(BUFFERS_TRIPLE i686-linux-gnu)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross-common.cmake)
set(CMAKE_CROSSCOMPILING_EMULATOR ${BUFFERS_SYSROOT}/lib/ld-linux.so.2 --library-path ${BUFFERS_SYSROOT}/lib)
