# cmake/parsim_defaults.cmake: the C dialect and build defaults every parsim build shares, the
# project's (CMakeLists.txt) and the recorder's standalone one (runtime/CMakeLists.txt, on a GPU
# host with only the CUDA stack).
set(CMAKE_C_STANDARD 11)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_C_EXTENSIONS OFF)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE RelWithDebInfo)
endif()
option(PARSIM_WERROR "Treat warnings as errors (CI)" OFF)
add_compile_definitions(_DEFAULT_SOURCE)  # POSIX 2008 (strdup, strtok_r, ...), under -std=c11
# Everything lands in <build>/bin so that tests and the README can name one folder.
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
