# Package components: each library target belongs to one component with its own
# export file and its own dependencies, so that
#   find_package(crossview CONFIG COMPONENTS core)
# needs Eigen alone, and a consumer of crossview::io does not need Ceres.
#
#   crossview_add_component(<name> TARGETS <target>... [DEPENDENCIES "<find_package args>"...])
#
# DEPENDENCIES are the packages the component's static libraries need at the
# consumer's link time (private dependencies included, see STYLE.md's packaging
# pitfall), one quoted find_package argument list each.
function(crossview_add_component name)
  cmake_parse_arguments(ARG "" "" "TARGETS;DEPENDENCIES" ${ARGN})
  set_property(GLOBAL APPEND PROPERTY CROSSVIEW_COMPONENTS ${name})
  set_property(GLOBAL PROPERTY CROSSVIEW_COMPONENT_${name}_TARGETS ${ARG_TARGETS})
  set_property(GLOBAL PROPERTY CROSSVIEW_COMPONENT_${name}_DEPENDENCIES "${ARG_DEPENDENCIES}")
endfunction()

# Installs every registered component and the package config (top level only).
function(crossview_install_components cfgdir)
  get_property(_components GLOBAL PROPERTY CROSSVIEW_COMPONENTS)
  set(_deps_code "")
  foreach(_c IN LISTS _components)
    get_property(_targets GLOBAL PROPERTY CROSSVIEW_COMPONENT_${_c}_TARGETS)
    get_property(_deps GLOBAL PROPERTY CROSSVIEW_COMPONENT_${_c}_DEPENDENCIES)
    install(TARGETS ${_targets} EXPORT crossview-${_c}-targets
      ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
      LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
      RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
      INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
    install(EXPORT crossview-${_c}-targets NAMESPACE crossview:: DESTINATION ${cfgdir})
    string(APPEND _deps_code "set(_crossview_dependencies_${_c} \"${_deps}\")\n")
  endforeach()
  set(CROSSVIEW_PACKAGE_COMPONENTS "${_components}")
  set(CROSSVIEW_PACKAGE_DEPENDENCIES "${_deps_code}")
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/crossviewConfig.cmake.in
    ${PROJECT_BINARY_DIR}/crossviewConfig.cmake INSTALL_DESTINATION ${cfgdir})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/crossviewConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/crossviewConfig.cmake
                ${PROJECT_BINARY_DIR}/crossviewConfigVersion.cmake
          DESTINATION ${cfgdir})
endfunction()
