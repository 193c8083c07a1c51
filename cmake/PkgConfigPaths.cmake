# Paths for buffers.pc (configured in native/CMakeLists.txt from cmake/buffers.pc.in). The file finds
# its prefix from its own folder (${pcfiledir}), so an installed tree can be moved; how many levels
# to climb depends on CMAKE_INSTALL_LIBDIR: lib/pkgconfig climbs two, the multiarch
# lib/x86_64-linux-gnu/pkgconfig three. An absolute libdir or includedir is written as it is.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(BUFFERS_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(BUFFERS_PC_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
else()
  file(RELATIVE_PATH _buffers_pc_up "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  string(REGEX REPLACE "/$" "" _buffers_pc_up "${_buffers_pc_up}")
  set(BUFFERS_PC_PREFIX "\${pcfiledir}/${_buffers_pc_up}")
  set(BUFFERS_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(BUFFERS_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(BUFFERS_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
