# CPack: `cpack -G DEB` in the build dir makes droverd_<version>_<arch>.deb and
# drover_<version>_<arch>.deb from the install components of packaging/CMakeLists.txt.
# Depends come from dpkg-shlibdeps plus what the units and maintainer scripts run.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME drover)
set(CPACK_PACKAGE_VENDOR drover)
set(CPACK_PACKAGE_CONTACT "drover maintainers <drover@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_COMPONENTS_ALL droverd drover)
set(CPACK_DEB_COMPONENT_INSTALL ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Maintainer scripts 0755 and conffiles 0644 whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

set(CPACK_DEBIAN_DROVERD_PACKAGE_NAME droverd)
set(CPACK_COMPONENT_DROVERD_DESCRIPTION
    "drover provisioning server\ndroverd stores machines, tasks, templates, stages, bootenvs, workflows,\nprofiles, params and jobs (Digital Rebar Provision v3 compatible API) and\nstreams their changes to the drover agents over HTTPS.")
# procps: /bin/kill for ExecReload; systemd-sysusers makes the drover user in postinst.
set(CPACK_DEBIAN_DROVERD_PACKAGE_DEPENDS "procps, systemd | systemd-sysusers")
set(CPACK_DEBIAN_DROVERD_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/droverd/conffiles ${CMAKE_CURRENT_LIST_DIR}/droverd/postinst
    ${CMAKE_CURRENT_LIST_DIR}/droverd/prerm ${CMAKE_CURRENT_LIST_DIR}/droverd/postrm)

set(CPACK_DEBIAN_DROVER_PACKAGE_NAME drover)
set(CPACK_COMPONENT_DROVER_DESCRIPTION
    "drover admin CLI and machine agent\ndrover is the command line client of droverd (also answering as drpcli)\nand the agent that runs a machine's provisioning jobs.")
set(CPACK_DEBIAN_DROVER_PACKAGE_RECOMMENDS jq)
set(CPACK_DEBIAN_DROVER_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/drover/postinst ${CMAKE_CURRENT_LIST_DIR}/drover/prerm
    ${CMAKE_CURRENT_LIST_DIR}/drover/postrm)

include(CPack)
