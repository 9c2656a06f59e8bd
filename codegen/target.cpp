//===- target.cpp - the Halide target of "host" on this CPU -----------------===//
#include "codegen/target.h"

#include <cpuid.h>
#include <cstdlib>

namespace cpq::codegen {

bool cpu_runs_sapphirerapids_code() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool fp16 = (d >> 23) & 1u; // AVX512-FP16: CPUID.(7,0):EDX[23]
  if (!__get_cpuid_count(7, 1, &a, &b, &c, &d)) return false;
  const bool avx_vnni = (a >> 4) & 1u; // AVX-VNNI: CPUID.(7,1):EAX[4]
  return fp16 && avx_vnni;
}

Halide::Target runnable_here(Halide::Target t) {
  if (t.has_feature(Halide::Target::AVX512_SapphireRapids) && !cpu_runs_sapphirerapids_code())
    t = t.without_feature(Halide::Target::AVX512_SapphireRapids);
  return t;
}

Halide::Target host_target() { return runnable_here(Halide::get_host_target()); }

Halide::Target jit_target() {
  const char *env = std::getenv("HL_JIT_TARGET");
  if (env && *env) return Halide::get_jit_target_from_environment();
  return runnable_here(Halide::get_jit_target_from_environment());
}

Halide::Target with_gpu_needs(Halide::Target t) {
  if (t.has_feature(Halide::Target::OpenCL)) t = t.with_feature(Halide::Target::CLDoubles);
  return t;
}

} // namespace cpq::codegen
