//===- lower.cpp - a cpq function as one Halide pipeline --------------------===//
//
// This file implements the lowering: arguments become input buffers (with
// their static extents and one shared batch extent as constraints) or
// scalars, bound parameters become constant buffers, each op becomes the
// Funcs of its builder, and each result an output Func of its own.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/lower.h"

#include "codegen/ops/layers.h"
#include "codegen/ops/packed.h"
#include "codegen/ops/quantize.h"
#include "cpq/dialect/CpqDialect.h"
#include "cpq/kernels/bgemm.h"
#include "cpq/kernels/dropbits.h"
#include "cpq/kernels/gates.h"
#include "cpq/kernels/packed_reference.h"
#include "cpq/kernels/packed_weights.h"
#include "cpq/kernels/quantizer_reference.h"
#include "cpq/runtime/kernel_helpers.h"
#include "cpq/runtime/roles.h"
#include "cpq/runtime/training_externs.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>

namespace cpq::codegen {

using namespace Halide;
namespace cd = cpq::dialect;

namespace {

using runtime::c_identifier;
namespace roles = runtime::roles;
namespace helpers = runtime::helpers;

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

Type halide_type(mlir::Type t) {
  if (t.isF32()) return Float(32);
  if (t.isF64()) return Float(64);
  if (auto i = t.dyn_cast<mlir::IntegerType>()) return i.isUnsigned() ? UInt(int(i.getWidth())) : Int(int(i.getWidth()));
  throw std::invalid_argument("unsupported element type");
}

std::vector<int64_t> shape_of(mlir::Type t) {
  auto r = t.cast<mlir::RankedTensorType>();
  std::vector<int64_t> s(r.getShape().begin(), r.getShape().end());
  for (int64_t &d : s)
    if (d == mlir::ShapedType::kDynamicSize) d = -1;
  return s;
}

std::pair<int, int> pair_attr(mlir::Operation *op, llvm::StringRef name, std::pair<int, int> fallback) {
  auto a = op->getAttrOfType<mlir::ArrayAttr>(name);
  if (!a) return fallback;
  return {int(a[0].cast<mlir::IntegerAttr>().getInt()), int(a[1].cast<mlir::IntegerAttr>().getInt())};
}

double real_attr(mlir::Operation *op, llvm::StringRef name, double fallback) {
  auto a = op->getAttrOfType<mlir::FloatAttr>(name);
  return a ? a.getValueAsDouble() : fallback;
}

std::optional<double> optional_real_attr(mlir::Operation *op, llvm::StringRef name) {
  auto a = op->getAttrOfType<mlir::FloatAttr>(name);
  return a ? std::optional<double>(a.getValueAsDouble()) : std::nullopt;
}

int64_t int_attr(mlir::Operation *op, llvm::StringRef name, int64_t fallback) {
  auto a = op->getAttrOfType<mlir::IntegerAttr>(name);
  return a ? a.getInt() : fallback;
}

Window2d conv_window(mlir::Operation *op) {
  Window2d w;
  std::tie(w.sh, w.sw) = pair_attr(op, "stride", {1, 1});
  std::tie(w.ph, w.pw) = pair_attr(op, "padding", {0, 0});
  return w;
}

Window2d pool_window(mlir::Operation *op) {
  Window2d w;
  std::tie(w.kh, w.kw) = pair_attr(op, "kernel", {1, 1});
  std::tie(w.sh, w.sw) = pair_attr(op, "stride", {w.kh, w.kw});
  std::tie(w.ph, w.pw) = pair_attr(op, "padding", {0, 0});
  return w;
}

/// DropBits on, with independent masks.
bool independent_masks(mlir::Operation *op) {
  auto mode = op->getAttrOfType<mlir::StringAttr>("dropbits");
  return mode && mode.getValue() == "independent" && real_attr(op, "dropbits_p", 0.0) > 0.0;
}

GridSpec grid_of(mlir::Operation *op) {
  const std::string kind = op->getAttrOfType<mlir::StringAttr>("grid").getValue().str();
  const GridKind k = kind == "signed" ? GridKind::Signed : kind == "unsigned" ? GridKind::Unsigned : GridKind::Symmetric;
  return make_grid(k, int(int_attr(op, "bits", 1)));
}

/// The quantizer sees a tensor as [inner, channel, outer]: the axes after
/// the per-channel axis flattened (row-major), the channel, the axes before
/// it (per tensor: channel extent 1, outer = the batch axis).
struct QuantizerView {
  int axis = -1; // -1: per tensor
  std::vector<int> inner_axes, outer_axes;
  Expr inner_extent, outer_extent;
};

QuantizerView quantizer_view(const TensorValue &x, mlir::Operation *op) {
  QuantizerView q;
  if (auto a = op->getAttrOfType<mlir::IntegerAttr>("axis")) q.axis = int(a.getInt());
  if (q.axis >= 0) {
    for (int k = 0; k < q.axis; ++k) q.outer_axes.push_back(k);
    for (int k = q.axis + 1; k < x.rank(); ++k) q.inner_axes.push_back(k);
  } else {
    // Per tensor: the batch axis outside, the rest inside.
    for (int k = 0; k < x.rank(); ++k) (k == 0 && x.rank() >= 2 ? q.outer_axes : q.inner_axes).push_back(k);
  }
  q.inner_extent = 1, q.outer_extent = 1;
  for (int k : q.inner_axes) q.inner_extent = q.inner_extent * x.dim(k);
  for (int k : q.outer_axes) q.outer_extent = q.outer_extent * x.dim(k);
  return q;
}

/// x as a 3-D Func (i, c, n) in the view.
Func view_3d(const TensorValue &x, const QuantizerView &q, const TensorVars &v, const std::string &name) {
  std::vector<Expr> index(static_cast<std::size_t>(x.rank()));
  auto unflatten = [&](const std::vector<int> &axes, Expr flat) {
    for (std::size_t k = axes.size(); k-- > 0;) {
      const int a = axes[k];
      if (k == 0) {
        index[static_cast<std::size_t>(a)] = flat;
      } else {
        const Expr e = Expr(int(static_extent(x.dim(a), name)));
        index[static_cast<std::size_t>(a)] = flat % e;
        flat = flat / e;
      }
    }
  };
  unflatten(q.inner_axes, v.i);
  unflatten(q.outer_axes, v.n);
  if (q.axis >= 0) index[static_cast<std::size_t>(q.axis)] = v.c;
  Func f(name + "_view");
  f(v.i, v.c, v.n) = x.at(index);
  return f;
}

/// A 3-D result of the quantizer back in x's shape.
TensorValue from_3d(const Func &f3, const TensorValue &x, const QuantizerView &q, const std::string &name) {
  auto vars = axis_vars(x.rank());
  // Row-major flattening: the first axis is the slowest (its extent unused).
  auto flat = [&](const std::vector<int> &axes) -> Expr {
    if (axes.empty()) return 0;
    Expr e = vars[static_cast<std::size_t>(axes.front())];
    for (std::size_t k = 1; k < axes.size(); ++k)
      e = e * int(static_extent(x.dim(axes[k]), name)) + vars[static_cast<std::size_t>(axes[k])];
    return e;
  };
  return define(name, vars, f3(flat(q.inner_axes), q.axis >= 0 ? Expr(vars[q.axis]) : Expr(0), flat(q.outer_axes)),
                x.shape);
}

class Lowering {
public:
  Lowering(mlir::FuncOp func, const LoweringOptions &options) : func(func), options(options) {}

  std::optional<LoweredFunction> run() {
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

private:
  /// A new name for an internal Func, from `base`: never an argument's.
  std::string unique(const std::string &base) {
    std::string name = c_identifier(base);
    for (int k = 2; reserved.count(name) || !used.insert(name).second; ++k)
      name = c_identifier(base) + "_" + std::to_string(k);
    return name;
  }

  /// Claims C name `id` for the kernel argument described by `what`; two
  /// arguments whose names become one identifier are refused.
  std::string argument_name(const std::string &what, const std::string &id) {
    auto [it, fresh] = argument_of.emplace(id, what);
    if (!fresh)
      throw std::invalid_argument(it->second + " and " + what + " both become the C identifier '" + id +
                                  "' of a kernel argument; rename one of them");
    used.insert(id);
    return id;
  }
  /// The C name of the argument for network tensor `tensor`.
  std::string argument_name(const std::string &tensor) {
    return argument_name("'" + tensor + "'", c_identifier(tensor));
  }

  /// Every name an argument may take (the function's arguments and results,
  /// its parameters with the suffixes of packed model inputs), so that no
  /// internal Func takes one first.
  void reserve_argument_names() {
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

  std::string attr_string(mlir::DictionaryAttr attrs, llvm::StringRef key, const std::string &fallback) {
    if (attrs)
      if (auto s = attrs.getAs<mlir::StringAttr>(key)) return s.getValue().str();
    return fallback;
  }

  /// Constrains an input buffer's extents: static ones exactly, the dynamic
  /// batch to the first dynamic extent seen.
  void constrain(ImageParam &im, const std::vector<int64_t> &shape, std::vector<Expr> &extents) {
    const int rank = int(shape.size());
    extents.assign(shape.size(), Expr());
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

  void add_argument(unsigned i) {
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

  void add_results(mlir::ReturnOp ret) {
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
      auto vars = axis_vars(v.rank());
      o.func = Func(o.name);
      o.func(halide_vars(vars)) = v.f(halide_args(vars));
      for (int k = 0; k < v.rank(); ++k) {
        const int h = v.rank() - 1 - k;
        o.func.output_buffer().dim(h).set_bounds(0, v.dim(k));
        o.func.output_buffer().dim(h).set_estimate(0, o.shape[k] >= 0 ? int(o.shape[k]) : options.batch_estimate);
      }
      out.outputs.push_back(std::move(o));
    }
  }

  const TensorValue &tensor(mlir::Value v) {
    auto it = values.find(v);
    if (it == values.end()) throw std::logic_error("a value used before it was lowered");
    return it->second;
  }
  Expr scalar(mlir::Value v) {
    auto it = scalars.find(v);
    if (it == scalars.end()) throw std::invalid_argument("scalar operands must be function arguments");
    return it->second;
  }

  /// A stage of the op just lowered: its results, and the helper stages of
  /// the values it set.
  void record(const std::string &family, std::vector<Func> funcs, std::vector<Func> helpers = {},
              std::optional<schedules::QuantizeLoops> quantize = std::nullopt) {
    helpers.insert(helpers.end(), pending_helpers.begin(), pending_helpers.end());
    pending_helpers.clear();
    out.stages.push_back(LoweredStage{family, std::move(funcs), std::move(helpers), std::move(quantize), std::nullopt});
  }
  void set(mlir::Value v, const TensorValue &t) {
    values[v] = t;
    for (const Func &h : t.helpers)
      if (std::none_of(pending_helpers.begin(), pending_helpers.end(),
                       [&](const Func &p) { return p.name() == h.name(); }))
        pending_helpers.push_back(h);
  }

  std::string op_name(const std::string &base) { return unique(base + "_" + std::to_string(counter++)); }

  mlir::LogicalResult lower(mlir::Operation *op) {
    const std::string base = op->getName().stripDialect().str();
    const std::string name = op_name(base);
    return llvm::TypeSwitch<mlir::Operation *, mlir::LogicalResult>(op)
        .Case([&](cd::ParamOp p) { return lower_param(p); })
        .Case([&](cd::Conv2dOp c) {
          const TensorValue *b = c.bias() ? &tensor(c.bias()) : nullptr;
          TensorValue y = conv2d(name, tensor(c.input()), tensor(c.filter()), b, conv_window(op), int(c.groups()));
          set(c.output(), y);
          record("conv2d", {y.f});
          out.stages.back().contraction = y.contraction;
          return mlir::success();
        })
        .Case([&](cd::Conv2dGradInputOp c) {
          TensorValue y = conv2d_grad_input(name, tensor(c.output_grad()), tensor(c.input()), tensor(c.filter()),
                                            conv_window(op), int(c.groups()));
          set(c.input_grad(), y);
          record("conv2d_grad_input", {y.f});
          out.stages.back().contraction = y.contraction;
          return mlir::success();
        })
        .Case([&](cd::Conv2dGradFilterOp c) {
          TensorValue y = conv2d_grad_filter(name, tensor(c.output_grad()), tensor(c.input()), tensor(c.filter()),
                                             conv_window(op), int(c.groups()));
          set(c.filter_grad(), y);
          record("conv2d_grad_filter", {y.f});
          out.stages.back().contraction = y.contraction;
          return mlir::success();
        })
        .Case([&](cd::BiasGradOp c) { return unary(c.bias_grad(), "reduction", bias_grad(name, tensor(c.output_grad()))); })
        .Case([&](cd::DenseOp d) {
          const TensorValue *b = d.bias() ? &tensor(d.bias()) : nullptr;
          return unary(d.output(), "dense", dense(name, tensor(d.input()), tensor(d.weight()), b));
        })
        .Case([&](cd::DenseGradInputOp d) {
          return unary(d.input_grad(), "dense_grad_input", dense_grad_input(name, tensor(d.output_grad()), tensor(d.weight())));
        })
        .Case([&](cd::DenseGradWeightOp d) {
          return unary(d.weight_grad(), "dense_grad_weight",
                       dense_grad_weight(name, tensor(d.output_grad()), tensor(d.input())));
        })
        .Case([&](cd::ReluOp r) { return unary(r.output(), "elementwise", relu(name, tensor(r.input()))); })
        .Case([&](cd::ReluGradOp r) {
          return unary(r.input_grad(), "elementwise", relu_grad(name, tensor(r.output_grad()), tensor(r.input())));
        })
        .Case([&](cd::AddOp a) { return unary(a.output(), "elementwise", add(name, tensor(a.lhs()), tensor(a.rhs()))); })
        .Case([&](cd::MaxPool2dOp p) {
          TensorValue y = maxpool2d(name, tensor(p.input()), pool_window(op));
          y.channels_last = tensor(p.input()).channels_last;
          return unary(p.output(), "pool", y);
        })
        .Case([&](cd::MaxPool2dGradOp p) {
          return unary(p.input_grad(), "pool_grad",
                       maxpool2d_grad(name, tensor(p.output_grad()), tensor(p.input()), pool_window(op)));
        })
        .Case([&](cd::AvgPool2dOp p) { return unary(p.output(), "pool", avgpool2d(name, tensor(p.input()), pool_window(op))); })
        .Case([&](cd::AvgPool2dGradOp p) {
          return unary(p.input_grad(), "pool_grad",
                       avgpool2d_grad(name, tensor(p.output_grad()), tensor(p.input()), pool_window(op)));
        })
        .Case([&](cd::FlattenOp f) { return unary(f.output(), "layout", flatten(name, tensor(f.input()))); })
        .Case([&](cd::FlattenGradOp f) {
          return unary(f.input_grad(), "layout", flatten_grad(name, tensor(f.output_grad()), tensor(f.input())));
        })
        .Case([&](cd::BatchNormOp b) {
          return unary(b.output(), "elementwise",
                       batch_norm(name, tensor(b.input()), tensor(b.gamma()), tensor(b.beta()), tensor(b.mean()),
                                  tensor(b.variance()), b.epsilon().convertToDouble()));
        })
        .Case([&](cd::BatchNormTrainOp b) {
          BatchNormTrain t = batch_norm_train(name, tensor(b.input()), tensor(b.gamma()), tensor(b.beta()),
                                              tensor(b.mean()), tensor(b.variance()), b.epsilon().convertToDouble(),
                                              b.momentum().convertToDouble());
          set(b.output(), t.y), set(b.batch_mean(), t.batch_mean), set(b.batch_inv_std(), t.batch_inv_std);
          set(b.new_mean(), t.new_mean), set(b.new_variance(), t.new_variance);
          record("batch_norm", {t.y.f, t.batch_mean.f, t.batch_inv_std.f, t.new_mean.f, t.new_variance.f});
          return mlir::success();
        })
        .Case([&](cd::BatchNormGradOp b) {
          BatchNormGrad g = batch_norm_grad(name, tensor(b.output_grad()), tensor(b.input()), tensor(b.gamma()),
                                            tensor(b.batch_mean()), tensor(b.batch_inv_std()));
          set(b.input_grad(), g.dx), set(b.gamma_grad(), g.dgamma), set(b.beta_grad(), g.dbeta);
          record("batch_norm_grad", {g.dx.f, g.dgamma.f, g.dbeta.f});
          return mlir::success();
        })
        .Case([&](cd::SoftmaxCrossEntropyOp s) {
          CrossEntropy ce = softmax_cross_entropy(name, tensor(s.logits()), tensor(s.labels()));
          set(s.loss(), ce.loss), set(s.correct(), ce.correct);
          record("loss", {ce.loss.f, ce.correct.f});
          return mlir::success();
        })
        .Case([&](cd::SoftmaxCrossEntropyGradOp s) {
          return unary(s.logits_grad(), "elementwise",
                       softmax_cross_entropy_grad(name, tensor(s.logits()), tensor(s.labels())));
        })
        .Case([&](cd::SgdUpdateOp s) {
          SgdUpdate u = sgd_update(name, tensor(s.param()), tensor(s.grad()), tensor(s.momentum_buffer()),
                                   scalar(s.lr()), real_attr(op, "momentum", 0.9), real_attr(op, "weight_decay", 0.0),
                                   bool(op->getAttr("nesterov")), optional_real_attr(op, "lower_bound"),
                                   bool(op->getAttr("relative")));
          set(s.new_param(), u.param), set(s.new_momentum_buffer(), u.momentum_buffer);
          record("optimizer", {u.param.f, u.momentum_buffer.f});
          return mlir::success();
        })
        .Case([&](cd::AdamUpdateOp a) {
          AdamUpdate u = adam_update(name, tensor(a.param()), tensor(a.grad()), tensor(a.first_moment()),
                                     tensor(a.second_moment()), scalar(a.lr()), scalar(a.step()),
                                     real_attr(op, "beta1", 0.9), real_attr(op, "beta2", 0.999),
                                     real_attr(op, "epsilon", 1e-8), real_attr(op, "weight_decay", 0.0),
                                     optional_real_attr(op, "lower_bound"), bool(op->getAttr("relative")));
          set(a.new_param(), u.param), set(a.new_first_moment(), u.first_moment),
              set(a.new_second_moment(), u.second_moment);
          record("optimizer", {u.param.f, u.first_moment.f, u.second_moment.f});
          return mlir::success();
        })
        .Case([&](cd::QuantizeOp q) {
          return lower_quantize(op, name, q.input(), q.alpha(), q.gate_logits(), q.output(), {}, {});
        })
        .Case([&](cd::QuantizeTrainOp q) {
          return lower_quantize(op, name, q.input(), q.alpha(), q.gate_logits(), q.output(), q.seed(), q.step());
        })
        .Case([&](cd::QuantizeGradOp q) { return lower_quantize_grad(q, name); })
        .Case([&](cd::EncodeOp e) {
          return unary(e.codes(), "elementwise",
                       encode(name, tensor(e.input()), tensor(e.alpha()), grid_of(op), element_type(e.codes())));
        })
        .Case([&](cd::DecodeOp d) {
          return unary(d.output(), "elementwise", decode(name, tensor(d.codes()), tensor(d.alpha()), grid_of(op)));
        })
        .Case([&](cd::PackOp p) { return lower_pack(p, name); })
        .Case([&](cd::QDenseOp d) {
          if (const PanelSource *w = panels_for(d.packed_weight(), d.input()))
            return uses_extern_product(*w), unary(d.output(), "dense", qgemm_dense(name, tensor(d.input()), *w));
          return unary(d.output(), "dense", qdense(name, tensor(d.input()), tensor(d.packed_weight()), grid_of(op)));
        })
        .Case([&](cd::QConv2dOp c) {
          Window2d win = conv_window(op);
          std::tie(win.kh, win.kw) = pair_attr(op, "kernel", {1, 1});
          if (const PanelSource *w = c.groups() == 1 ? panels_for(c.packed_filter(), c.input()) : nullptr)
            return uses_extern_product(*w), unary(c.output(), "conv2d", qgemm_conv2d(name, tensor(c.input()), *w, win));
          return unary(c.output(), "conv2d",
                       qconv2d(name, tensor(c.input()), tensor(c.packed_filter()), grid_of(op), win, int(c.groups())));
        })
        .Case([&](cd::RequantizeOp r) {
          const TensorValue *next = r.next_alpha() ? &tensor(r.next_alpha()) : nullptr;
          std::optional<GridSpec> grid;
          if (next) grid = grid_of(op);
          TensorValue y = requantize(name, tensor(r.input()), tensor(r.scale()), tensor(r.bias()), next,
                                     bool(op->getAttr("relu")), grid, element_type(r.output()));
          y.channels_last = tensor(r.input()).channels_last && y.rank() == 4;
          set(r.output(), y);
          record("elementwise", {y.f}, y.helpers);
          out.stages.back().channels_last = y.channels_last;
          return mlir::success();
        })
        .Default([&](mlir::Operation *other) { return other->emitOpError("has no Halide lowering"); });
  }

  static Type element_type(mlir::Value v) {
    return halide_type(v.getType().cast<mlir::RankedTensorType>().getElementType());
  }

  /// The float values of a parameter with a bound value (a splat repeated).
  static std::optional<std::vector<float>> bound_values(mlir::Value v) {
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

  /// cpq.pack of bound values is packed here, once, by the kernel core
  /// (cpq/kernels/packed_weights.h), and compiled in as constant bytes or
  /// given to the model file; of run-time values, by the Halide builder. The
  /// products that can take the weight decide its layout: bit rows for AND
  /// and popcount, panels for the extern qgemm, and cpq.pack's rows for the
  /// plain contractions (always there when the weights are compiled in).
  mlir::LogicalResult lower_pack(cd::PackOp p, const std::string &name) {
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
    } else if (qgemm && (!model || grid.bits == 1 || grid.bits == 2 || grid.bits == 4 || grid.bits == 8)) {
      // The panel layout: compiled in, or a model tensor when the grid is
      // stored at its own width (the extern reads the file's bytes as they
      // are; other widths keep cpq.pack's rows in a model file).
      const PackedWeight panels = pack_weight(levels, WeightLayout::Panels);
      auto source = std::make_shared<PanelSource>(PanelSource{PanelView::of(grid, O, K, nullptr), ExternFuncArgument()});
      if (model) {
        set(p.packed(), model_input(weight + ".panels", UInt(8), model_tensor(panels)));
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
  Buffer<uint8_t> constant_bytes(const std::vector<std::uint8_t> &bytes, const std::string &base) {
    Buffer<uint8_t> b(int(bytes.size()), unique(base));
    std::copy(bytes.begin(), bytes.end(), b.data());
    return b;
  }

  /// A packed weight as a model file's tensor (its name is set by model_input).
  static runtime::ModelFileTensor model_tensor(const PackedWeight &w) {
    runtime::ModelFileTensor t;
    t.dtype = "U8", t.shape = w.byte_shape, t.bytes = w.bytes, t.elements = w.elements;
    t.weight_layout = w.layout, t.layout = w.description;
    return t;
  }

  mlir::LogicalResult unary(mlir::Value result, const std::string &family, const TensorValue &t) {
    set(result, t);
    record(family, {t.f});
    out.stages.back().contraction = t.contraction;
    out.stages.back().extern_gemm = t.extern_gemm;
    out.stages.back().channels_last = t.channels_last && !t.extern_gemm && t.rank() == 4;
    return mlir::success();
  }

  /// The panel layout of a packed weight compiled in, when the integer
  /// product may use the extern qgemm on `input` (uint8 activations).
  const PanelSource *panels_for(mlir::Value packed, mlir::Value input) {
    if (options.packed_products != "qgemm") return nullptr;
    auto it = panel_sources.find(packed);
    if (it == panel_sources.end()) return nullptr;
    if (!it->second->takes(tensor(input).type)) return nullptr;
    return it->second.get();
  }

  /// Whether the extern product can take this packed weight: a grid whose
  /// panel layout exists, read only by qdense / one-group qconv2d on
  /// unsigned 8-bit levels.
  bool qgemm_can_take(cd::PackOp p, GridSpec grid) const {
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
  /// Whether a product reading packed weight `p` takes int8 activations.
  static bool reads_int8(cd::PackOp p) {
    return llvm::any_of(p.packed().getUsers(), [](mlir::Operation *user) {
      auto t = user->getOperand(0).getType().cast<mlir::RankedTensorType>().getElementType().dyn_cast<mlir::IntegerType>();
      return t && t.isSigned() && t.getWidth() == 8;
    });
  }

  void uses_extern_product(const PanelSource &w) { need_extern(w.binary ? helpers::bgemm_b1 : helpers::qgemm_u8); }

  /// The grid of `v`'s values when they are 1-bit activations: made by an
  /// encode or requantize to a 1-bit unsigned grid (codes 0/1) or symmetric
  /// grid (levels -1/+1), through max-pools and flattens (which keep the
  /// set of values).
  static std::optional<GridKind> binary_activations(mlir::Value v) {
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
      const bool quantizes = llvm::isa<cd::EncodeOp>(op) || (llvm::isa<cd::RequantizeOp>(op) && op->getAttr("grid"));
      if (!quantizes) return std::nullopt;
      const GridSpec g = grid_of(op);
      if (g.bits != 1 || g.kind == GridKind::Signed) return std::nullopt;
      return g.kind;
    }
  }

  /// When every product reading 1-bit weights `p` (qdense, one-group
  /// qconv2d) gets 1-bit activations of one grid, that grid: then AND and
  /// popcount on bit rows (cpq_bgemm_b1) replace qgemm. Symmetric
  /// activations (no level 0) only without padding (padded convolutions on
  /// them take qgemm as int8 levels).
  std::optional<GridKind> binary_products(cd::PackOp p, GridSpec grid) const {
    if (options.packed_products != "qgemm" || grid.bits != 1) return std::nullopt;
    std::optional<GridKind> kind;
    for (mlir::Operation *user : p.packed().getUsers()) {
      mlir::Value input;
      bool padded = false;
      if (auto d = llvm::dyn_cast<cd::QDenseOp>(user)) input = d.input();
      if (auto c = llvm::dyn_cast<cd::QConv2dOp>(user)) {
        if (c.groups() != 1) return std::nullopt;
        input = c.input();
        const Window2d w = conv_window(user);
        padded = w.ph || w.pw;
      }
      if (!input || user->getOperand(1) != p.packed()) return std::nullopt;
      const std::optional<GridKind> k = binary_activations(input);
      if (!k || (kind && *kind != *k) || (*k == GridKind::Symmetric && padded)) return std::nullopt;
      kind = k;
    }
    return kind;
  }

  /// A packed model's input `base` (a kernel argument of role param) whose
  /// values `t` (name aside) go to the model file.
  TensorValue model_input(const std::string &base, Type type, runtime::ModelFileTensor t) {
    LoweredInput in;
    in.tensor = base;
    in.name = t.name = argument_name(base);
    in.role = roles::param;
    in.type = type;
    in.shape = t.shape;
    TensorValue v = input_buffer(in);
    out.inputs.push_back(std::move(in));
    out.model.push_back(std::move(t));
    return v;
  }

  /// The ImageParam of input `in` (name, type and shape set; its extents
  /// constrained) and the value that reads it.
  TensorValue input_buffer(LoweredInput &in) {
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

  /// Records a helper C function the pipeline calls (once).
  void need_extern(const helpers::Helper &h) {
    if (std::find(out.externs.begin(), out.externs.end(), h.name) == out.externs.end()) out.externs.push_back(h.name);
  }

  /// Whether only cpq.pack ops of bound values read the parameter (which
  /// they pack at compile time).
  static bool only_packed(cd::ParamOp p) {
    return llvm::all_of(p.result().getUsers(), [](mlir::Operation *user) {
      auto pack = llvm::dyn_cast<cd::PackOp>(user);
      return pack && bound_values(pack.weight()) && bound_values(pack.alpha());
    });
  }

  mlir::LogicalResult lower_param(cd::ParamOp p) {
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

  /// The DropBits mask of a quantize_train/_grad op: drawn once per call by
  /// the project's counter-based generator (an extern C function), or all
  /// levels when DropBits is off.
  Expr mask(mlir::Operation *op, mlir::Value seed, mlir::Value step) {
    const GridSpec g = grid_of(op);
    const double p = real_attr(op, "dropbits_p", 0.0);
    if (p == 0.0) return Expr(int(all_levels(g.bits)));
    const bool independent = independent_masks(op);
    Func m(unique("dropbits_mask_" + std::to_string(int_attr(op, "tensor_id", 0))));
    m() = Internal::Call::make(Int(32), helpers::dropbits_mask.name,
                               {Expr(int(g.kind)), Expr(g.bits), Expr(p), Expr(independent ? 1 : 0), scalar(seed),
                                scalar(step), Expr(int(int_attr(op, "tensor_id", 0)))},
                               Internal::Call::Extern);
    need_extern(helpers::dropbits_mask);
    record("scalar", {m});
    return m();
  }

  /// The gates z_l and dz_l/dlog_a_l (index l - 2, float64) of a gated
  /// quantizer: drawn once per call by the kernel core's hard-concrete
  /// sampler (an extern C function) in training, deterministic otherwise.
  GateInputs gates_of(mlir::Operation *op, const std::string &name, mlir::Value logits, mlir::Value seed,
                      mlir::Value step) {
    Var k("k");
    const Expr log_a = cast<double>(tensor(logits).f(k));
    auto draw = [&](int mode) {
      const Expr s = seed ? scalar(seed) : Expr(int64_t(0)), t = step ? scalar(step) : Expr(int64_t(0));
      return Internal::Call::make(Float(64), helpers::hard_concrete_gate.name,
                                  {log_a, s, t, Expr(int(int_attr(op, "tensor_id", 0))), k + 2, Expr(mode)},
                                  Internal::Call::Extern);
    };
    GateInputs g{Func(unique(name + "_gate_z")), Func(unique(name + "_gate_dz"))};
    g.z(k) = draw(seed ? CPQ_GATE_SAMPLED_Z : CPQ_GATE_DETERMINISTIC_Z);
    g.dz_dlog_a(k) = seed ? draw(CPQ_GATE_SAMPLED_DZ) : Internal::make_const(Float(64), 0.0);
    need_extern(helpers::hard_concrete_gate);
    record("scalar", {g.z, g.dz_dlog_a});
    return g;
  }

  /// The network's name and role of `v`: a function argument's cpq.name
  /// and cpq.role, or a cpq.param's name; empty for other values.
  std::pair<std::string, std::string> source_of(mlir::Value v) {
    if (auto arg = v.dyn_cast<mlir::BlockArgument>()) {
      mlir::DictionaryAttr attrs = func.getArgAttrDict(arg.getArgNumber());
      return {attr_string(attrs, "cpq.name", ""), attr_string(attrs, "cpq.role", "")};
    }
    if (auto p = v.getDefiningOp<cd::ParamOp>()) return {p.name().str(), roles::param};
    return {};
  }

  /// The manifest's record of a quantizer of `input` with scale `alpha`
  /// (and gate logits `gates`): a weight (a parameter), the network's input
  /// or an activation, named after the weight or after its alpha's
  /// parameter less ".alpha".
  void record_quantizer(mlir::Operation *op, mlir::Value input, mlir::Value alpha, mlir::Value gates) {
    runtime::QuantizerInfo q;
    q.bits = grid_of(op).bits;
    q.elements = 1;
    for (int64_t d : input.getType().cast<mlir::RankedTensorType>().getShape())
      if (d >= 0) q.elements *= d;
    const auto [name, role] = source_of(input);
    if (role == roles::param) {
      q.kind = "weight", q.tensor = name;
    } else {
      q.kind = role == roles::input ? "input" : "activation";
      std::string a = source_of(alpha).first;
      const std::string suffix = ".alpha";
      if (a.size() > suffix.size() && a.compare(a.size() - suffix.size(), suffix.size(), suffix) == 0)
        a.resize(a.size() - suffix.size());
      q.tensor = a.empty() ? q.kind : a;
    }
    if (gates) q.gate = source_of(gates).first;
    out.quantizers.push_back(std::move(q));
  }

  mlir::LogicalResult lower_quantize(mlir::Operation *op, const std::string &name, mlir::Value input,
                                     mlir::Value alpha, mlir::Value gates, mlir::Value result, mlir::Value seed,
                                     mlir::Value step) {
    record_quantizer(op, input, alpha, gates);
    const GridSpec g = grid_of(op);
    const TensorValue &x = tensor(input);
    const QuantizerView view = quantizer_view(x, op);
    TensorVars v;
    Func x3 = view_3d(x, view, v, name);
    Func a(name + "_alpha");
    a(v.c) = tensor(alpha).f(v.c);
    QuantizeForward fwd;
    if (gates) {
      // The gates replace the DropBits masks (binary gates are hierarchical DropBits).
      fwd = build_gated_forward(g, v, x3, a, gates_of(op, name, gates, seed, step));
    } else {
      Expr keep = seed ? mask(op, seed, step) : Expr();
      const bool independent = independent_masks(op) && keep.defined();
      if (!keep.defined()) keep = int(all_levels(g.bits));
      fwd = build_quantize_forward(g, v, x3, a, keep, independent ? DropBitsMode::Independent : DropBitsMode::Hierarchical);
    }
    TensorValue y = from_3d(fwd.x_hat, x, view, name);
    set(result, y);
    schedules::QuantizeLoops loops;
    loops.i = v.i, loops.c = v.c, loops.n = v.n;
    loops.x_hat = fwd.x_hat;
    loops.tables = fwd.tables;
    record("quantize", {y.f}, {}, loops);
    return mlir::success();
  }

  /// gate_lambda * n * d(expected extra bits)/dlog_a (cpq::expected_extra_bits),
  /// n the elements of the quantized tensor, float64, index l - 2.
  Expr regulariser_grad(mlir::Operation *op, const TensorValue &x, mlir::Value logits, const Var &k) {
    const double lambda = real_attr(op, "gate_lambda", 0.0);
    if (lambda == 0.0) return Internal::make_const(Float(64), 0.0);
    const int bits = int(grid_of(op).bits);
    const cpq::HardConcrete hc;
    auto f64 = [](double v) { return Internal::make_const(Float(64), v); };
    const Expr shift = f64(hc.beta * std::log(-hc.gamma / hc.zeta)), one = f64(1.0);
    std::vector<Expr> p, prefix;
    Expr run = one;
    for (int l = 2; l <= bits; ++l) {
      const Expr z = cast<double>(tensor(logits).f(l - 2)) - shift;
      p.push_back(one / (one + exp(-z)));
      run = run * p.back();
      prefix.push_back(run);
    }
    std::vector<Expr> per_level;
    for (int kk = 2; kk <= bits; ++kk) {
      Expr tail = prefix[kk - 2];
      for (int l = kk + 1; l <= bits; ++l) tail = tail + prefix[l - 2];
      per_level.push_back(tail * (one - p[kk - 2]));
    }
    Expr n = cast<double>(x.dim(0));
    for (int d = 1; d < x.rank(); ++d) n = n * cast<double>(x.dim(d));
    const Expr grad = per_level.size() == 1 ? per_level[0] : mux(k, per_level);
    return f64(lambda) * n * grad;
  }

  mlir::LogicalResult lower_quantize_grad(cd::QuantizeGradOp q, const std::string &name) {
    mlir::Operation *op = q.getOperation();
    const GridSpec g = grid_of(op);
    const TensorValue &x = tensor(q.input());
    const QuantizerView view = quantizer_view(x, op);
    TensorVars v;
    Func x3 = view_3d(x, view, v, name + "_x");
    Func dy3 = view_3d(tensor(q.output_grad()), view, v, name + "_dy");
    Func a(name + "_alpha"), s(name + "_sigma");
    a(v.c) = tensor(q.alpha()).f(v.c);
    s(v.c) = tensor(q.sigma()).f(v.c);
    // The window: fixed by the options; else every edge of a grid of up to
    // 16 points (exact, and at most 15 steps), and on larger grids a loop
    // over all edges cut short at what this call's scales need.
    Func window_stage;
    Expr window = Expr(options.edge_window), limit;
    if (options.edge_window <= 0) {
      window = Expr(g.num_points());
      if (g.num_points() > 16) limit = automatic_edge_window(g, a, s, tensor(q.alpha()).dim(0), name, window_stage);
    }
    QuantizeBackward bwd;
    if (q.gate_logits()) {
      bwd = build_gated_backward(g, v, x3, a, s, gates_of(op, name, q.gate_logits(), q.seed(), q.step()), window,
                                 dy3, view.inner_extent, view.outer_extent, tensor(q.alpha()).dim(0), limit);
    } else {
      const bool independent = independent_masks(op);
      bwd = build_quantize_backward(g, v, x3, a, s, mask(op, q.seed(), q.step()),
                                    independent ? DropBitsMode::Independent : DropBitsMode::Hierarchical, window,
                                    dy3, view.inner_extent, view.outer_extent, limit);
    }
    TensorValue dx = from_3d(bwd.grad_x, x, view, name);
    Var c("c");
    TensorValue da = define(name + "_dalpha", {c}, cast<float>(bwd.grad_alpha(c)), tensor(q.alpha()).shape);
    TensorValue ds = define(name + "_dsigma", {c}, cast<float>(bwd.grad_sigma(c)), tensor(q.sigma()).shape);
    set(q.input_grad(), dx), set(q.alpha_grad(), da), set(q.sigma_grad(), ds);
    std::vector<Func> results = {dx.f, da.f, ds.f};
    if (q.gate_logits()) {
      Var k("k");
      TensorValue dg = define(name + "_dlog_a", {k},
                              cast<float>(bwd.grad_log_a(k) + regulariser_grad(op, x, q.gate_logits(), k)),
                              tensor(q.gate_logits()).shape);
      set(q.gate_logits_grad(), dg);
      results.push_back(dg.f);
    }
    schedules::QuantizeLoops loops;
    loops.i = v.i, loops.c = v.c, loops.n = v.n;
    loops.tables = bwd.forward.tables;
    if (window_stage.defined()) loops.tables.push_back(window_stage);
    loops.element = bwd.element;
    loops.edge_sums = bwd.edge_sums;
    loops.element_helpers = bwd.element_helpers;
    loops.grad_x = bwd.grad_x;
    loops.channel_sums = bwd.channel_sums;
    loops.grad_alpha = bwd.grad_alpha;
    loops.grad_sigma = bwd.grad_sigma;
    loops.over_elements = bwd.over_elements;
    loops.gate_sums = bwd.gate_sums;
    record("quantize_grad", results, {}, loops);
    return mlir::success();
  }

  mlir::FuncOp func;
  LoweringOptions options;
  LoweredFunction out;
  llvm::DenseMap<mlir::Value, TensorValue> values;
  llvm::DenseMap<mlir::Value, Param<>> scalars;
  llvm::DenseMap<mlir::Value, std::shared_ptr<PanelSource>> panel_sources; ///< packed weights for the extern qgemm
  std::set<std::string> used, reserved;
  std::map<std::string, std::string> argument_of; ///< argument C name -> what it is, for messages
  std::vector<Func> pending_helpers;
  Expr batch;
  int counter = 0;
};

} // namespace

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
  return Lowering(func, options).run();
}

} // namespace cpq::codegen
