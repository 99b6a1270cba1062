# `cmake --install` for library users (component Development; the nexus-tray .deb installs only
# the default component, packaging/Package.cmake): nexustray_engine with the static layer
# libraries it links (a static library carries its dependencies), the public headers and the
# CMake package NexusTray:  find_package(NexusTray) -> target NexusTray::Engine.
# The TPM library (attestation.tpm) comes along; it loads tpm2-tss at run time (no link dependency).
# The keyring plugin (attestation.hmacSecretKeyring, issue 10) is installed where the engine looks
# for it at run time, <libdir>/nexus-tray; the static libraries do not link QtKeychain or Qt D-Bus.
include(CMakePackageConfigHelpers)

set(NEXUS_CMAKE_PACKAGE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/NexusTray")

install(TARGETS nexustray_engine nexustray_api nexustray_common nexustray_protocol
                nexustray_websocket nexustray_config nexustray_attestation nexustray_relay
                nexustray_socks5 nexustray_session nexustray_tpm
        EXPORT NexusTrayTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Development)
install(TARGETS nexustray_keyring_plugin
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/nexus-tray COMPONENT Development)
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/nexustray
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT Development
        FILES_MATCHING PATTERN "*.h")
install(EXPORT NexusTrayTargets NAMESPACE NexusTray:: FILE NexusTrayTargets.cmake
        DESTINATION ${NEXUS_CMAKE_PACKAGE_DIR} COMPONENT Development)

configure_package_config_file(${CMAKE_CURRENT_SOURCE_DIR}/NexusTrayConfig.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/NexusTrayConfig.cmake
    INSTALL_DESTINATION ${NEXUS_CMAKE_PACKAGE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/NexusTrayConfigVersion.cmake
    VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/NexusTrayConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/NexusTrayConfigVersion.cmake
        DESTINATION ${NEXUS_CMAKE_PACKAGE_DIR} COMPONENT Development)
