# macos-x86_64: Intel Macs, built with Zig (macos-common.cmake); built and linked here, never run.
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(BUFFERS_ZIG_TARGET x86_64-macos)
include(${CMAKE_CURRENT_LIST_DIR}/macos-common.cmake)
