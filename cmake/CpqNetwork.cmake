# cpq_add_network(<name> MLIR <file.mlir> FUNCTION <fn> [PIPELINE <cpq-opt pipeline>]
#                 [TARGETS <halide targets...>] [SCHEDULE hand|Adams2019|Li2018|Mullapudi2016])
#
# Compiles function <fn> of <file.mlir> (after the cpq-opt pipeline, e.g.
# cpq-train-pipeline) ahead of time at build time with cpq-compile, and makes
# the static library target <name>: link it and include "<name>.h" to call
# <name>(...) on halide_buffer_t arguments (<name>.json lists them). The
# kernels are rebuilt when the .mlir file or cpq-compile changes; the C
# functions they may call (training externs, the packed layers' integer
# product) come with the target. TARGETS
# default to CPQ_HALIDE_TARGETS (run-time dispatch, most specific first).
#
# Works in this source tree (the cpq-compile target) and from an installed
# package (find_package(cpq) includes this file; it runs cpq::cpq-compile).
function(cpq_add_network name)
  cmake_parse_arguments(ARG "" "MLIR;FUNCTION;PIPELINE;SCHEDULE" "TARGETS" ${ARGN})
  if(NOT ARG_MLIR OR NOT ARG_FUNCTION)
    message(FATAL_ERROR "cpq_add_network(${name}): MLIR and FUNCTION are required")
  endif()
  get_filename_component(mlir "${ARG_MLIR}" ABSOLUTE)
  if(NOT EXISTS "${mlir}")
    message(FATAL_ERROR "cpq_add_network(${name}): no file ${mlir}")
  endif()
  if(NOT ARG_TARGETS)
    set(ARG_TARGETS ${CPQ_HALIDE_TARGETS})
  endif()
  if(NOT ARG_SCHEDULE)
    set(ARG_SCHEDULE hand)
  endif()
  set(prefix "${CMAKE_CURRENT_BINARY_DIR}/${name}")
  set(args "${mlir}" --function ${ARG_FUNCTION} -o "${prefix}" --name ${name} --schedule ${ARG_SCHEDULE} --no-shared)
  if(ARG_PIPELINE)
    list(APPEND args "--pipeline=${ARG_PIPELINE}")
  endif()
  foreach(t ${ARG_TARGETS})
    list(APPEND args --target ${t})
  endforeach()
  if(TARGET cpq-compile)
    set(compiler cpq-compile)
    set(compiler_file cpq-compile)
  elseif(TARGET cpq::cpq-compile)
    set(compiler cpq::cpq-compile)
    set(compiler_file "$<TARGET_FILE:cpq::cpq-compile>")
  else()
    message(FATAL_ERROR "cpq_add_network(${name}): no cpq-compile (find_package(cpq) first)")
  endif()
  add_custom_command(OUTPUT "${prefix}.a" "${prefix}.h" "${prefix}.json"
    COMMAND ${compiler} ${args}
    DEPENDS ${compiler_file} "${mlir}"
    COMMENT "cpq-compile ${name}: ${ARG_FUNCTION} of ${ARG_MLIR}"
    VERBATIM)
  add_custom_target(${name}_generate DEPENDS "${prefix}.a" "${prefix}.h")
  add_library(${name} STATIC IMPORTED GLOBAL)
  set_target_properties(${name} PROPERTIES IMPORTED_LOCATION "${prefix}.a")
  target_include_directories(${name} INTERFACE "${CMAKE_CURRENT_BINARY_DIR}")
  target_link_libraries(${name} INTERFACE cpq::training_externs cpq::packed_externs Threads::Threads ${CMAKE_DL_LIBS})
  add_dependencies(${name} ${name}_generate)
endfunction()
