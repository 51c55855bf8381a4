# What `cmake --install` puts where (GNUInstallDirs), and the .deb that
# `cpack -G DEB` makes from it in the build directory.
#   bin/minpriv
#   share/minpriv/templates/       the generator's data (found next to the binary)
#   share/man/man1/minpriv.1.gz    docs/minpriv.1
#   share/bash-completion/completions/minpriv
#   share/doc/minpriv/             README, copyright, changelog; docs/*.md under docs/, CI examples

if(EXISTS ${CMAKE_SOURCE_DIR}/templates)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/templates/ DESTINATION ${CMAKE_INSTALL_DATADIR}/minpriv/templates)
endif()

# Man pages are installed compressed, as Debian policy asks (-n: no name or
# time in the header, so the bytes are reproducible).
find_program(GZIP gzip REQUIRED)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/minpriv.1.gz
  COMMAND ${GZIP} -9nc ${CMAKE_SOURCE_DIR}/docs/minpriv.1 > ${CMAKE_BINARY_DIR}/minpriv.1.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/minpriv.1
  COMMENT "Compressing the man page")
add_custom_target(minpriv_man ALL DEPENDS ${CMAKE_BINARY_DIR}/minpriv.1.gz)
install(FILES ${CMAKE_BINARY_DIR}/minpriv.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

install(FILES ${CMAKE_SOURCE_DIR}/packaging/minpriv.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME minpriv)

# The package's maintainer: MINPRIV_MAINTAINER, else DEBFULLNAME <DEBEMAIL>
# (as dch takes it), else the git identity of the source tree; never a
# placeholder.
set(MINPRIV_MAINTAINER "" CACHE STRING "Maintainer of the .deb: Full Name <address>")
if(NOT MINPRIV_MAINTAINER AND DEFINED ENV{DEBFULLNAME} AND DEFINED ENV{DEBEMAIL})
  set(MINPRIV_MAINTAINER "$ENV{DEBFULLNAME} <$ENV{DEBEMAIL}>")
endif()
if(NOT MINPRIV_MAINTAINER)
  find_program(GIT git)
  if(GIT)
    execute_process(COMMAND ${GIT} -C ${CMAKE_SOURCE_DIR} config user.name OUTPUT_VARIABLE _name
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    execute_process(COMMAND ${GIT} -C ${CMAKE_SOURCE_DIR} config user.email OUTPUT_VARIABLE _mail
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(_name AND _mail)
      set(MINPRIV_MAINTAINER "${_name} <${_mail}>")
    endif()
  endif()
endif()
if(NOT MINPRIV_MAINTAINER)
  message(WARNING "No maintainer for the .deb: set -DMINPRIV_MAINTAINER=\"Name <address>\" (or DEBFULLNAME and "
                  "DEBEMAIL) before running cpack")
  set(MINPRIV_MAINTAINER "unset <unset@invalid>")
endif()

# A native package's changelog, compressed (Debian policy 12.7).
configure_file(${CMAKE_SOURCE_DIR}/packaging/changelog.in ${CMAKE_BINARY_DIR}/changelog @ONLY)
add_custom_command(
  OUTPUT ${CMAKE_BINARY_DIR}/changelog.gz
  COMMAND ${GZIP} -9nc ${CMAKE_BINARY_DIR}/changelog > ${CMAKE_BINARY_DIR}/changelog.gz
  DEPENDS ${CMAKE_BINARY_DIR}/changelog
  COMMENT "Compressing the changelog")
add_custom_target(minpriv_changelog ALL DEPENDS ${CMAKE_BINARY_DIR}/changelog.gz)
install(FILES ${CMAKE_BINARY_DIR}/changelog.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})

install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/packaging/copyright
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The rest of the documentation, where the README's links (docs/...) find it.
file(GLOB MINPRIV_DOCS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${MINPRIV_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
if(EXISTS ${CMAKE_SOURCE_DIR}/docs/ci)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ci DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
endif()

# The Debian package. Dependencies come from dpkg-shlibdeps on the binary
# (none for a MINPRIV_STATIC build); the container tools and the
# AppArmor parser are suggestions: generate and report work without them.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME minpriv)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The minpriv developers")
set(CPACK_PACKAGE_CONTACT "${MINPRIV_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MINPRIV_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "least-privilege container profiles from recorded workloads")
# The summary is the description's first line; this is the rest.
set(CPACK_PACKAGE_DESCRIPTION
    "minpriv runs a workload (typically its integration tests) under a ptrace
and seccomp tracer and records what it really does: syscalls per ABI, file
accesses, network endpoints, credential changes, capability uses and
resource peaks. From one or more recordings it generates a Docker/OCI
seccomp profile, an AppArmor profile, the capabilities to add after
dropping all, a hardening checklist, Kubernetes resources and an HTML
report.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "podman | docker.io, runc | crun, apparmor")
# The binary is stripped into the package and its debug information goes
# to a separate minpriv-dbgsym .ddeb (as dh_strip does), found by build id.
set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_SOURCE_DIR}/packaging/remove-comment.cmake)
# The package installs under /usr whatever CMAKE_INSTALL_PREFIX says; the
# binary finds its templates relative to itself.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
