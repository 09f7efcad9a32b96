# Build helpers shared by every folder: warnings, sanitizers, unit tests and fuzzers.

# Flags every target of ours gets (not the dependencies).
add_library(otsentry_flags INTERFACE)
target_compile_options(otsentry_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
  -Wcast-align -Wimplicit-fallthrough -Wformat=2)
if(OTSENTRY_WERROR)
  target_compile_options(otsentry_flags INTERFACE -Werror)
endif()
target_include_directories(otsentry_flags INTERFACE ${PROJECT_SOURCE_DIR})

if(ENABLE_SANITIZERS)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(ENABLE_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ENABLE_FUZZERS needs clang: configure with CC=clang CXX=clang++")
  endif()
  # Everything is built with coverage instrumentation; only fuzz executables link libFuzzer's main.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# otsentry_library(name SOURCES... [LIBS ...]) — one static library per folder.
function(otsentry_library name)
  cmake_parse_arguments(A "" "" "SOURCES;LIBS;PUBLIC_LIBS" ${ARGN})
  add_library(${name} STATIC ${A_SOURCES} ${A_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PUBLIC otsentry_flags ${A_PUBLIC_LIBS} PRIVATE ${A_LIBS})
endfunction()

# add_unit_test(name SOURCES... LIBS ... [LABEL unit|pcap|slow]) — a GoogleTest binary, each case a ctest test.
function(add_unit_test name)
  if(NOT BUILD_TESTING OR ENABLE_FUZZERS)
    return()
  endif()
  cmake_parse_arguments(A "" "LABEL" "SOURCES;LIBS" ${ARGN})
  if(NOT A_LABEL)
    set(A_LABEL unit)
  endif()
  add_executable(${name} ${A_SOURCES} ${A_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE otsentry_flags ${A_LIBS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    OTSENTRY_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    OTSENTRY_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  gtest_discover_tests(${name} PROPERTIES LABELS ${A_LABEL} ENVIRONMENT "TZ=UTC;LC_ALL=C"
    DISCOVERY_TIMEOUT 60)
endfunction()

# add_fuzzer(name SOURCES... LIBS ... [CORPUS dir]) — a libFuzzer binary; built only with
# ENABLE_FUZZERS. The seed corpus defaults to <folder>/fuzz/corpus/<name>, else <folder>/fuzz/corpus.
function(add_fuzzer name)
  if(NOT ENABLE_FUZZERS)
    return()
  endif()
  cmake_parse_arguments(A "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${A_SOURCES} ${A_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE otsentry_flags ${A_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  if(NOT A_CORPUS)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${name})
      set(A_CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${name})
    else()
      set(A_CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus)
    endif()
  endif()
  set_property(GLOBAL APPEND PROPERTY OTSENTRY_FUZZERS "${name}|$<TARGET_FILE:${name}>|${A_CORPUS}")
endfunction()

# Writes <build>/fuzzers.txt ("name|executable|corpus" per line) for scripts/run-tests.
function(otsentry_write_fuzzer_list)
  get_property(list GLOBAL PROPERTY OTSENTRY_FUZZERS)
  string(REPLACE ";" "\n" lines "${list}")
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/fuzzers.txt CONTENT "${lines}\n")
endfunction()
