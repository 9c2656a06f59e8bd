//===- packed.cpp - lowering of the packed inference ops --------------------===//
//
// cpq.encode, cpq.decode, cpq.pack, cpq.qdense, cpq.qconv2d and
// cpq.requantize on the builders of codegen/ops/packed.h. The weights of
// bound parameters are laid out here, once, by the kernel core
// (cpq/kernels/packed_weights.h), in the layout their products read: bit
// rows for AND and popcount (binary layers), qgemm's panels, or cpq.pack's
// rows for the plain contractions; compiled in, or given to the model file
// (the runtime's format, cpq/runtime/model.h) when the kernel takes its
// parameters as inputs.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/lowering.h"

#include "cpq/kernels/packed_weights.h"
#include "cpq/kernels/qgemm.h"

#include <cstring>

namespace cpq::codegen::lowering {

using namespace Halide;
namespace helpers = runtime::helpers;

namespace {

/// Whether a product reading packed weight `p` takes int8 activations.
bool reads_int8(cd::PackOp p) {
  return llvm::any_of(p.packed().getUsers(), [](mlir::Operation *user) {
    auto t = user->getOperand(0).getType().cast<mlir::RankedTensorType>().getElementType().dyn_cast<mlir::IntegerType>();
    return t && t.isSigned() && t.getWidth() == 8;
  });
}


/// The grid of `v`'s values when they are 1-bit activations: made by an
/// encode or requantize to a 1-bit unsigned grid (codes 0/1) or symmetric
/// grid (levels -1/+1), through max-pools and flattens (which keep the
/// set of values).
std::optional<GridKind> binary_activations(mlir::Value v) {
  for (;;) {
    mlir::Operation *op = v.getDefiningOp();
    if (!op) return std::nullopt;
    if (auto p = llvm::dyn_cast<cd::MaxPool2dOp>(op)) {
      v = p.input();
      continue;
    }
    if (auto f = llvm::dyn_cast<cd::FlattenOp>(op)) {
      v = f.input();
      continue;
    }
    std::optional<GridSpec> quantized;
    if (auto e = llvm::dyn_cast<cd::EncodeOp>(op)) quantized = grid_of(e);
    if (auto r = llvm::dyn_cast<cd::RequantizeOp>(op); r && r.grid() && r.bits())
      quantized = make_grid(cd::toKernel(*r.grid()), int(*r.bits()));
    if (!quantized) return std::nullopt;
    const GridSpec g = *quantized;
    if (g.bits != 1 || g.kind == GridKind::Signed) return std::nullopt;
    return g.kind;
  }
}


/// A packed weight as a model file's tensor (its name is set by model_input).
runtime::ModelFileTensor model_tensor(const PackedWeight &w) {
  runtime::ModelFileTensor t;
  t.dtype = "U8", t.shape = w.byte_shape, t.bytes = w.bytes, t.elements = w.elements;
  t.weight_layout = w.layout, t.layout = w.description;
  return t;
}

} // namespace

/// The panel layout of a packed weight compiled in, when the integer
/// product may use the extern qgemm on `input` (uint8 activations).
const PanelSource *Lowering::panels_for(mlir::Value packed, mlir::Value input) {
  if (options.packed_products != "qgemm") return nullptr;
  auto it = panel_sources.find(packed);
  if (it == panel_sources.end()) return nullptr;
  if (!it->second->takes(tensor(input).type)) return nullptr;
  return it->second.get();
}

/// Whether the extern product can take this packed weight: a grid whose
/// panel layout exists, read only by qdense / one-group qconv2d on
/// unsigned 8-bit levels.
bool Lowering::qgemm_can_take(cd::PackOp p, GridSpec grid) const {
  if (options.packed_products != "qgemm" || (grid.bits == 8 && grid.kind != GridKind::Signed)) return false;
  return llvm::all_of(p.packed().getUsers(), [&](mlir::Operation *user) {
    mlir::Value input;
    if (auto d = llvm::dyn_cast<cd::QDenseOp>(user)) input = d.input();
    if (auto c = llvm::dyn_cast<cd::QConv2dOp>(user)) input = c.groups() == 1 ? c.input() : mlir::Value();
    if (!input || user->getOperand(1) != p.packed()) return false;
    auto t = input.getType().cast<mlir::RankedTensorType>().getElementType().dyn_cast<mlir::IntegerType>();
    return t && (t.isUnsigned() || t.isSigned()) && t.getWidth() == 8;
  });
}
void Lowering::uses_extern_product(const PanelSource &w) {
  need_extern(w.binary ? helpers::bgemm_b1 : helpers::qgemm_u8);
}

/// When every product reading 1-bit weights `p` (qdense, one-group
/// qconv2d) gets 1-bit activations of one grid, that grid: then AND and
/// popcount on bit rows (cpq_bgemm_b1) replace qgemm. Symmetric
/// activations (no level 0) only without padding (padded convolutions on
/// them take qgemm as int8 levels).
std::optional<GridKind> Lowering::binary_products(cd::PackOp p, GridSpec grid) const {
  if (options.packed_products != "qgemm" || grid.bits != 1) return std::nullopt;
  std::optional<GridKind> kind;
  for (mlir::Operation *user : p.packed().getUsers()) {
    mlir::Value input;
    bool padded = false;
    if (auto d = llvm::dyn_cast<cd::QDenseOp>(user)) input = d.input();
    if (auto c = llvm::dyn_cast<cd::QConv2dOp>(user)) {
      if (c.groups() != 1) return std::nullopt;
      input = c.input();
      const Window2d w = conv_window(c);
      padded = w.ph || w.pw;
    }
    if (!input || user->getOperand(1) != p.packed()) return std::nullopt;
    const std::optional<GridKind> k = binary_activations(input);
    if (!k || (kind && *kind != *k) || (*k == GridKind::Symmetric && padded)) return std::nullopt;
    kind = k;
  }
  return kind;
}


/// cpq.pack of bound values is packed here, once, by the kernel core
/// (cpq/kernels/packed_weights.h), and compiled in as constant bytes or
/// given to the model file; of run-time values, by the Halide builder. The
/// products that can take the weight decide its layout: bit rows for AND
/// and popcount, panels for the extern qgemm, and cpq.pack's rows for the
/// plain contractions (always there when the weights are compiled in).
mlir::LogicalResult Lowering::lower(cd::PackOp p, const std::string &name) {
  const GridSpec grid = grid_of(p);
  const auto w = bound_values(p.weight()), alpha = bound_values(p.alpha());
  if (!w || !alpha) return unary(p.packed(), "elementwise", pack(name, tensor(p.weight()), tensor(p.alpha()), grid));
  const std::vector<int64_t> shape = shape_of(p.weight().getType());
  if (alpha->size() != 1 && int64_t(alpha->size()) != shape.at(0))
    return p.emitOpError("alpha must have 1 or ") << shape.at(0) << " values";
  const WeightLevels levels = quantize_weight(grid, *w, *alpha, shape);
  const int64_t O = levels.outputs, K = levels.k;
  const std::string weight = p.weight().getDefiningOp<cd::ParamOp>().name().str();
  const bool qgemm = qgemm_can_take(p, grid);
  const bool model = options.parameters_as_inputs;
  if (const std::optional<GridKind> activations = binary_products(p, grid)) {
    const PackedWeight bits = pack_weight(levels, WeightLayout::BitRows);
    ExternFuncArgument bytes;
    if (model) {
      set(p.packed(), model_input(weight + ".bits", UInt(8), model_tensor(bits)));
      bytes = *out.inputs.back().buffer;
    } else {
      bytes = constant_bytes(bits.bytes, name + "_bits");
    }
    panel_sources[p.packed()] = std::make_shared<PanelSource>(
        PanelSource{PanelView::of(grid, O, K, nullptr), bytes, true, *activations});
    if (model) return mlir::success();
  } else if (qgemm) {
    // The panel layout: compiled in, or a model tensor. Panels store a grid
    // of 1, 2, 4 or 8 bits at its own width; 3 bits take 4 and 5-7 take 8,
    // so a model file keeps those in cpq.pack's rows at their true size and
    // the loader lays them out as panels (model_file.h, rows_to_panels).
    const PackedWeight panels = pack_weight(levels, WeightLayout::Panels);
    auto source = std::make_shared<PanelSource>(PanelSource{PanelView::of(grid, O, K, nullptr), ExternFuncArgument()});
    if (model) {
      runtime::ModelFileTensor t = model_tensor(panels);
      if (panel_bits(grid.bits) != grid.bits) {
        t = model_tensor(pack_weight(levels, WeightLayout::Rows));
        t.rows_to_panels = grid, t.kernel_shape = panels.byte_shape;
        t.layout += "; laid out as " + std::to_string(panels.bytes.size()) + " bytes of panels (qgemm.h) when loaded";
      }
      set(p.packed(), model_input(weight + ".panels", UInt(8), std::move(t)));
      source->bytes = *out.inputs.back().buffer;
    } else {
      source->bytes = constant_bytes(panels.bytes, name + "_panels");
    }
    if (reads_int8(p)) { // their sums of levels, for products on int8 activations
      const std::vector<std::int32_t> sums = level_sums(levels);
      if (model) {
        runtime::ModelFileTensor t;
        t.dtype = "I32", t.shape = {O}, t.elements = O;
        t.bytes.resize(sums.size() * 4);
        std::memcpy(t.bytes.data(), sums.data(), t.bytes.size()); // little-endian host
        source->level_sums = model_input(weight + ".level_sums", Int(32), t).f;
      } else {
        Buffer<int32_t> b(int(O), unique(name + "_level_sums"));
        std::copy(sums.begin(), sums.end(), b.data());
        Var o("o");
        Func f(unique(name + "_level_sums_const"));
        f(o) = b(o);
        source->level_sums = f;
      }
    }
    panel_sources[p.packed()] = source;
    if (model) return mlir::success();
  }
  const PackedWeight rows = pack_weight(levels, WeightLayout::Rows);
  if (model) { // the bytes are an input, and go to the model file
    set(p.packed(), model_input(weight + ".packed", UInt(8), model_tensor(rows)));
    return mlir::success();
  }
  const int64_t row_bytes = rows.byte_shape.at(1);
  Buffer<uint8_t> buf(int(row_bytes), int(O), unique(name + "_bytes"));
  std::copy(rows.bytes.begin(), rows.bytes.end(), buf.data());
  Var b("b"), o("o");
  Func f(unique(name + "_const"));
  f(b, o) = buf(b, o);
  set(p.packed(), {f, {Expr(int(O)), Expr(int(row_bytes))}, UInt(8)});
  return mlir::success();
}

/// Bytes compiled into the kernel, as an extern stage's argument.
Buffer<uint8_t> Lowering::constant_bytes(const std::vector<std::uint8_t> &bytes, const std::string &base) {
  Buffer<uint8_t> b(int(bytes.size()), unique(base));
  std::copy(bytes.begin(), bytes.end(), b.data());
  return b;
}



mlir::LogicalResult Lowering::lower(cd::EncodeOp e, const std::string &name) {
  return unary(e.codes(), "elementwise",
               encode(name, tensor(e.input()), tensor(e.alpha()), grid_of(e), element_type(e.codes())));
}

mlir::LogicalResult Lowering::lower(cd::DecodeOp d, const std::string &name) {
  return unary(d.output(), "elementwise", decode(name, tensor(d.codes()), tensor(d.alpha()), grid_of(d)));
}

mlir::LogicalResult Lowering::lower(cd::QDenseOp d, const std::string &name) {
  if (const PanelSource *w = panels_for(d.packed_weight(), d.input()))
    return uses_extern_product(*w), unary(d.output(), "dense", qgemm_dense(name, tensor(d.input()), *w));
  return unary(d.output(), "dense", qdense(name, tensor(d.input()), tensor(d.packed_weight()), grid_of(d)));
}

mlir::LogicalResult Lowering::lower(cd::QConv2dOp c, const std::string &name) {
  Window2d win = conv_window(c);
  std::tie(win.kh, win.kw) = pair_of(c.kernel());
  if (const PanelSource *w = c.groups() == 1 ? panels_for(c.packed_filter(), c.input()) : nullptr)
    return uses_extern_product(*w), unary(c.output(), "conv2d", qgemm_conv2d(name, tensor(c.input()), *w, win));
  return unary(c.output(), "conv2d",
               qconv2d(name, tensor(c.input()), tensor(c.packed_filter()), grid_of(c), win, int(c.groups())));
}

mlir::LogicalResult Lowering::lower(cd::RequantizeOp r, const std::string &name) {
  const TensorValue *next = r.next_alpha() ? &tensor(r.next_alpha()) : nullptr;
  std::optional<GridSpec> grid;
  if (next) grid = make_grid(cd::toKernel(*r.grid()), int(*r.bits()));
  TensorValue y = requantize(name, tensor(r.input()), tensor(r.scale()), tensor(r.bias()), next, r.relu(), grid,
                             element_type(r.output()));
  y.channels_last = tensor(r.input()).channels_last && y.rank() == 4;
  set(r.output(), y);
  record("elementwise", {y.f}, y.helpers);
  out.stages.back().channels_last = y.channels_last;
  return mlir::success();
}

} // namespace cpq::codegen::lowering
