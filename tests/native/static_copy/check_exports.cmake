# Counts the buffers_* functions a shared library exports (nm -D --defined-only) and compares with
# EXPECT: "none" (a library bundling the private static copy) or "api" (libbuffers.so itself, or a
# bundle of the static library built with BUFFERS_STATIC_HIDDEN=OFF). Also requires OWN, a symbol
# the library must export, so that an empty listing (a broken nm call) cannot pass.
execute_process(COMMAND ${NM} -D --defined-only ${LIBRARY} OUTPUT_VARIABLE listing RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${NM} -D --defined-only ${LIBRARY} failed (${result})")
endif()
string(REGEX MATCHALL "[0-9a-fA-F]* [A-Za-z] buffers_[A-Za-z0-9_]*" exported "${listing}")
list(LENGTH exported count)
if(NOT listing MATCHES " ${OWN}\n")
  message(FATAL_ERROR "${LIBRARY} does not export ${OWN}; nm said:\n${listing}")
endif()
if(EXPECT STREQUAL "none" AND count GREATER 0)
  list(JOIN exported "\n" shown)
  message(FATAL_ERROR "${LIBRARY} exports ${count} buffers_* symbols (expected 0):\n${shown}")
elseif(EXPECT STREQUAL "api" AND count LESS 20)
  message(FATAL_ERROR "${LIBRARY} exports only ${count} buffers_* symbols (expected the C API)")
endif()
message(STATUS "${LIBRARY}: ${count} buffers_* symbols exported (expected ${EXPECT})")
