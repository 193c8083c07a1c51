# windows-x86_64: 64-bit Windows with Debian's mingw-w64; tests run under wine.
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(BUFFERS_PLATFORM windows-x86_64)
set(BUFFERS_MINGW_TRIPLE x86_64-w64-mingw32)
set(BUFFERS_MINGW_LINK_EXTRA "")
include(${CMAKE_CURRENT_LIST_DIR}/mingw-common.cmake)
