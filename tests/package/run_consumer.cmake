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
