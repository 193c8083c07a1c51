# macos-aarch64: Apple Silicon (arm64) Macs, built with Zig (macos-common.cmake); built and linked
# here, never run. Named after the platform (macos-aarch64, the jar's folder), like the other
# toolchain files.
set(CMAKE_SYSTEM_PROCESSOR arm64)
set(BUFFERS_ZIG_TARGET aarch64-macos)
include(${CMAKE_CURRENT_LIST_DIR}/macos-common.cmake)
