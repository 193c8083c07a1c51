# Installs the project to scratch prefixes and builds consumers against each, one with
# find_package(ReloadedBuffers) and one with pkg-config. Run with cmake -P.
#   1. the already-built tree (BINARY_DIR), with its own CMAKE_INSTALL_LIBDIR (lib);
#   2. a fresh library-only build with the Debian multiarch layout (lib/<triplet>), where the .pc
#      file must climb three folders, not two, to find its prefix.
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE code OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT code EQUAL 0)
    message(FATAL_ERROR "failed (${code}): ${ARGN}\n${out}")
  endif()
endfunction()

# consume(NAME BINARY LIBDIR): install BINARY into WORK_DIR/NAME/prefix and build + run consumers.
function(consume name binary libdir)
  set(work ${WORK_DIR}/${name})
  set(prefix ${work}/prefix)
  run(${CMAKE_COMMAND} --install ${binary} --prefix ${prefix})
  if(NOT EXISTS ${prefix}/${libdir}/pkgconfig/buffers.pc)
    message(FATAL_ERROR "${name}: no buffers.pc in ${prefix}/${libdir}/pkgconfig")
  endif()
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/native/consumer -B ${work}/build -DCMAKE_PREFIX_PATH=${prefix})
  run(${CMAKE_COMMAND} --build ${work}/build)
  run(${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${prefix}/${libdir} ${work}/build/consumer)
  run(${work}/build/consumer_static)
  # pkg-config: the paths it gives must be the installed ones, then the same program builds with them.
  find_program(PKG_CONFIG pkg-config REQUIRED)
  foreach(query --variable=prefix --variable=libdir)
    execute_process(COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/${libdir}/pkgconfig
      ${PKG_CONFIG} ${query} buffers OUTPUT_VARIABLE path RESULT_VARIABLE code OUTPUT_STRIP_TRAILING_WHITESPACE)
    get_filename_component(path "${path}" REALPATH)
    get_filename_component(expected "${prefix}" REALPATH)
    if(query STREQUAL "--variable=libdir")
      get_filename_component(expected "${prefix}/${libdir}" REALPATH)
    endif()
    if(NOT code EQUAL 0 OR NOT path STREQUAL expected)
      message(FATAL_ERROR "${name}: pkg-config ${query} gives '${path}', expected '${expected}'")
    endif()
  endforeach()
  execute_process(COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/${libdir}/pkgconfig
    ${PKG_CONFIG} --cflags --libs buffers OUTPUT_VARIABLE flags RESULT_VARIABLE code OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT code EQUAL 0 OR flags STREQUAL "")
    message(FATAL_ERROR "${name}: pkg-config does not know buffers")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run(cc -std=c11 -o ${work}/consumer_pc ${SOURCE_DIR}/tests/native/consumer/consumer.c ${flags})
  run(${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${prefix}/${libdir} ${work}/consumer_pc)
  message(STATUS "${name}: installed package works with find_package and pkg-config (libdir ${libdir})")
endfunction()

consume(plain ${BINARY_DIR} lib)

set(multiarch_libdir lib/x86_64-linux-gnu)
set(multiarch_build ${WORK_DIR}/multiarch-build)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${multiarch_build} -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_INSTALL_LIBDIR=${multiarch_libdir} -DBUFFERS_BUILD_TESTS=OFF -DBUFFERS_BUILD_EXAMPLES=OFF)
run(${CMAKE_COMMAND} --build ${multiarch_build} --parallel 2 --target buffers_shared buffers_static)
consume(multiarch ${multiarch_build} ${multiarch_libdir})
