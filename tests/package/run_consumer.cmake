# Builds and runs tests/package/consumer against crossview.
#   MODE=find_package     installs the already-built crossview into WORK_DIR/prefix first
#   MODE=add_subdirectory the consumer adds the crossview source tree itself
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGV}\n${out}\n${err}")
  endif()
endfunction()

if(MODE STREQUAL "examples")
  # examples/ as its own project against the installed package; every example runs.
  run(${CMAKE_COMMAND} --install ${CROSSVIEW_BINARY_DIR} --prefix ${WORK_DIR}/prefix --config ${BUILD_TYPE})
  run(${CMAKE_COMMAND} -S ${CROSSVIEW_SOURCE_DIR}/examples -B ${WORK_DIR}/build -G ${GENERATOR}
      -DCMAKE_BUILD_TYPE=${BUILD_TYPE} -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_FIND_PACKAGE_PREFER_CONFIG=ON)
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/build -j2)
  foreach(example project_skeleton triangulate_skeleton estimate_essential rpsm_refine pss_score)
    run(${WORK_DIR}/build/${example})
  endforeach()
  message(STATUS "examples built against the installed package and ran")
  return()
endif()

set(_args -S ${CONSUMER_DIR} -B ${WORK_DIR}/build -G ${GENERATOR} -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
          -DCONSUMER_MODE=${MODE})
if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} --install ${CROSSVIEW_BINARY_DIR} --prefix ${WORK_DIR}/prefix --config ${BUILD_TYPE})
  list(APPEND _args -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_FIND_PACKAGE_PREFER_CONFIG=ON)
else()
  list(APPEND _args -DCROSSVIEW_SOURCE_DIR=${CROSSVIEW_SOURCE_DIR})
endif()
run(${CMAKE_COMMAND} ${_args})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build -j2)
run(${WORK_DIR}/build/consumer)
message(STATUS "consumer built and ran through ${MODE}")
