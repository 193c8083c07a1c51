# linux-x86_64-musl: 64-bit x86 Linux with musl libc (Alpine) through Debian's musl-tools (musl-gcc,
# a wrapper that points gcc at musl's headers and libraries). musl-gcc has no C++ side, so only the
# C core builds (BUFFERS_BUILD_TESTS=OFF); tests/consumers/musl holds the C test driver that runs
# through musl's loader here. C++ stays the host g++ only so that project() configures.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER musl-gcc)
set(CMAKE_CXX_COMPILER g++)
# Programs built here are musl executables; the loader /lib/ld-musl-x86_64.so.1 runs them directly.
set(CMAKE_FIND_ROOT_PATH /usr/lib/musl)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
