# Finds every dependency of cpq and stops with a clear message naming the
# Debian package (and scripts/install-deps.sh) when one is missing.

set(_cpq_fix "run scripts/install-deps.sh (Debian bookworm)")

# LLVM 15 is also installed on Debian machines, and Halide's and MLIR's
# packages both look for LLVM: point both at 14 unless told otherwise.
if(NOT LLVM_DIR)
  set(LLVM_DIR "/usr/lib/llvm-14/lib/cmake/llvm" CACHE PATH "LLVM 14 CMake package")
endif()

# --- Halide 14 -------------------------------------------------------------
find_package(Halide 14 CONFIG QUIET)
if(NOT Halide_FOUND)
  message(FATAL_ERROR "cpq: Halide 14 not found (package libhalide14-0-dev): ${_cpq_fix}")
endif()
if(NOT Halide_VERSION VERSION_GREATER_EQUAL 14 OR Halide_VERSION VERSION_GREATER_EQUAL 15)
  message(FATAL_ERROR "cpq: Halide ${Halide_VERSION} found at ${Halide_DIR}, need 14.x")
endif()

# --- MLIR 14 (and its LLVM 14) ---------------------------------------------
if(NOT MLIR_DIR)
  set(MLIR_DIR "/usr/lib/llvm-14/lib/cmake/mlir" CACHE PATH "MLIR 14 CMake package")
endif()
set(_cpq_mlir_dir "${MLIR_DIR}")
find_package(MLIR CONFIG QUIET)
if(NOT MLIR_FOUND)
  message(FATAL_ERROR "cpq: MLIR 14 not found at MLIR_DIR=${_cpq_mlir_dir} "
                      "(packages libmlir-14-dev mlir-14-tools llvm-14-dev): ${_cpq_fix}")
endif()
if(NOT LLVM_VERSION_MAJOR EQUAL 14)
  message(FATAL_ERROR "cpq: MLIR at ${MLIR_DIR} belongs to LLVM ${LLVM_PACKAGE_VERSION}, need 14")
endif()
# Only the variables are taken here. AddMLIR/HandleLLVMOptions change flags
# for a whole directory, so they are included in dialect/ and tools/ only.
add_library(cpq_mlir_headers INTERFACE)
target_include_directories(cpq_mlir_headers SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
target_compile_definitions(cpq_mlir_headers INTERFACE ${LLVM_DEFINITIONS})
add_library(cpq::mlir_headers ALIAS cpq_mlir_headers)

# --- xsimd -----------------------------------------------------------------
# Debian's xsimd target lists `xtl` as a link dependency: find xtl first so
# that names its (header-only) target rather than a library -lxtl.
find_package(xtl CONFIG QUIET)
if(NOT TARGET xtl)
  message(FATAL_ERROR "cpq: xtl not found (package xtl-dev, needed by xsimd's CMake package): ${_cpq_fix}")
endif()
find_package(xsimd 8.1 CONFIG QUIET)
if(NOT xsimd_FOUND)
  message(FATAL_ERROR "cpq: xsimd >= 8.1 not found (package libxsimd-dev): ${_cpq_fix}")
endif()

# --- Random123 (header-only, no CMake package) ------------------------------
find_path(RANDOM123_INCLUDE_DIR Random123/philox.h)
if(NOT RANDOM123_INCLUDE_DIR)
  message(FATAL_ERROR "cpq: Random123 not found (package librandom123-dev): ${_cpq_fix}")
endif()
add_library(Random123::Random123 INTERFACE IMPORTED)
set_target_properties(Random123::Random123 PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${RANDOM123_INCLUDE_DIR}")

# --- nlohmann-json (header-only): every JSON the project reads or writes ---
find_package(nlohmann_json 3.10 CONFIG QUIET)
if(NOT nlohmann_json_FOUND)
  message(FATAL_ERROR "cpq: nlohmann-json >= 3.10 not found (package nlohmann-json3-dev): ${_cpq_fix}")
endif()

# --- ONNX's protobuf definitions (cpq-import) --------------------------------
find_package(Protobuf QUIET)
find_package(ONNX CONFIG QUIET)
if(NOT Protobuf_FOUND OR NOT TARGET onnx_proto)
  message(FATAL_ERROR "cpq: ONNX's protobuf definitions not found (packages libonnx-dev libprotobuf-dev): ${_cpq_fix}")
endif()

# --- Boost.Test (tests only) -------------------------------------------------
if(CPQ_BUILD_TESTS)
  find_package(Boost 1.74 CONFIG QUIET COMPONENTS unit_test_framework)
  if(NOT Boost_FOUND)
    message(FATAL_ERROR "cpq: Boost.Test not found (package libboost-test-dev): ${_cpq_fix}")
  endif()
endif()

message(STATUS "cpq: Halide ${Halide_VERSION}, MLIR/LLVM ${LLVM_PACKAGE_VERSION}, "
               "xsimd ${xsimd_VERSION}, nlohmann-json ${nlohmann_json_VERSION}, protobuf ${Protobuf_VERSION}, Random123 at ${RANDOM123_INCLUDE_DIR}")
