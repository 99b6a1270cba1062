# The Debian package: `cpack -G DEB` in a build configured with -DCMAKE_INSTALL_PREFIX=/usr makes
# nexus-tray_<version>_<arch>.deb from the install rules (.ci/package.sh builds and checks it;
# docs/PACKAGING.md). The version has no Debian revision: a native package.
# Homepage and maintainer address are placeholders until the project has a public home.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
    message(STATUS "cpack -G DEB: configure with -DCMAKE_INSTALL_PREFIX=/usr for a .deb "
                   "(the systemd unit names the binary by its installed path)")
endif()

set(CPACK_PACKAGE_NAME "nexus-tray")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "The nexus-tray developers")
set(CPACK_PACKAGE_CONTACT "The nexus-tray developers <nexus-tray@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "tray client for Nexus Proxy relay tunnels")
# The extended description as dpkg shows it: lines of at most 80 columns.
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "nexus-tray publishes services running on this machine through a Nexus Proxy\n"
    "relay mesh without listening publicly: it dials out to each relay over a\n"
    "WebSocket, authenticates with short-lived attestation tokens, and carries the\n"
    "public HTTP, TLS and TCP connections that the relay forwards for its\n"
    "hostnames to local ports.\n"
    "It runs behind a system tray icon (status window, configuration editor,\n"
    "notifications) or headless under the included systemd user unit.")
# Only the default install component: the Development one (static engine libraries, headers,
# CMake package for library users, engine/Install.cmake) is not part of the tray's package.
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};${PROJECT_NAME};Unspecified;/")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT") # <name>_<version>_<arch>.deb (no revision here)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/AtDexters-Lab/nexus-tray")
# Libraries the binary links come from dpkg-shlibdeps; plugins Qt loads at run time do not:
# libqt6svg6 holds the SVG icon engine for the tray and window icons.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# attestation.tpm loads tpm2-tss when it opens a TPM (dlopen, issue 10), so dpkg-shlibdeps does not
# see it: the packages are named here. Recommends, not Depends: the TPM backend is optional, apt
# installs Recommends by default, and without them attestation.tpm refuses to attest with
# "tpm2-tss is not installed: ..." while every other backend works. libtss2-tctildr loads the TCTI
# plugin for /dev/tpmrm0 at run time in turn.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "libtss2-esys-3.0.2-0, libtss2-mu0, libtss2-tctildr0, libtss2-rc0, libtss2-tcti-device0")
if(NEXUS_BUILD_GUI)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6")
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
include(CPack)
