# Shared by the macOS toolchains: set BUFFERS_ZIG_TARGET (x86_64-macos, aarch64-macos) and
# CMAKE_SYSTEM_PROCESSOR before including. The compiler is Zig's clang (`zig cc`), which carries
# macOS's headers and libSystem stubs, so Mach-O programs and dylibs link on Linux. Zig comes from
# the npm registry (scripts/lib/zig.sh puts it and the one-word wrappers it writes in
# build/tools/zig-VERSION); BUFFERS_ZIG_HOME overrides that folder. Nothing built here can run here.
set(CMAKE_SYSTEM_NAME Darwin)
if(DEFINED ENV{BUFFERS_ZIG_HOME})
  set(BUFFERS_ZIG_HOME $ENV{BUFFERS_ZIG_HOME})
else()
  set(BUFFERS_ZIG_HOME ${CMAKE_CURRENT_LIST_DIR}/../../build/tools/zig-0.11.0)
endif()
get_filename_component(BUFFERS_ZIG_HOME ${BUFFERS_ZIG_HOME} ABSOLUTE)
if(NOT EXISTS ${BUFFERS_ZIG_HOME}/${BUFFERS_ZIG_TARGET}-cc)
  message(FATAL_ERROR "no Zig compiler wrapper ${BUFFERS_ZIG_HOME}/${BUFFERS_ZIG_TARGET}-cc: install Zig with "
    "scripts/lib/zig.sh (zig_install), as `scripts/test.sh macos` does, or set BUFFERS_ZIG_HOME")
endif()
set(CMAKE_C_COMPILER ${BUFFERS_ZIG_HOME}/${BUFFERS_ZIG_TARGET}-cc)
set(CMAKE_CXX_COMPILER ${BUFFERS_ZIG_HOME}/${BUFFERS_ZIG_TARGET}-c++)
set(CMAKE_AR ${BUFFERS_ZIG_HOME}/zig-ar CACHE FILEPATH "archiver" FORCE)
set(CMAKE_RANLIB ${BUFFERS_ZIG_HOME}/zig-ranlib CACHE FILEPATH "ranlib" FORCE)
# No Xcode SDK: Zig supplies the headers; CMake must not ask xcrun for a sysroot or add -arch.
set(CMAKE_OSX_SYSROOT "" CACHE PATH "" FORCE)
set(CMAKE_OSX_ARCHITECTURES "" CACHE STRING "" FORCE)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
# Shared libraries are linked by ld64.lld (the TARGET-ld wrapper; scripts/lib/zig.sh says why),
# after the platform's own rules are loaded (macos-rules.cmake).
set(BUFFERS_MACOS_LINKER ${BUFFERS_ZIG_HOME}/${BUFFERS_ZIG_TARGET}-ld)
set(CMAKE_USER_MAKE_RULES_OVERRIDE ${CMAKE_CURRENT_LIST_DIR}/macos-rules.cmake)
# Shipped dylibs are found through the loading program's rpath (@rpath/libbuffers.1.dylib), never
# at this machine's build path; there is no install_name_tool here to fix them up afterwards.
set(CMAKE_INSTALL_NAME_DIR "@rpath")
set(CMAKE_BUILD_WITH_INSTALL_NAME_DIR ON)
