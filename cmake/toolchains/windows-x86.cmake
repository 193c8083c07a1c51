# windows-x86: 32-bit Windows with Debian's mingw-w64 (i686); tests run under 32-bit wine.
# Every program and DLL is large-address-aware, so under a 64-bit Windows (or wine) the process may
# use addresses up to 4 GiB, as the format promises.
set(CMAKE_SYSTEM_PROCESSOR x86)
set(BUFFERS_PLATFORM windows-x86)
set(BUFFERS_MINGW_TRIPLE i686-w64-mingw32)
set(BUFFERS_MINGW_LINK_EXTRA "-Wl,--large-address-aware")
include(${CMAKE_CURRENT_LIST_DIR}/mingw-common.cmake)
