# Loaded after CMake's Darwin rules (CMAKE_USER_MAKE_RULES_OVERRIDE of macos-common.cmake): C
# shared libraries are linked by ld64.lld, which keeps hidden symbols out of the export list. The
# libraries' only link dependency, Threads, is libSystem's, which the wrapper always links.
set(CMAKE_C_CREATE_SHARED_LIBRARY
  "${BUFFERS_MACOS_LINKER} -dylib -dead_strip -install_name <TARGET_INSTALLNAME_DIR><TARGET_SONAME> -o <TARGET> <OBJECTS>")
