# Warnings and sanitizers for crossview's own compiled targets only; nothing is
# set globally and nothing leaks into consumers.
function(crossview_target_options target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(CROSSVIEW_SANITIZE)
      target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                               -fno-sanitize-recover=undefined)
      target_link_options(${target} PRIVATE -fsanitize=address,undefined)
    endif()
    if(CROSSVIEW_BUILD_FUZZERS)
      # Coverage instrumentation + sanitizers for the code the fuzzers exercise
      # (the fuzz targets themselves link -fsanitize=fuzzer, see tests/fuzz).
      target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined
                                               -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    endif()
  endif()
endfunction()
