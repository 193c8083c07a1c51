# linux-aarch64: 64-bit Arm Linux with Debian's gcc-aarch64-linux-gnu; tests run under qemu-user,
# or, with -DBUFFERS_NO_EMULATOR=ON, on a real aarch64 kernel (tests/kernel), which starts the
# test helpers directly.
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(BUFFERS_TRIPLE aarch64-linux-gnu)
include(${CMAKE_CURRENT_LIST_DIR}/linux-cross-common.cmake)
if(NOT BUFFERS_NO_EMULATOR)
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L ${BUFFERS_SYSROOT})
endif()
