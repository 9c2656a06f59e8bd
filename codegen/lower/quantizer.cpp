//===- quantizer.cpp - lowering of the CPQ quantizer and its gradients ------===//
//
// cpq.quantize (evaluation: every level, deterministic gates),
// cpq.quantize_train (the step's DropBits mask or hard-concrete gates, drawn
// by the runtime's helper functions from (seed, step, tensor id)) and
// cpq.quantize_grad (the multi-class straight-through estimator on the same
// masks or gates), on the builders of codegen/ops/quantize.h through the
// [inner, channel, outer] view of codegen/ops/quantize_tensor.h; each
// quantizer is also recorded for the kernel's manifest.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/lowering.h"

#include "codegen/ops/quantize_tensor.h"
#include "cpq/kernels/dropbits.h"
#include "cpq/runtime/roles.h"
#include "cpq/runtime/training_externs.h"

namespace cpq::codegen::lowering {

using namespace Halide;
namespace roles = runtime::roles;
namespace helpers = runtime::helpers;

namespace {

template <class Op> QuantizerAttrs common_attrs(Op q) {
  QuantizerAttrs a;
  a.grid = grid_of(q);
  a.axis = q.axis() ? int(*q.axis()) : -1;
  a.dropbits_p = q.dropbits_p().convertToDouble();
  a.independent = q.dropbits() == cd::DropBitsMode::Independent && a.dropbits_p > 0.0;
  a.gate_lambda = q.gate_lambda().convertToDouble();
  return a;
}

} // namespace

QuantizerAttrs Lowering::attrs_of(cd::QuantizeOp q) { return common_attrs(q); }

QuantizerAttrs Lowering::attrs_of(cd::QuantizeTrainOp q) {
  QuantizerAttrs a = common_attrs(q);
  a.tensor_id = int(q.tensor_id());
  return a;
}

QuantizerAttrs Lowering::attrs_of(cd::QuantizeGradOp q) {
  QuantizerAttrs a = common_attrs(q);
  a.tensor_id = int(q.tensor_id());
  return a;
}

/// The manifest's record of a quantizer of `input` with scale `alpha` (and
/// gate logits `gates`): a weight (a parameter), the network's input or an
/// activation, named after the weight or after its alpha's parameter less
/// ".alpha".
void Lowering::record_quantizer(const QuantizerAttrs &attrs, mlir::Value input, mlir::Value alpha, mlir::Value gates) {
  runtime::QuantizerInfo q;
  q.bits = attrs.grid.bits;
  q.elements = 1;
  for (int64_t d : input.getType().cast<mlir::RankedTensorType>().getShape())
    if (d >= 0) q.elements *= d;
  const auto [name, role] = source_of(input);
  if (role == roles::param) {
    q.kind = "weight", q.tensor = name;
  } else {
    q.kind = role == roles::input ? "input" : "activation";
    // "act1.alpha", or "act1.alpha@2bit" once --cpq-assign-bitwidths fixed
    // a learned width: the tensor is "act1".
    std::string a = source_of(alpha).first;
    const std::string suffix = ".alpha";
    const std::size_t at = a.rfind(suffix);
    if (at != std::string::npos && at > 0 && (at + suffix.size() == a.size() || a[at + suffix.size()] == '@'))
      a.resize(at);
    q.tensor = a.empty() ? q.kind : a;
  }
  if (gates) q.gate = source_of(gates).first;
  out.quantizers.push_back(std::move(q));
}

/// The DropBits mask of a quantize_train/_grad op: drawn once per call by
/// the project's counter-based generator (a helper C function), or all
/// levels when DropBits is off.
Expr Lowering::mask(const QuantizerAttrs &q, mlir::Value seed, mlir::Value step) {
  const GridSpec g = q.grid;
  const double p = q.dropbits_p;
  if (p == 0.0) return Expr(int(all_levels(g.bits)));
  Func m(unique("dropbits_mask_" + std::to_string(q.tensor_id)));
  m() = Internal::Call::make(Int(32), helpers::dropbits_mask.name,
                             {Expr(int(g.kind)), Expr(g.bits), Expr(p), Expr(q.independent ? 1 : 0), scalar(seed),
                              scalar(step), Expr(q.tensor_id)},
                             Internal::Call::Extern);
  need_extern(helpers::dropbits_mask);
  record("scalar", {m});
  return m();
}

/// The gates z_l and dz_l/dlog_a_l (index l - 2, float64) of a gated
/// quantizer: drawn once per call by the kernel core's hard-concrete sampler
/// (a helper C function) in training, deterministic otherwise.
GateInputs Lowering::gates_of(const QuantizerAttrs &q, const std::string &name, mlir::Value logits, mlir::Value seed,
                              mlir::Value step) {
  Var k("k");
  const Expr log_a = cast<double>(tensor(logits).f(k));
  auto draw = [&](int mode) {
    const Expr s = seed ? scalar(seed) : Expr(int64_t(0)), t = step ? scalar(step) : Expr(int64_t(0));
    return Internal::Call::make(Float(64), helpers::hard_concrete_gate.name,
                                {log_a, s, t, Expr(q.tensor_id), k + 2, Expr(mode)}, Internal::Call::Extern);
  };
  GateInputs g{Func(unique(name + "_gate_z")), Func(unique(name + "_gate_dz"))};
  g.z(k) = draw(seed ? CPQ_GATE_SAMPLED_Z : CPQ_GATE_DETERMINISTIC_Z);
  g.dz_dlog_a(k) = seed ? draw(CPQ_GATE_SAMPLED_DZ) : Internal::make_const(Float(64), 0.0);
  need_extern(helpers::hard_concrete_gate);
  record("scalar", {g.z, g.dz_dlog_a});
  return g;
}

mlir::LogicalResult Lowering::lower_quantize(const QuantizerAttrs &q, const std::string &name, mlir::Value input,
                                             mlir::Value alpha, mlir::Value gates, mlir::Value result,
                                             mlir::Value seed, mlir::Value step) {
  record_quantizer(q, input, alpha, gates);
  const GridSpec g = q.grid;
  const TensorValue &x = tensor(input);
  const QuantizerView view = quantizer_view(x, q.axis);
  TensorVars v;
  v.prefix = name + "_";
  Func x3 = view_3d(x, view, v, name);
  Func a(name + "_alpha");
  a(v.c) = tensor(alpha).f(v.c);
  QuantizeForward fwd;
  if (gates) {
    // The gates replace the DropBits masks (binary gates are hierarchical DropBits).
    fwd = build_gated_forward(g, v, x3, a, gates_of(q, name, gates, seed, step));
  } else {
    Expr keep = seed ? mask(q, seed, step) : Expr();
    const bool independent = q.independent && keep.defined();
    if (!keep.defined()) keep = int(all_levels(g.bits));
    fwd = build_quantize_forward(g, v, x3, a, keep, independent ? DropBitsMode::Independent : DropBitsMode::Hierarchical);
  }
  TensorValue y = from_3d(fwd.x_hat, x, view, name);
  set(result, y);
  schedules::QuantizeLoops loops;
  loops.i = v.i, loops.c = v.c, loops.n = v.n;
  loops.inner_extent = view.inner_extent;
  loops.row_extent = view.row;
  loops.x_hat = fwd.x_hat;
  loops.tables = fwd.tables;
  record("quantize", {y.f}, {}, loops);
  return mlir::success();
}

mlir::LogicalResult Lowering::lower(cd::QuantizeOp q, const std::string &name) {
  return lower_quantize(attrs_of(q), name, q.input(), q.alpha(), q.gate_logits(), q.output(), {}, {});
}

mlir::LogicalResult Lowering::lower(cd::QuantizeTrainOp q, const std::string &name) {
  return lower_quantize(attrs_of(q), name, q.input(), q.alpha(), q.gate_logits(), q.output(), q.seed(), q.step());
}

cd::MaxPool2dGradOp fused_pool_grad(cd::QuantizeGradOp q) {
  auto pool = q.output_grad().getDefiningOp<cd::MaxPool2dGradOp>();
  if (!pool || !windows_tile(pool_window(pool))) return {};
  const int axis = q.axis() ? int(*q.axis()) : -1;
  return axis < 2 ? pool : cd::MaxPool2dGradOp();
}

bool fused_away(cd::MaxPool2dGradOp p) {
  return !p.input_grad().use_empty() && llvm::all_of(p.input_grad().getUsers(), [&](mlir::Operation *user) {
    auto q = llvm::dyn_cast<cd::QuantizeGradOp>(user);
    return q && q.input() != p.input_grad() && fused_pool_grad(q) == p;
  });
}

mlir::LogicalResult Lowering::lower(cd::QuantizeGradOp q, const std::string &name) {
  const QuantizerAttrs attrs = attrs_of(q);
  const GridSpec g = attrs.grid;
  const TensorValue &x = tensor(q.input());
  // Behind a max pool whose windows tile (an activation quantizer before a
  // 2x2 pool), the output gradient is zero but at each window's first
  // maximum: the backward runs over the windows, on x and the pool's output
  // gradient there, and dL/dx is put back at the maxima. The per-channel
  // sums lose only zero terms.
  cd::MaxPool2dGradOp pool = fused_pool_grad(q);
  const Window2d win = pool ? pool_window(pool) : Window2d{};
  Func argmax;
  TensorValue xs = x, dys;
  if (pool) {
    argmax = window_first_max(name + "_pool", tensor(pool.input()), win);
    dys = tensor(pool.output_grad());
    xs = pick_at_argmax(name + "_picked", x, argmax, dys.shape, win);
  } else {
    dys = tensor(q.output_grad());
  }
  const QuantizerView view = quantizer_view(xs, attrs.axis);
  TensorVars v;
  v.prefix = name + "_";
  Func x3 = view_3d(xs, view, v, name + "_x");
  Func dy3 = view_3d(dys, view, v, name + "_dy");
  Func a(name + "_alpha"), s(name + "_sigma");
  a(v.c) = tensor(q.alpha()).f(v.c);
  s(v.c) = tensor(q.sigma()).f(v.c);
  // The window: fixed by the options; else a loop over every edge (points -
  // 1 on each side of any cell reach them all) cut short, on grids of more
  // than 4 points (16 for the autoschedulers, which unroll the loop), at
  // what each channel's scales need (sigma/alpha = 1/4 needs 6 a side, where a
  // 4-bit grid has 15).
  Func window_stage;
  Expr window = Expr(options.edge_window), limit;
  if (options.edge_window <= 0) {
    window = Expr(g.num_points() - 1);
    if (g.num_points() > (options.constant_edge_loops ? 16 : 4))
      limit = automatic_edge_window(g, a, s, v.c, name, window_stage);
  }
  QuantizeBackward bwd;
  if (q.gate_logits()) {
    bwd = build_gated_backward(g, v, x3, a, s, gates_of(attrs, name, q.gate_logits(), q.seed(), q.step()), window, dy3,
                               view.inner_extent, view.outer_extent, tensor(q.alpha()).dim(0), limit,
                               options.checks_apart);
  } else {
    bwd = build_quantize_backward(g, v, x3, a, s, mask(attrs, q.seed(), q.step()),
                                  attrs.independent ? DropBitsMode::Independent : DropBitsMode::Hierarchical, window,
                                  dy3, view.inner_extent, view.outer_extent, limit, options.checks_apart);
  }
  TensorValue dx = pool ? scatter_to_argmax(name, from_3d(bwd.grad_x, xs, view, name + "_at_max"), argmax, x.shape, win)
                        : from_3d(bwd.grad_x, x, view, name);
  Var c("c");
  TensorValue da = define(name + "_dalpha", {c}, cast<float>(bwd.grad_alpha(c)), tensor(q.alpha()).shape);
  TensorValue ds = define(name + "_dsigma", {c}, cast<float>(bwd.grad_sigma(c)), tensor(q.sigma()).shape);
  set(q.input_grad(), dx), set(q.alpha_grad(), da), set(q.sigma_grad(), ds);
  std::vector<Func> results = {dx.f, da.f, ds.f};
  if (q.gate_logits()) {
    Var k("k");
    // The L0 regulariser's gradient over the tensor's n elements: all of a
    // weight's, an activation's per image (as the training report counts
    // them), so that lambda does not depend on the batch size.
    const bool weight = source_of(q.input()).second == roles::param;
    Expr n = weight ? cast<double>(x.dim(0)) : Expr(1.0);
    for (int d = 1; d < x.rank(); ++d) n = n * cast<double>(x.dim(d));
    const Expr regulariser = gate_regulariser_grad(g.bits, attrs.gate_lambda, tensor(q.gate_logits()).f, n, k);
    TensorValue dg = define(name + "_dlog_a", {k}, cast<float>(bwd.grad_log_a(k) + regulariser),
                            tensor(q.gate_logits()).shape);
    set(q.gate_logits_grad(), dg);
    results.push_back(dg.f);
  }
  schedules::QuantizeLoops loops;
  loops.i = v.i, loops.c = v.c, loops.n = v.n;
  loops.inner_extent = view.inner_extent;
  loops.row_extent = view.row;
  loops.tables = bwd.forward.tables;
  if (window_stage.defined()) loops.tables.push_back(window_stage);
  loops.element = bwd.element;
  loops.edge_sums = bwd.edge_sums;
  loops.element_helpers = bwd.element_helpers;
  loops.per_channel = bwd.per_channel;
  loops.grad_x = bwd.grad_x;
  loops.channel_sums = bwd.channel_sums;
  loops.grad_alpha = bwd.grad_alpha;
  loops.grad_sigma = bwd.grad_sigma;
  loops.over_elements = bwd.over_elements;
  loops.gate_sums = bwd.gate_sums;
  loops.views = {x3, dy3};
  if (!pool) {
    record("quantize_grad", results, {}, loops);
    return mlir::success();
  }
  record("quantize_grad", results, {argmax}, loops);
  // The argmax is computed once, before the element loop, without masked
  // vectors along rows narrower than a vector (as the pool's own).
  if (const std::optional<int64_t> ow = schedules::constant_int(dys.dim(3)))
    out.stages.back().inner_extents[argmax.name()] = *ow;
  return mlir::success();
}

} // namespace cpq::codegen::lowering
