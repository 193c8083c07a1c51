# Loaded after CMake's Darwin rules (CMAKE_USER_MAKE_RULES_OVERRIDE of macos-common.cmake): C
# shared libraries are linked by ld64.lld, which keeps hidden symbols out of the export list. The
# wrapper always links libSystem (which holds Threads); <LINK_LIBRARIES> brings in static libraries
# (the JNI library's libbuffers.a), <LINK_FLAGS> a target's options (its export list).
set(CMAKE_C_CREATE_SHARED_LIBRARY
  "${BUFFERS_MACOS_LINKER} -dylib -dead_strip -install_name <TARGET_INSTALLNAME_DIR><TARGET_SONAME> <LINK_FLAGS> -o <TARGET> <OBJECTS> <LINK_LIBRARIES>")
