//===- target.h - the Halide target of "host" on this CPU ---------*- C++ -*-===//
//
// Halide 14's host detection turns on `avx512_sapphirerapids` on AMD Zen 4
// (AVX512-VNNI and AVX512-BF16 present), and that feature makes LLVM compile
// for the CPU "sapphirerapids", which may then emit instructions Zen 4 does
// not have: VEX-encoded VNNI (`{vex} vpdpwssd` on xmm, seen in an int32
// contraction's tail) and AVX512-FP16 (`vmovw`, seen moving a 16-bit
// scalar). Both are SIGILL here. The targets below keep the feature only on
// CPUs that report AVX-VNNI and AVX512-FP16 as well.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <Halide.h>

namespace cpq::codegen {

/// Whether this CPU has every instruction set LLVM's "sapphirerapids" may
/// use beyond AVX-512 VNNI/BF16: AVX-VNNI and AVX512-FP16 (CPUID leaf 7).
bool cpu_runs_sapphirerapids_code();

/// `t` without avx512_sapphirerapids unless this CPU runs such code.
Halide::Target runnable_here(Halide::Target t);

/// Halide's host target, made runnable here (what "host" means to cpq).
Halide::Target host_target();

/// The JIT target: HL_JIT_TARGET when set (taken as given), else host_target().
Halide::Target jit_target();

/// `t` with what cpq's kernels need of its GPU API: OpenCL's 64-bit floats
/// (`cl_doubles`: the quantizer's per-channel sums and the optimizers'
/// double scalars). Other targets unchanged.
Halide::Target with_gpu_needs(Halide::Target t);


} // namespace cpq::codegen
