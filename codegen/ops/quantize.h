//===- quantize.h - Halide builder of the cpq.quantize op ---------*- C++ -*-===//
//
// This file declares the Halide algorithm of the CPQ quantizer
// (cpq-method.md sections 2-5) that generators and the code generator use for
// the `quantize` op: the forward (mode of the categorical over the surviving
// grid points) and the fused backward (dL/dx per element and the per-channel
// reductions dL/dalpha, dL/dsigma, and dL/dlog_a of the learned gates).
// Schedules live apart, in schedules/.
//
// Tensors are seen as [inner, channel, outer] (Halide dimension 0 first):
// alpha and sigma have one value per channel, so per-tensor quantization is
// channel extent 1.
//
// DropBits (section 4): the kernels take the tensor's level mask `keep`
// (LevelMask) of this step, drawn outside by cpq::draw_dropbits_mask with the
// same seed. A hierarchical kernel accepts every hierarchical mask (the
// survivors are the 2^shift sub-grid) and works in closed form; an
// independent kernel accepts every mask, builds small survivor tables per call
// and gathers from them. Evaluation mode is the mask all_levels(bits).
//
// Learned bit-widths (section 5): the gated kernels take the gates z_l of the
// step (levels 2..b, drawn outside by cpq::draw_gates, or deterministic at
// evaluation) and dz_l/dlog_a_l, both float64, and compute the gated residual
// sum_l c_l x_hat_l of the l-bit sub-grids.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/dropbits.h"
#include "cpq/kernels/grid.h"

#include <Halide.h>

#include <string>
#include <vector>

namespace cpq::codegen {

/// The pure variables of a quantized tensor, and what the names of the
/// Funcs built for it start with (the op's name in a lowered function, so
/// that profiles and listings say which quantizer a Func belongs to).
struct TensorVars {
  Halide::Var i{"i"}, c{"c"}, n{"n"};
  std::string prefix;
};

/// The surviving grid of a hierarchical mask, as run-time expressions.
struct SurvivorGeometry {
  Halide::Expr keep_ok;  ///< keep is a hierarchical (prefix) mask of this grid
  Halide::Expr step;     ///< 2^shift, the sub-grid's step in levels (float)
  Halide::Expr q_first;  ///< lowest surviving level (float)
  Halide::Expr q_last;   ///< highest surviving level (float)
  Halide::Expr count;    ///< number of surviving points (int)
  Halide::Expr t_first;  ///< lowest surviving point in units of alpha (float)
  Halide::Expr cell_t;   ///< distance between surviving points, units of alpha (float)
};

SurvivorGeometry hierarchical_survivors(GridSpec grid, const Halide::Expr &keep);

/// The survivors of any mask as small per-call tables (independent masks).
struct SurvivorTables {
  Halide::Expr keep_ok;  ///< keep holds level 1 and no level above the grid's bits
  Halide::Func survives; ///< by code k: 1 if level q_min + k survives
  Halide::Func below;    ///< by code k: the last surviving code <= k
  Halide::Func above;    ///< by code k: the first surviving code > k, or K if none
  Halide::Func rank;     ///< by code k: index among survivors of below(k)
  Halide::Func code_of;  ///< by survivor index: its code
  Halide::Func edge_tau; ///< by edge j = 1..count-1: midpoint of survivors j-1, j (units of alpha)
  Halide::Func edge_dt;  ///< by edge j: distance of survivors j-1, j (units of alpha)
  Halide::Func count;    ///< () number of survivors
  Halide::Func check;    ///< () the mask, or a run-time error when !keep_ok
  /// Every table, for schedules (each is tiny and computed once per call).
  std::vector<Halide::Func> all() const {
    return {check, survives, below, above, rank, code_of, edge_tau, edge_dt, count};
  }
};

SurvivorTables survivor_tables(GridSpec grid, const Halide::Expr &keep, const std::string &prefix = "");

struct QuantizeForward {
  Halide::Func level;  ///< integer level q of the mode, as float (undefined when gated)
  Halide::Func x_hat;  ///< alpha * q (or alpha * q / 2 on the symmetric grid)
  Halide::Func code;   ///< (q - q_min) / q_step as uint8, what packing stores (undefined when gated)
  Halide::Func mode_index; ///< independent masks: index of the mode among the survivors
  SurvivorTables survivors; ///< independent masks: the per-call tables
  std::vector<Halide::Func> tables; ///< survivors.all() (independent masks), else empty
};

/// Forward of section 2 on the survivors of `keep`, float32 in the order of
/// the scalar reference, so the results are bit-exact.
QuantizeForward build_quantize_forward(GridSpec grid, const TensorVars &v, const Halide::Func &x,
                                       const Halide::Func &alpha, const Halide::Expr &keep,
                                       DropBitsMode masks = DropBitsMode::Hierarchical);

/// The gates of one tensor at one step, float64, indexed by level - 2.
struct GateInputs {
  Halide::Func z;         ///< z_l in [0, 1]
  Halide::Func dz_dlog_a; ///< dz_l / dlog_a_l (0 at evaluation)
};

/// Gated residual forward of section 5: sum_{l=1..b} c_l x_hat_l with
/// c_l = Z_l - Z_{l+1}, Z_l = z_2 ... z_l, in the reference's order.
QuantizeForward build_gated_forward(GridSpec grid, const TensorVars &v, const Halide::Func &x,
                                    const Halide::Func &alpha, const GateInputs &gates);

struct QuantizeBackward {
  QuantizeForward forward;
  /// Per element: Tuple(dL/dx, dL/dalpha contribution, dL/dsigma
  /// contribution[, dL/dz_l contributions for l = 2..b when gated]).
  Halide::Func element;
  Halide::Func grad_x;
  /// Per channel, float64: Tuple(sum of dL/dalpha, sum of dL/dsigma[, sums of
  /// dL/dz_l]) over inner and outer (RDom over_elements), and the outputs
  /// reading it.
  Halide::Func channel_sums;
  Halide::RDom over_elements;
  Halide::Func grad_alpha, grad_sigma;
  /// Gated only: dL/dlog_a_l (index l - 2), float64, summed over channels
  /// (RDom over_channels in gate_sums).
  Halide::Func gate_sums, grad_log_a;
  Halide::RDom over_channels;
  /// The sums over edges near x (one per sub-grid when gated), and the
  /// per-element values their loops read (where the window starts), for
  /// schedules: both belong next to the element's computation.
  std::vector<Halide::Func> edge_sums, element_helpers;
  /// Per-channel values the edge loops read (the ratio of exp(-|u|) from
  /// edge to edge): compute them once per call.
  std::vector<Halide::Func> per_channel;
};

/// The edge window a backward needs for one channel: required_edge_window
/// for the channel's sigma / alpha on the grid's finest cells, between 1 and
/// the grid's points - 1. `stage` is the per-channel Func that computes it
/// (compute it at root, once per call).
Halide::Expr automatic_edge_window(GridSpec grid, const Halide::Func &alpha, const Halide::Func &sigma,
                                   const Halide::Var &channel, const std::string &name, Halide::Func &stage);

/// Fused backward of section 3 (the fast local form). Visits edge_window
/// edges on each side of x (edge_window from
/// cpq::reference::required_edge_window; the pipeline requires it to be large
/// enough for every channel's sigma / alpha). On uniform survivors one exp per
/// side per element suffices: along the edges u grows by alpha * cell / sigma,
/// so exp(-|u|) is a running product. `window_limit`, when defined, stops
/// the edge loops early (a run-time count, e.g. automatic_edge_window, that
/// may call Funcs, which the loop extent `edge_window` may not) and is what
/// the window check compares. With `checks_apart` the window is checked
/// once a channel in a Func of its own, "<prefix>window_check" (for GPU schedules,
/// which compute it on the host), else inline in the element loop (one
/// Func fewer: Halide 14's Mullapudi2016 fails on the separate one).
QuantizeBackward build_quantize_backward(GridSpec grid, const TensorVars &v, const Halide::Func &x,
                                         const Halide::Func &alpha, const Halide::Func &sigma,
                                         const Halide::Expr &keep, DropBitsMode masks,
                                         const Halide::Expr &edge_window, const Halide::Func &grad_out,
                                         const Halide::Expr &inner_extent, const Halide::Expr &outer_extent,
                                         const Halide::Expr &window_limit = Halide::Expr(), bool checks_apart = false);

/// Backward of the gated residual quantizer: the multi-class STE of each
/// sub-grid weighted by c_l, and dL/dlog_a_l = dz_l/dlog_a_l * sum over all
/// elements of G * sum_{m>=l} (prod_{j=2..m, j!=l} z_j)(x_hat_m - x_hat_{m-1}).
/// Sub-grids whose c_l is 0 are skipped. The regulariser's gradient is not
/// included (it does not depend on the data: cpq::expected_extra_bits).
QuantizeBackward build_gated_backward(GridSpec grid, const TensorVars &v, const Halide::Func &x,
                                      const Halide::Func &alpha, const Halide::Func &sigma, const GateInputs &gates,
                                      const Halide::Expr &edge_window, const Halide::Func &grad_out,
                                      const Halide::Expr &inner_extent, const Halide::Expr &outer_extent,
                                      const Halide::Expr &channel_extent, const Halide::Expr &window_limit = Halide::Expr(),
                                      bool checks_apart = false);

} // namespace cpq::codegen
