//===- jit.cpp - JIT-compiling lowered cpq functions ------------------------===//
#include "codegen/jit.h"

#include "cpq/runtime/kernel.h"
#include "cpq/runtime/kernel_helpers.h"
#include "cpq/runtime/packed_externs.h"
#include "cpq/runtime/training_externs.h"
#include "schedules/schedule.h"

namespace cpq::codegen {

using namespace Halide;

Pipeline compile_jit(LoweredFunction &f, const std::string &schedule, const Target &target_in) {
  const Target target = with_gpu_needs(target_in);
  if (target.has_feature(Target::OpenCL)) runtime::prepare_opencl_in_process();
  Pipeline p = f.pipeline();
  schedules::apply_schedule(p, f.stages, f.output_funcs(), target, schedule);
  std::map<std::string, JITExtern> externs;
  namespace helpers = runtime::helpers;
  const std::map<std::string, JITExtern> available = {
      {helpers::dropbits_mask.name, JITExtern(ExternCFunction(&cpq_dropbits_mask))},
      {helpers::hard_concrete_gate.name, JITExtern(ExternCFunction(&cpq_hard_concrete_gate))},
      {helpers::qgemm_u8.name, JITExtern(ExternCFunction(&cpq_qgemm_u8))},
      {helpers::bgemm_b1.name, JITExtern(ExternCFunction(&cpq_bgemm_b1))}};
  for (const std::string &name : f.externs) {
    auto it = available.find(name);
    if (it == available.end()) throw std::logic_error("the JIT has no helper function '" + name + "'");
    externs.emplace(name, it->second);
  }
  p.set_jit_externs(externs);
  p.compile_jit(target);
  return p;
}

Realization make_outputs(const LoweredFunction &f, int batch) {
  std::vector<Buffer<>> buffers;
  for (const LoweredOutput &o : f.outputs) {
    std::vector<int> extents;
    for (auto it = o.shape.rbegin(); it != o.shape.rend(); ++it) extents.push_back(*it < 0 ? batch : int(*it));
    buffers.emplace_back(o.type, extents);
  }
  return Realization(buffers);
}

} // namespace cpq::codegen
