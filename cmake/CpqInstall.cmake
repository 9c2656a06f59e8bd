# What `cmake --install build --prefix P` puts under P, and the package that
# find_package(cpq) and pkg-config find there:
#
#   bin/                      cpq-opt, cpq-compile, cpq-train, cpq-run, cpq-compress, cpq-tune, cpq-import
#   include/cpq/{kernels,runtime}/   the kernel core's and the runtime's headers
#   lib/                      the runtime libraries, the kernel core's dispatched
#                             kernels, the training and packed externs, libcpq_runtime.so
#   lib/cmake/cpq/            cpqConfig.cmake, cpqConfigVersion.cmake, cpqTargets.cmake,
#                             CpqNetwork.cmake (cpq_add_network with the installed cpq-compile)
#   lib/pkgconfig/cpq-runtime.pc     the C runtime (cpq_runtime.h, -lcpq_runtime)
#   share/cpq/networks/       the example networks
#
# Every target is exported as cpq::<name> (the names the build tree uses).
# `cpack -G DEB` (from the build folder) makes a Debian package of the same.

# The exported name of each target is its build-tree alias (cpq::runtime, ...).
set(cpq_exported_libraries
  cpq_kernels:kernels cpq_kernels_dispatch:kernels_dispatch
  cpq_caching_allocator:caching_allocator cpq_runtime_allocator:runtime_allocator
  cpq_safetensors:safetensors cpq_training_externs:training_externs cpq_packed_externs:packed_externs
  cpq_idx:idx cpq_manifest:manifest cpq_kernel_loader:kernel_loader cpq_batches:batches
  cpq_checkpoint:checkpoint cpq_model:model cpq_param_init:param_init cpq_trainer:trainer
  cpq_runtime:runtime cpq_runtime_c:runtime_c)
set(cpq_install_targets "")
foreach(pair ${cpq_exported_libraries})
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 target)
  list(GET pair 1 export_name)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
  list(APPEND cpq_install_targets ${target})
endforeach()

# The tools are exported too (cpq::cpq-compile is what CpqNetwork.cmake runs
# once installed). They find libcpq_runtime.so and the helper libraries
# relative to themselves, so the tree can move (any --prefix).
set(cpq_tools cpq-opt cpq-compile cpq-train cpq-run cpq-compress cpq-tune)
if(TARGET cpq-import)
  list(APPEND cpq_tools cpq-import)
endif()
file(RELATIVE_PATH cpq_bin_to_lib "/p/${CMAKE_INSTALL_BINDIR}" "/p/${CMAKE_INSTALL_LIBDIR}")
set_target_properties(${cpq_tools} PROPERTIES INSTALL_RPATH "$ORIGIN/${cpq_bin_to_lib}")

install(TARGETS ${cpq_install_targets} ${cpq_tools}
  EXPORT cpqTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/kernels/include/cpq ${PROJECT_SOURCE_DIR}/runtime/include/cpq
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/networks/ DESTINATION ${CMAKE_INSTALL_DATADIR}/cpq/networks
  FILES_MATCHING PATTERN "*.mlir")

set(cpq_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/cpq)
install(EXPORT cpqTargets NAMESPACE cpq:: DESTINATION ${cpq_cmake_dir})
set(CPQ_HALIDE_TARGETS_QUOTED "")
foreach(t ${CPQ_HALIDE_TARGETS})
  string(APPEND CPQ_HALIDE_TARGETS_QUOTED " \"${t}\"")
endforeach()
include(CMakePackageConfigHelpers)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cpqConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cpqConfig.cmake INSTALL_DESTINATION ${cpq_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cpqConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cpqConfig.cmake ${PROJECT_BINARY_DIR}/cpqConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/CpqNetwork.cmake DESTINATION ${cpq_cmake_dir})

# pkg-config for the C runtime. Paths relative to the .pc file, so the tree
# can be installed under any prefix; Halide's runtime headers (which
# cpq_runtime.h includes) are where Debian puts them.
get_target_property(cpq_halide_includes Halide::Runtime INTERFACE_INCLUDE_DIRECTORIES)
set(cpq_pc_cflags "")
foreach(dir ${cpq_halide_includes})
  string(APPEND cpq_pc_cflags " -I${dir}")
endforeach()
file(RELATIVE_PATH cpq_pc_to_prefix "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
configure_file(${PROJECT_SOURCE_DIR}/cmake/cpq-runtime.pc.in ${PROJECT_BINARY_DIR}/cpq-runtime.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cpq-runtime.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# cpack -G DEB: a package for Debian bookworm with its dependencies declared
# (the run-time libraries of the tools, and the -dev packages the installed
# CMake package and headers need).
set(CPACK_PACKAGE_NAME cpq)
set(CPACK_PACKAGE_VENDOR "cpq")
set(CPACK_PACKAGE_CONTACT "cpq developers <cpq@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Cluster-Promoting Quantization: MLIR dialect, Halide code generator, bit-packed kernels and runtime")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
# The shared libraries the tools link (libHalide, libMLIR/LLVM, protobuf, ...)
# are found by dpkg-shlibdeps; the rest are what the installed headers,
# cpqConfig.cmake and cpq-compile's linking step use.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libhalide14-0-dev, libxsimd-dev, xtl-dev, librandom123-dev, nlohmann-json3-dev, zlib1g-dev, g++, cmake (>= 3.20), pkg-config")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "cpq trains low-bit networks with CPQ (categorical quantizer, multi-class STE,\n DropBits, learned bit-widths), compresses them and runs them as bit-packed\n kernels. This package has the tools, the runtime libraries, the headers and\n the CMake package (find_package(cpq), cpq_add_network).")
include(CPack)
