# Builds and runs tests/package/consumer against crossview.
#   MODE=find_package       installs the already-built crossview into WORK_DIR/prefix, then
#                           find_package(crossview CONFIG COMPONENTS ...)
#   MODE=add_subdirectory   the consumer adds the crossview source tree itself, built in a
#                           folder at the same depth under the source tree as the main
#                           build, so that through ccache the core's objects come from the
#                           main build instead of a second compile
#   MODE=find_package_missing  requests COMPONENTS calibration with Ceres hidden: the
#                           configure must fail and name Ceres
#   MODE=examples           examples/ as its own project against the installed package
# SCOPE=full | core: core hides Ceres, fmt, nlohmann-json and toml++ from CMake
# (CMAKE_DISABLE_FIND_PACKAGE_*) and links crossview::crossview alone.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGV}\n${out}\n${err}")
  endif()
endfunction()

set(_hide_optional -DCMAKE_DISABLE_FIND_PACKAGE_Ceres=ON -DCMAKE_DISABLE_FIND_PACKAGE_fmt=ON
                   -DCMAKE_DISABLE_FIND_PACKAGE_nlohmann_json=ON
                   -DCMAKE_DISABLE_FIND_PACKAGE_tomlplusplus=ON)
# Every consumer compiles through ccache when installed, with paths hashed relative
# to the source tree: a fresh clone (CI) then reuses earlier builds' objects.
find_program(_ccache ccache)
set(_launcher "")
set(_env "")
if(_ccache)
  set(_launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${_ccache})
  set(_env ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${CROSSVIEW_SOURCE_DIR} CCACHE_NOHASHDIR=1)
endif()

if(MODE STREQUAL "examples")
  run(${CMAKE_COMMAND} --install ${CROSSVIEW_BINARY_DIR} --prefix ${WORK_DIR}/prefix --config ${BUILD_TYPE})
  run(${CMAKE_COMMAND} -S ${CROSSVIEW_SOURCE_DIR}/examples -B ${WORK_DIR}/build -G ${GENERATOR}
      -DCMAKE_BUILD_TYPE=${BUILD_TYPE} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_FIND_PACKAGE_PREFER_CONFIG=ON
      ${_launcher})
  run(${_env} ${CMAKE_COMMAND} --build ${WORK_DIR}/build -j2)
  foreach(example project_skeleton triangulate_skeleton estimate_essential rpsm_refine pss_score)
    run(${WORK_DIR}/build/${example})
  endforeach()
  message(STATUS "examples built against the installed package and ran")
  return()
endif()

if(MODE STREQUAL "find_package_missing")
  run(${CMAKE_COMMAND} --install ${CROSSVIEW_BINARY_DIR} --prefix ${WORK_DIR}/prefix --config ${BUILD_TYPE})
  file(WRITE ${WORK_DIR}/src/CMakeLists.txt
       "cmake_minimum_required(VERSION 3.24)\nproject(missing LANGUAGES CXX)\n"
       "find_package(crossview 0.1 CONFIG REQUIRED COMPONENTS calibration)\n")
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${WORK_DIR}/src -B ${WORK_DIR}/build -G ${GENERATOR}
                          -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_DISABLE_FIND_PACKAGE_Ceres=ON
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(FATAL_ERROR "find_package(crossview COMPONENTS calibration) succeeded with Ceres hidden")
  endif()
  if(NOT "${out}${err}" MATCHES "component 'calibration' needs Ceres")
    message(FATAL_ERROR "the failure does not name the missing dependency:\n${out}\n${err}")
  endif()
  # The same install still serves a core-only consumer with Ceres hidden.
  file(WRITE ${WORK_DIR}/src2/CMakeLists.txt
       "cmake_minimum_required(VERSION 3.24)\nproject(ok LANGUAGES CXX)\n"
       "find_package(crossview 0.1 CONFIG REQUIRED)\n"
       "if(TARGET crossview::calibration OR NOT TARGET crossview::io)\n"
       "  message(FATAL_ERROR \"default components: expected io loaded and calibration skipped\")\n"
       "endif()\n")
  run(${CMAKE_COMMAND} -S ${WORK_DIR}/src2 -B ${WORK_DIR}/build2 -G ${GENERATOR}
      -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_DISABLE_FIND_PACKAGE_Ceres=ON)
  message(STATUS "a missing component dependency is named; default components skip it")
  return()
endif()

set(_build ${WORK_DIR}/build)
set(_args -S ${CONSUMER_DIR} -G ${GENERATOR} -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
          -DCONSUMER_MODE=${MODE} -DCONSUMER_SCOPE=${SCOPE} ${_launcher})
if(SCOPE STREQUAL "core")
  list(APPEND _args ${_hide_optional})
endif()
if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} --install ${CROSSVIEW_BINARY_DIR} --prefix ${WORK_DIR}/prefix --config ${BUILD_TYPE})
  list(APPEND _args -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_FIND_PACKAGE_PREFER_CONFIG=ON)
else()
  list(APPEND _args -DCROSSVIEW_SOURCE_DIR=${CROSSVIEW_SOURCE_DIR})
  # Same depth under the source tree as the main build (build/<name>), so ccache's
  # relative paths (CCACHE_BASEDIR = the source tree) match the main build's.
  get_filename_component(_main_parent ${CROSSVIEW_BINARY_DIR} DIRECTORY)
  get_filename_component(_mode_dir ${WORK_DIR} NAME)
  set(_build ${_main_parent}/package-${_mode_dir})
  file(REMOVE_RECURSE ${_build})
endif()
run(${CMAKE_COMMAND} ${_args} -B ${_build})
run(${_env} ${CMAKE_COMMAND} --build ${_build} -j2 --target consumer)
run(${_build}/consumer)
message(STATUS "consumer (${SCOPE}) built and ran through ${MODE}")
