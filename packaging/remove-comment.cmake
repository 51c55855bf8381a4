# CPack pre-build script (CPACK_PRE_BUILD_SCRIPTS): drop the compilers'
# .comment section from the staged binaries before the .deb is made (as
# dh_strip does; lintian: binary-has-unneeded-section).
find_program(OBJCOPY objcopy REQUIRED)
file(GLOB_RECURSE bins "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*/bin/minpriv")
foreach(b IN LISTS bins)
  execute_process(COMMAND ${OBJCOPY} --remove-section=.comment ${b} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "objcopy --remove-section=.comment ${b} failed")
  endif()
endforeach()
