# glibc 2.17 floor for the Linux libraries (see cmake/glibc-floor/glibc_floor.c and docs/platforms.md).
# Included by the top-level CMakeLists.txt after native/. On glibc (not musl, not sanitizer builds)
# the core's objects gain the fstat/fstatat wrappers, and every link of them in this tree (the shared
# library, the test programs) maps fstat/fstatat to the wrappers. The installed static library
# carries the wrappers but not the link flags: a user linking it statically uses their own glibc.
# In this tree buffers_static hands the flags on, so the JNI library (native/jni) gets them here.
include(CheckSymbolExists)
option(BUFFERS_GLIBC_FLOOR "Keep Linux shared objects loadable on glibc 2.17" ON)
set(BUFFERS_GLIBC_FLOOR_LINK_FLAGS -Wl,--wrap=fstat -Wl,--wrap=fstatat -Wl,--wrap=fstat64 -Wl,--wrap=fstatat64 -Wl,--wrap=pthread_create -Wl,--wrap=pthread_join -Wl,--push-state,--no-as-needed -l:libpthread.so.0 -Wl,--pop-state)
if(BUFFERS_GLIBC_FLOOR AND CMAKE_SYSTEM_NAME STREQUAL "Linux" AND NOT BUFFERS_SANITIZE)
  check_symbol_exists(__GLIBC__ "features.h" BUFFERS_LIBC_IS_GLIBC)
  if(BUFFERS_LIBC_IS_GLIBC)
    target_sources(buffers_objects PRIVATE ${CMAKE_CURRENT_LIST_DIR}/glibc-floor/glibc_floor.c)
    # The private static copy (BUFFERS_STATIC_HIDDEN) is compiled apart from buffers_objects.
    get_target_property(static_sources buffers_static SOURCES)
    if(static_sources AND NOT static_sources MATCHES "TARGET_OBJECTS")
      target_sources(buffers_static PRIVATE ${CMAKE_CURRENT_LIST_DIR}/glibc-floor/glibc_floor.c)
    endif()
    target_link_options(buffers_shared PRIVATE ${BUFFERS_GLIBC_FLOOR_LINK_FLAGS})
    target_link_options(buffers_static INTERFACE $<BUILD_INTERFACE:${BUFFERS_GLIBC_FLOOR_LINK_FLAGS}>)
  endif()
endif()
