//===- stages.h - what the lowering tells the schedules -------------*- C++ -*-===//
//
// This file declares what a schedule of any target family may read of a
// lowered cpq function: each op's Funcs and the loops that matter (a
// quantizer's element and channel loops, a contraction's accumulator and
// relaid operands, an extern product's rows), recorded by codegen/lower as
// ScheduleStages. Schedules read only these, so a target family (x86/
// today) can be added beside the others without touching the op builders.
//
// The contractions (conv2d and its gradients, dense and its gradients) are
// computed into an accumulator whose first axis is the one to vectorize
// (output channels, or the contiguous input axis) and whose second is the
// one to hold in registers, from operands copied ("relaid out") so that
// they are contiguous along the vector axis; the op's result is a copy of
// the accumulator in the dialect's layout.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <Halide.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cpq::schedules {

/// The value of `e` when it simplifies to an integer constant. (A pointer
/// from `as_const_int(simplify(e))` points into the simplified Expr, which
/// is freed at the end of that statement when simplify made a new node.)
inline std::optional<int64_t> constant_int(const Halide::Expr &e) {
  const Halide::Expr s = Halide::Internal::simplify(e);
  if (const int64_t *v = Halide::Internal::as_const_int(s)) return *v;
  return std::nullopt;
}


/// An operand copied to another axis order: copy(...) = source(permuted).
struct Relayout {
  Halide::Func copy, source;
  /// Edge of the square blocks a transposing schedule moves through
  /// registers (copy's first two axes are both at least this long, and
  /// source's first axis is one of them), 0 for a plain vectorized copy.
  int block = 0;
  /// A plain copy computed per image inside the result's loop over the
  /// batch, where that loop is the parallel one, or inside the
  /// accumulator's loop over the batch where the batch is reduced
  /// (ContractionLoops::batch_reduced), else at root: a copy larger than
  /// its source (zero borders) then stays in the cache.
  bool per_image = false;
};

struct ContractionLoops {
  /// acc(vector axis, register axis, other axes...), pure init and one
  /// update over the reduction.
  Halide::Func acc;
  /// Operands copied to a layout contiguous along acc's vector axis.
  std::vector<Relayout> relayouts;
  /// The extents of acc's first two axes (the second may be the dynamic batch).
  int vector_extent = 0;
  Halide::Expr register_extent;
  /// The result's extents, Halide order (the batch is an Expr, the rest
  /// constants).
  std::vector<Halide::Expr> result_extents;
  /// Accumulators a block may hold at most, where fewer than the target's
  /// registers allow measured faster (0: no cap).
  int max_accumulators = 0;
  /// Bytes between the rows the register axis broadcasts from (a dense
  /// layer's input rows, in a dense buffer); 0 where that axis is
  /// contiguous. Schedules keep the rows of a block from crowding one
  /// cache set.
  int64_t register_row_bytes = 0;
  /// acc may be computed past vector_extent, to whole vectors and whole
  /// blocks: what it reads there is defined (zeros), so its vector loops
  /// need no masks (fc2's 10 outputs: masked accumulators stayed in memory,
  /// 27-37 us) and a schedule may take full-width vectors where half-width
  /// ones would divide the extent (first layers' rows of 24 and 28).
  bool vector_padded = false;
  /// acc's update has a predicate on the register axis and the reduction's
  /// first variable (a convolution's input gradient taken along dy's
  /// columns): its block spans the whole static register axis, one vector
  /// wide, and that reduction variable is unrolled, so that every predicate
  /// is a constant and terms outside it are never computed.
  bool whole_register_axis = false;
  /// The static extent of acc's third axis where it may be held in
  /// registers too (a filter gradient's kernel rows beside its columns:
  /// 2 vectors x 3 x 3 sums, where 2 x 3 left each step 5 memory operands
  /// for 6 FMAs), 0 where not.
  int second_register_extent = 0;
  /// acc's last reduction variable is the batch (a filter gradient).
  bool batch_reduced = false;
  /// The function's output Func that computes this result in place, where
  /// the result is returned and read by nothing else (undefined otherwise):
  /// scheduled as the result, under the result's stage name, so that the
  /// result is not written to a buffer and copied again (LeNet-5's fc1
  /// weight gradient as a one-op kernel: 2 MiB, a third of its time).
  Halide::Func output = Halide::Func();
  /// Dot products along the reduction instead of a result along its vector
  /// axis, where both operands are contiguous along the reduction (a dense
  /// layer's forward pass reading w as it lies, no transposed copy):
  /// acc(l, o, n) holds lane l's share of output (o, n) (`lanes` of them,
  /// each a sum over every lanes-th input), `lane_sum`(o, n) the sum over the
  /// lanes, and the result reads lane_sum. vector_extent is then the
  /// outputs, register_extent the batch.
  Halide::Func lane_sum = Halide::Func();
  int lanes = 0;
};

/// An extern stage computing out(o, row) (cpq_qgemm_u8): computed at root,
/// its rows split into chunks (and its outputs into two halves when they
/// are whole panels) that run in parallel, one extern call each.
struct ExternGemmLoops {
  Halide::Func f;
  Halide::Var o, row;
  Halide::Expr rows; ///< the row extent (the batch, or batch x output pixels)
  int outputs = 0;
  /// A convolution's im2col copy im2col(k, row), k = (c kh + ky) kw + kx,
  /// row = (n oh + i) ow + j; kw = 0 for none.
  Halide::Func im2col;
  Halide::Var col_k, col_row;
  int kw = 0, kh = 0, ow = 0, oh = 0, k = 0;
};


/// Edge loops of a constant extent up to this are unrolled by the
/// schedules; the quantizer's builder gives grids of at most this many edges
/// (1 and 2 bits, and the 1- and 2-bit sub-grids of gated kernels) loops of
/// that constant extent, masked, so that their running sums stay in
/// registers.
inline constexpr int kUnrolledEdges = 4;

/// The Funcs and dimensions of a quantizer pipeline that the schedules touch.
struct QuantizeLoops {
  Halide::Var i, c, n;
  /// The extent of i: a constant when the lowering knows it (a network's
  /// static inner axes), the input's run-time extent in the standalone
  /// kernels, which take any size (chunks are then cut at run time, so a
  /// 25-element filter row is not run as a whole chunk of masked vectors).
  Halide::Expr inner_extent;
  /// The extent of the rows i is made of when it flattens several axes of a
  /// network's tensor (a row is contiguous in the tensor, rows are not
  /// adjacent in the view's arithmetic), 0 when i is one axis or unknown.
  int row_extent = 0;
  Halide::Func x_hat;                     // forward output
  std::vector<Halide::Func> tables;       // per-call survivor tables (independent masks)
  Halide::Func element;                   // backward, per element
  std::vector<Halide::Func> edge_sums;    // per element, one per (sub-)grid
  std::vector<Halide::Func> element_helpers; // per element, read by the edge loops
  std::vector<Halide::Func> per_channel;     // per channel, read by the edge loops
  Halide::Func grad_x, channel_sums, grad_alpha, grad_sigma;
  Halide::RDom over_elements;
  /// The [inner, channel, outer] views of a network's tensors that the
  /// backward's element loop reads (x and dL/dx_hat), inlined unless a
  /// schedule stages them: where i flattens rows that are not a whole number
  /// of vectors, the x86 schedule copies each block of whole rows of them
  /// into flat buffers, row by row, so that the element loop's vectors may
  /// cross rows. Empty in the standalone kernels, whose inputs are flat.
  std::vector<Halide::Func> views;
  Halide::Func gate_sums;                 // gated only
};

/// The Funcs one op made: `family` names the op kind ("conv2d",
/// "conv2d_grad_filter", "quantize_grad", "elementwise", ...), `funcs` its
/// results, `helpers` the intermediate stages it defined (statistics,
/// argmax), `quantize` the loops of a quantizer stage, `contraction` those
/// of a convolution or dense stage.
struct ScheduleStage {
  std::string family;
  std::vector<Halide::Func> funcs, helpers;
  std::optional<QuantizeLoops> quantize;
  std::optional<ContractionLoops> contraction;
  std::optional<ExternGemmLoops> extern_gemm = std::nullopt;
  /// NCHW results computed and stored channels innermost (see TensorValue).
  bool channels_last = false;
  /// A convolution's filter gradient in the direct form (not a
  /// contraction), f(kw, kh, c, o) += over (dy's width, height, batch): its
  /// static output channels, kernel width and dy's width (0 if not static),
  /// so that a schedule may hold a block of (kernel column, output channel)
  /// sums in registers and pick lanes that divide dy's rows. Every direct
  /// filter gradient has one.
  struct FilterGradient {
    int64_t outputs = 0, kernel_width = 0, width = 0;
    /// Copies of dy and x the sums read instead, where dy's rows are not
    /// whole half-vectors: dy's rows lengthened with zeros to whole vectors
    /// (no pure definition: one update copying dy's rows, one zeroing the
    /// columns past them), x with zeros around it. Small per image; a
    /// schedule computes them per image, so that no sum runs over a masked
    /// tail (whose masked loads and stores kept the sums in memory: the
    /// VGG-style stem, rows of 28).
    std::vector<Halide::Func> row_copies = {};
  };
  std::optional<FilterGradient> filter_gradient = std::nullopt;
  /// Static innermost extents of the stage's Funcs and helpers, by name,
  /// where known: a schedule may pick vector widths and tails that need no
  /// masks (a pool's stride-2 loads under a mask became gathers).
  std::map<std::string, int64_t> inner_extents = {};
};

} // namespace cpq::schedules
