//===- lower.cpp - a cpq function as one Halide pipeline --------------------===//
//
// This file implements the lowering's frame: arguments become input buffers
// (with their static extents and one shared batch extent as constraints) or
// scalars, parameters become inputs or constant buffers, each op becomes the
// Funcs of its family's lowering (the table below), and each result an
// output Func of its own; argument names are claimed once, and two that
// become one C identifier are refused.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/lowering.h"

#include "cpq/runtime/roles.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace cpq::codegen {

using namespace Halide;
using runtime::c_identifier;
namespace roles = runtime::roles;

namespace lowering {

namespace {

/// The first value of a parameter argument, from its cpq.init and cpq.value
/// (set by --cpq-expand-training), when it has them.
std::optional<runtime::ParamInit> argument_init(mlir::DictionaryAttr attrs) {
  if (!attrs) return std::nullopt;
  auto kind = attrs.getAs<mlir::StringAttr>("cpq.init");
  if (!kind) return std::nullopt;
  runtime::ParamInit init;
  init.kind = kind.getValue().str();
  if (auto dense = attrs.getAs<mlir::DenseElementsAttr>("cpq.value")) {
    if (dense.isSplat())
      init.values.push_back(dense.getSplatValue<float>());
    else
      for (float v : dense.getValues<float>()) init.values.push_back(v);
  }
  return init;
}

} // namespace

Type halide_type(mlir::Type t) {
  if (t.isF32()) return Float(32);
  if (t.isF64()) return Float(64);
  if (auto i = t.dyn_cast<mlir::IntegerType>()) return i.isUnsigned() ? UInt(int(i.getWidth())) : Int(int(i.getWidth()));
  throw std::invalid_argument("unsupported element type");
}

Type element_type(mlir::Value v) { return halide_type(v.getType().cast<mlir::RankedTensorType>().getElementType()); }

std::vector<int64_t> shape_of(mlir::Type t) {
  auto r = t.cast<mlir::RankedTensorType>();
  std::vector<int64_t> s(r.getShape().begin(), r.getShape().end());
  for (int64_t &d : s)
    if (d == mlir::ShapedType::kDynamicSize) d = -1;
  return s;
}

std::pair<int, int> pair_of(mlir::ArrayAttr a) {
  return {int(a[0].cast<mlir::IntegerAttr>().getInt()), int(a[1].cast<mlir::IntegerAttr>().getInt())};
}

std::optional<std::vector<float>> bound_values(mlir::Value v) {
  auto p = v.getDefiningOp<cd::ParamOp>();
  if (!p || !p.value()) return std::nullopt;
  auto dense = p.value()->dyn_cast<mlir::DenseElementsAttr>();
  if (!dense) return std::nullopt;
  const std::size_t count = std::size_t(p.getType().cast<mlir::RankedTensorType>().getNumElements());
  std::vector<float> out;
  for (float x : dense.getValues<float>()) out.push_back(x);
  if (dense.isSplat()) out.assign(count, out.at(0));
  return out;
}

std::optional<LoweredFunction> Lowering::run() {
  out.name = c_identifier(func.getName().str());
  try {
    reserve_argument_names();
    for (unsigned i = 0; i < func.getNumArguments(); ++i) add_argument(i);
    for (mlir::Operation &op : func.front()) {
      if (auto ret = llvm::dyn_cast<mlir::ReturnOp>(op)) {
        add_results(ret);
        continue;
      }
      if (mlir::failed(lower(&op))) return std::nullopt;
    }
  } catch (const std::exception &e) {
    func.emitError("cannot lower to Halide: ") << e.what();
    return std::nullopt;
  }
  return std::move(out);
}

mlir::LogicalResult Lowering::lower(mlir::Operation *op) {
  const std::string name = unique(op->getName().stripDialect().str() + "_" + std::to_string(counter++));
#define CPQ_LOWER_CASE(Op) .Case([&](cd::Op o) { return lower(o, name); })
  return llvm::TypeSwitch<mlir::Operation *, mlir::LogicalResult>(op)
      CPQ_FOR_EACH_OP(CPQ_LOWER_CASE)
      .Default([&](mlir::Operation *other) { return other->emitOpError("has no Halide lowering"); });
#undef CPQ_LOWER_CASE
}

/// A new name for an internal Func, from `base`: never an argument's.
std::string Lowering::unique(const std::string &base) {
  std::string name = c_identifier(base);
  for (int k = 2; reserved.count(name) || !used.insert(name).second; ++k) name = c_identifier(base) + "_" + std::to_string(k);
  return name;
}

/// Claims C name `id` for the kernel argument described by `what`.
std::string Lowering::argument_name(const std::string &what, const std::string &id) {
  auto [it, fresh] = argument_of.emplace(id, what);
  if (!fresh)
    throw std::invalid_argument(it->second + " and " + what + " both become the C identifier '" + id +
                                "' of a kernel argument; rename one of them");
  used.insert(id);
  return id;
}

std::string Lowering::argument_name(const std::string &tensor) {
  return argument_name("'" + tensor + "'", c_identifier(tensor));
}

/// Every name an argument may take (the function's arguments and results,
/// its parameters with the suffixes of packed model inputs), so that no
/// internal Func takes one first.
void Lowering::reserve_argument_names() {
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    reserved.insert(c_identifier(attr_string(func.getArgAttrDict(i), "cpq.name", "arg" + std::to_string(i))));
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    const std::string id =
        c_identifier(attr_string(func.getResultAttrDict(i), "cpq.name", "result" + std::to_string(i)));
    reserved.insert(id);
    reserved.insert(id + "_out");
  }
  func.walk([&](cd::ParamOp p) {
    for (const char *suffix : {"", ".panels", ".bits", ".packed", ".level_sums"})
      reserved.insert(c_identifier(p.name().str() + suffix));
  });
}

std::string Lowering::attr_string(mlir::DictionaryAttr attrs, llvm::StringRef key, const std::string &fallback) {
  if (attrs)
    if (auto s = attrs.getAs<mlir::StringAttr>(key)) return s.getValue().str();
  return fallback;
}

/// Constrains an input buffer's extents: static ones exactly, the dynamic
/// batch to the first dynamic extent seen.
void Lowering::constrain(ImageParam &im, const std::vector<int64_t> &shape, std::vector<Expr> &extents) {
  const int rank = int(shape.size());
  extents.assign(shape.size(), Expr());
  // Dense rows: a dimension's stride is the elements of those inside it,
  // while they are all static (so loads use constant offsets).
  int64_t inner = 1;
  for (int h = 0; h < rank && inner > 0; ++h) {
    if (h > 0) im.dim(h).set_stride(int(inner));
    const int64_t e = shape[rank - 1 - h];
    inner = e >= 0 && inner * e <= INT32_MAX ? inner * e : -1;
  }
  for (int k = 0; k < rank; ++k) {
    const int h = rank - 1 - k;
    if (shape[k] >= 0) {
      im.dim(h).set_bounds(0, int(shape[k]));
      extents[k] = int(shape[k]);
      im.dim(h).set_estimate(0, int(shape[k]));
    } else {
      im.dim(h).set_min(0);
      if (batch.defined())
        im.dim(h).set_extent(batch);
      else
        batch = im.dim(h).extent();
      extents[k] = batch;
      im.dim(h).set_estimate(0, options.batch_estimate);
    }
  }
}

void Lowering::add_argument(unsigned i) {
  mlir::Value arg = func.getArgument(i);
  mlir::DictionaryAttr attrs = func.getArgAttrDict(i);
  LoweredInput in;
  in.tensor = attr_string(attrs, "cpq.name", "arg" + std::to_string(i));
  in.name = argument_name(in.tensor);
  in.role = attr_string(attrs, "cpq.role", roles::input);
  in.init = argument_init(attrs);
  if (auto t = arg.getType().dyn_cast<mlir::RankedTensorType>()) {
    in.type = halide_type(t.getElementType());
    in.shape = shape_of(t);
    values[arg] = input_buffer(in);
  } else {
    in.type = halide_type(arg.getType());
    Param<> p(in.type, in.name);
    // Estimates for the autoschedulers (a learning rate, a step count).
    p.parameter().set_estimate(in.type.is_float() ? Internal::make_const(in.type, 1e-3)
                                                   : Internal::make_const(in.type, 1000));
    in.scalar = p;
    scalars.insert({arg, p});
  }
  out.inputs.push_back(std::move(in));
}

void Lowering::add_results(mlir::ReturnOp ret) {
  for (unsigned i = 0; i < ret.getNumOperands(); ++i) {
    mlir::DictionaryAttr attrs = func.getResultAttrDict(i);
    LoweredOutput o;
    // An output that updates an input (a parameter, optimizer state) is
    // that input's name with "_out".
    o.tensor = attr_string(attrs, "cpq.name", "result" + std::to_string(i));
    const std::string base = c_identifier(o.tensor);
    const bool updates = std::any_of(out.inputs.begin(), out.inputs.end(), [&](const LoweredInput &in) {
      return in.name == base && in.tensor == o.tensor && in.buffer;
    });
    if (updates) o.updates = base;
    o.name = updates ? argument_name("the update of '" + o.tensor + "'", base + "_out") : argument_name(o.tensor);
    o.role = attr_string(attrs, "cpq.role", roles::output);
    const TensorValue &v = tensor(ret.getOperand(i));
    o.type = v.type;
    o.shape = shape_of(ret.getOperand(i).getType());
    o.func = Func(o.name);
    if (LoweredStage *s = contraction_returned_alone(ret.getOperand(i), v)) {
      // Computed in place of the result (same variables, so the
      // contraction's schedule applies), which is then never realized.
      o.func(v.f.args()) = v.f.value();
      s->contraction->output = o.func;
    } else {
      auto vars = axis_vars(v.rank());
      o.func(halide_vars(vars)) = v.f(halide_args(vars));
    }
    for (int k = 0; k < v.rank(); ++k) {
      const int h = v.rank() - 1 - k;
      o.func.output_buffer().dim(h).set_bounds(0, v.dim(k));
      o.func.output_buffer().dim(h).set_estimate(0, o.shape[k] >= 0 ? int(o.shape[k]) : options.batch_estimate);
    }
    out.outputs.push_back(std::move(o));
  }
}

/// The stage of contraction result `v` when `value` is read only by the
/// return (once), else null.
LoweredStage *Lowering::contraction_returned_alone(mlir::Value value, const TensorValue &v) {
  if (!v.contraction || !value.hasOneUse() || v.f.num_update_definitions() != 0) return nullptr;
  for (LoweredStage &s : out.stages)
    if (s.contraction && !s.funcs.empty() && s.funcs.front().name() == v.f.name() && !s.contraction->output.defined())
      return &s;
  return nullptr;
}

const TensorValue &Lowering::tensor(mlir::Value v) {
  auto it = values.find(v);
  if (it == values.end()) throw std::logic_error("a value used before it was lowered");
  return it->second;
}

Expr Lowering::scalar(mlir::Value v) {
  auto it = scalars.find(v);
  if (it == scalars.end()) throw std::invalid_argument("scalar operands must be function arguments");
  return it->second;
}

void Lowering::record(const std::string &family, std::vector<Func> funcs, std::vector<Func> helpers,
                      std::optional<schedules::QuantizeLoops> quantize) {
  helpers.insert(helpers.end(), pending_helpers.begin(), pending_helpers.end());
  pending_helpers.clear();
  out.stages.push_back(LoweredStage{family, std::move(funcs), std::move(helpers), std::move(quantize), std::nullopt});
}

void Lowering::set(mlir::Value v, const TensorValue &t) {
  values[v] = t;
  for (const Func &h : t.helpers)
    if (std::none_of(pending_helpers.begin(), pending_helpers.end(), [&](const Func &p) { return p.name() == h.name(); }))
      pending_helpers.push_back(h);
}

mlir::LogicalResult Lowering::unary(mlir::Value result, const std::string &family, const TensorValue &t) {
  set(result, t);
  record(family, {t.f});
  out.stages.back().contraction = t.contraction;
  out.stages.back().extern_gemm = t.extern_gemm;
  out.stages.back().channels_last = t.channels_last && !t.extern_gemm && t.rank() == 4;
  auto &extents = out.stages.back().inner_extents;
  if (t.rank() > 0)
    if (const std::optional<int64_t> w = schedules::constant_int(t.shape.back())) extents[t.f.name()] = *w;
  extents.insert(t.helper_inner_extents.begin(), t.helper_inner_extents.end());
  return mlir::success();
}

void Lowering::need_extern(const runtime::helpers::Helper &h) {
  if (std::find(out.externs.begin(), out.externs.end(), h.name) == out.externs.end()) out.externs.push_back(h.name);
}

TensorValue Lowering::input_buffer(LoweredInput &in) {
  ImageParam im(in.type, int(in.shape.size()), in.name);
  TensorValue v;
  constrain(im, in.shape, v.shape);
  auto vars = axis_vars(int(in.shape.size()));
  v.f = Func(in.name + "_in");
  v.f(halide_vars(vars)) = options.clamp_inputs ? BoundaryConditions::repeat_edge(im)(halide_args(vars))
                                                : im(halide_args(vars));
  v.type = in.type;
  in.buffer = im;
  return v;
}

TensorValue Lowering::model_input(const std::string &base, Type type, runtime::ModelFileTensor t) {
  LoweredInput in;
  in.tensor = base;
  in.name = t.name = argument_name(base);
  in.role = roles::param;
  in.type = type;
  in.shape = t.rows_to_panels ? t.kernel_shape : t.shape; // what the kernel reads
  TensorValue v = input_buffer(in);
  out.inputs.push_back(std::move(in));
  out.model.push_back(std::move(t));
  return v;
}

std::pair<std::string, std::string> Lowering::source_of(mlir::Value v) {
  if (auto arg = v.dyn_cast<mlir::BlockArgument>()) {
    mlir::DictionaryAttr attrs = func.getArgAttrDict(arg.getArgNumber());
    return {attr_string(attrs, "cpq.name", ""), attr_string(attrs, "cpq.role", "")};
  }
  if (auto p = v.getDefiningOp<cd::ParamOp>()) return {p.name().str(), roles::param};
  return {};
}

bool Lowering::only_packed(cd::ParamOp p) {
  return llvm::all_of(p.result().getUsers(), [](mlir::Operation *user) {
    auto pack = llvm::dyn_cast<cd::PackOp>(user);
    return pack && bound_values(pack.weight()) && bound_values(pack.alpha());
  });
}

/// A parameter: an input of the kernel; with a bound value, a constant
/// buffer compiled in, or (a packed model's kernel) an input whose value
/// goes to the model file, unless only cpq.pack reads it (which packs it).
mlir::LogicalResult Lowering::lower(cd::ParamOp p, const std::string &) {
  const std::vector<int64_t> shape = shape_of(p.getType());
  std::vector<Expr> extents;
  for (int64_t d : shape) extents.push_back(int(d));
  auto vars = axis_vars(int(shape.size()));
  if (p.value() && options.parameters_as_inputs) {
    if (only_packed(p)) return mlir::success(); // the packed bytes stand for it
    const std::vector<float> values = *bound_values(p.result());
    runtime::ModelFileTensor t;
    t.dtype = "F32";
    t.shape = shape;
    t.elements = int64_t(values.size());
    t.bytes.resize(values.size() * sizeof(float));
    std::memcpy(t.bytes.data(), values.data(), t.bytes.size());
    set(p.result(), model_input(p.name().str(), Float(32), std::move(t)));
    return mlir::success();
  }
  if (auto value = p.value()) {
    // Trained values compiled in as a constant buffer.
    std::vector<int> halide_shape(shape.rbegin(), shape.rend());
    Buffer<float> buf(halide_shape, c_identifier(p.name().str()));
    auto dense = value->cast<mlir::DenseElementsAttr>();
    float *data = buf.data();
    std::size_t k = 0;
    for (float v : dense.getValues<float>()) data[k++] = v;
    if (dense.isSplat())
      for (; k < std::size_t(buf.number_of_elements()); ++k) data[k] = data[0];
    Func f(unique(p.name().str() + "_const"));
    f(halide_vars(vars)) = buf(halide_args(vars));
    set(p.result(), {f, extents, Float(32)});
    return mlir::success();
  }
  LoweredInput in;
  in.tensor = p.name().str();
  in.name = argument_name(in.tensor);
  in.role = roles::param;
  in.type = Float(32);
  in.shape = shape;
  TensorValue v = input_buffer(in);
  out.inputs.push_back(std::move(in));
  set(p.result(), v);
  return mlir::success();
}

} // namespace lowering

Argument LoweredInput::argument() const {
  if (buffer) return Argument(*buffer);
  return Argument(*scalar);
}

std::vector<Argument> LoweredFunction::arguments() const {
  std::vector<Argument> args;
  for (const LoweredInput &in : inputs) args.push_back(in.argument());
  return args;
}

std::vector<Func> LoweredFunction::output_funcs() const {
  std::vector<Func> f;
  for (const LoweredOutput &o : outputs) f.push_back(o.func);
  return f;
}

Pipeline LoweredFunction::pipeline() const { return Pipeline(output_funcs()); }

runtime::Manifest LoweredFunction::manifest(const std::string &c_name) const {
  runtime::Manifest m;
  m.function = c_name;
  m.source_function = name;
  auto type_of = [](const Type &t) {
    return halide_type_t(t.is_float() ? halide_type_float : t.is_uint() ? halide_type_uint : halide_type_int,
                         uint8_t(t.bits()));
  };
  for (const LoweredInput &in : inputs) {
    runtime::KernelArgument a;
    a.name = in.name, a.tensor = in.tensor, a.role = in.role;
    a.output = false, a.buffer = bool(in.buffer);
    a.type = type_of(in.type), a.shape = in.shape, a.init = in.init;
    m.arguments.push_back(std::move(a));
  }
  for (const LoweredOutput &o : outputs) {
    runtime::KernelArgument a;
    a.name = o.name, a.tensor = o.tensor, a.role = o.role, a.updates = o.updates;
    a.output = true, a.buffer = true;
    a.type = type_of(o.type), a.shape = o.shape;
    m.arguments.push_back(std::move(a));
  }
  m.quantizers = quantizers;
  m.externs = externs;
  return m;
}

std::optional<LoweredFunction> lower_function(mlir::FuncOp func, const LoweringOptions &options) {
  return lowering::Lowering(func, options).run();
}

} // namespace cpq::codegen
