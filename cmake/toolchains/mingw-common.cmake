# Shared by windows-x86_64.cmake and windows-x86.cmake (which set BUFFERS_MINGW_TRIPLE and
# BUFFERS_PLATFORM first).
# The "-posix" compilers give C++ std::thread/std::mutex (gcc 12's win32 thread model has neither).
# Everything is linked statically (libgcc, libstdc++, winpthread) so a DLL or test program needs no
# MinGW runtime DLL beside it. Tests run under wine through scripts/lib/wine-run.sh.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_C_COMPILER ${BUFFERS_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${BUFFERS_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${BUFFERS_MINGW_TRIPLE}-windres)
set(BUFFERS_SYSROOT /usr/${BUFFERS_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH ${BUFFERS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static ${BUFFERS_MINGW_LINK_EXTRA}")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static ${BUFFERS_MINGW_LINK_EXTRA}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static ${BUFFERS_MINGW_LINK_EXTRA}")
get_filename_component(_buffers_repo "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
# The platform picks the wine prefix (a 32-bit program needs a 32-bit prefix).
set(CMAKE_CROSSCOMPILING_EMULATOR ${_buffers_repo}/scripts/lib/wine-run.sh ${BUFFERS_PLATFORM})
