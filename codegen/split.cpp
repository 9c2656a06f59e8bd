//===- split.cpp - one kernel from several compiled pipelines ----------------===//
#include "codegen/split.h"
#include "cpq/dialect/CpqDialect.h"
#include "cpq/runtime/manifest.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BlockAndValueMapping.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>

namespace cpq::codegen {

namespace {

/// The role of a tensor passed between parts (never a kernel argument).
constexpr const char *kCutRole = "cut";

std::vector<mlir::Operation *> body_ops(mlir::FuncOp func) {
  if (!llvm::hasSingleElement(func.getBody()))
    throw std::invalid_argument("function '" + func.getName().str() + "' is not one block of ops");
  std::vector<mlir::Operation *> ops;
  for (mlir::Operation &op : func.getBody().front().without_terminator()) {
    if (op.getNumRegions() != 0)
      throw std::invalid_argument("function '" + func.getName().str() + "' has an op with regions ('" +
                                  op.getName().getStringRef().str() + "')");
    ops.push_back(&op);
  }
  return ops;
}

/// Elements of a tensor value (the dynamic batch counted as 64), the cost of
/// passing it between parts.
double elements(mlir::Value v) {
  auto t = v.getType().dyn_cast<mlir::RankedTensorType>();
  if (!t) return 1;
  double n = 1;
  for (int64_t d : t.getShape()) n *= d < 0 ? 64.0 : double(d);
  return n;
}

mlir::DictionaryAttr cut_attrs(mlir::MLIRContext *context, const std::string &name) {
  mlir::Builder b(context);
  return b.getDictionaryAttr({b.getNamedAttr("cpq.name", b.getStringAttr(name)),
                              b.getNamedAttr("cpq.role", b.getStringAttr(kCutRole))});
}

} // namespace

int function_ops(mlir::FuncOp func) { return int(body_ops(func).size()); }

int automatic_parts(int ops) { return ops <= 80 ? 1 : (ops + 39) / 40; }

std::vector<mlir::FuncOp> split_function(mlir::FuncOp func, int parts) {
  const std::vector<mlir::Operation *> ops = body_ops(func);
  const int n = int(ops.size());
  if (parts < 1) throw std::invalid_argument("a function is split into at least one part, not " + std::to_string(parts));
  if (parts > n)
    throw std::invalid_argument("function '" + func.getName().str() + "' has " + std::to_string(n) +
                                " ops: it cannot be split into " + std::to_string(parts) + " parts");
  // Compared as C identifiers, the names the kernel's arguments take
  // ("cpq.cut3" would become cpq_cut3 too).
  auto uses_cut_prefix = [](mlir::DictionaryAttr attrs) {
    auto s = attrs ? attrs.getAs<mlir::StringAttr>("cpq.name") : mlir::StringAttr();
    return s && llvm::StringRef(runtime::c_identifier(s.getValue().str())).startswith(kCutPrefix);
  };
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (uses_cut_prefix(func.getArgAttrDict(i)))
      throw std::invalid_argument("argument " + std::to_string(i) + " is named with the prefix '" + kCutPrefix +
                                  "' the parts' tensors take; rename it, or compile one pipeline (--split 1)");
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    if (uses_cut_prefix(func.getResultAttrDict(i)))
      throw std::invalid_argument("result " + std::to_string(i) + " is named with the prefix '" + kCutPrefix +
                                  "' the parts' tensors take; rename it, or compile one pipeline (--split 1)");
  std::string clashing; // found inside MLIR's walk, thrown outside it
  func.walk([&](dialect::ParamOp p) {
    if (clashing.empty() && llvm::StringRef(runtime::c_identifier(p.name().str())).startswith(kCutPrefix))
      clashing = p.name().str();
  });
  if (!clashing.empty())
    throw std::invalid_argument("parameter '" + clashing + "' is named with the prefix '" + kCutPrefix +
                                "' the parts' tensors take; rename it, or compile one pipeline (--split 1)");

  // Where each op result is made and last read (the return reads at n).
  std::map<mlir::Operation *, int> index;
  for (int i = 0; i < n; ++i) index[ops[i]] = i;
  mlir::Operation *ret = func.getBody().front().getTerminator();
  auto position = [&](mlir::Operation *user) { return user == ret ? n : index.at(user); };
  std::vector<std::pair<double, std::pair<int, int>>> lives; // size, (made, last read)
  for (int i = 0; i < n; ++i)
    for (mlir::Value r : ops[i]->getResults()) {
      int last = i;
      for (mlir::Operation *user : r.getUsers()) last = std::max(last, position(user));
      lives.push_back({elements(r), {i, last}});
    }
  // A cut before op c passes every result made before c and read at or after it.
  auto cost = [&](int c) {
    double total = 0;
    for (auto &[size, span] : lives)
      if (span.first < c && span.second >= c) total += size;
    return total;
  };
  std::vector<int> starts = {0};
  const int slack = n / (6 * parts);
  for (int k = 1; k < parts; ++k) {
    const int ideal = int((int64_t(k) * n + parts / 2) / parts);
    const int lo = std::max(starts.back() + 1, ideal - slack), hi = std::min(ideal + slack, n - (parts - k));
    int best = std::clamp(ideal, lo, hi);
    for (int c = lo; c <= hi; ++c)
      if (cost(c) < cost(best) || (cost(c) == cost(best) && std::abs(c - ideal) < std::abs(best - ideal))) best = c;
    starts.push_back(best);
  }
  starts.push_back(n);

  mlir::ModuleOp module = func->getParentOfType<mlir::ModuleOp>();
  mlir::MLIRContext *context = func.getContext();
  std::map<mlir::Value, std::string, bool (*)(mlir::Value, mlir::Value)> cut_names(
      [](mlir::Value a, mlir::Value b) { return a.getAsOpaquePointer() < b.getAsOpaquePointer(); });
  std::vector<mlir::FuncOp> result;
  for (int p = 0; p < parts; ++p) {
    const int begin = starts[p], end = starts[p + 1];
    const bool last = p + 1 == parts;
    auto inside = [&](mlir::Value v) {
      mlir::Operation *def = v.getDefiningOp();
      return def && index.count(def) && index.at(def) >= begin && index.at(def) < end;
    };
    // What the part reads from outside, in order of first use.
    std::vector<mlir::Value> inputs;
    auto read = [&](mlir::Value v) {
      if (!inside(v) && std::find(inputs.begin(), inputs.end(), v) == inputs.end()) inputs.push_back(v);
    };
    for (int i = begin; i < end; ++i)
      for (mlir::Value v : ops[i]->getOperands()) read(v);
    std::vector<mlir::Value> outputs;
    if (last) {
      for (mlir::Value v : ret->getOperands()) {
        read(v);
        outputs.push_back(v);
      }
    } else {
      for (int i = begin; i < end; ++i)
        for (mlir::Value r : ops[i]->getResults())
          if (llvm::any_of(r.getUsers(), [&](mlir::Operation *u) { return position(u) >= end; })) outputs.push_back(r);
    }

    if (outputs.empty())
      throw std::invalid_argument("ops " + std::to_string(begin) + ".." + std::to_string(end - 1) + " of function '" +
                                  func.getName().str() + "' make nothing later ops read (dead code): run --canonicalize "
                                  "first or compile it as one pipeline (--split 1)");
    std::vector<mlir::Type> in_types, out_types;
    for (mlir::Value v : inputs) in_types.push_back(v.getType());
    for (mlir::Value v : outputs) out_types.push_back(v.getType());
    auto part = mlir::FuncOp::create(func.getLoc(), func.getName().str() + "_part" + std::to_string(p),
                                     mlir::FunctionType::get(context, in_types, out_types));
    for (unsigned i = 0; i < inputs.size(); ++i) {
      if (auto arg = inputs[i].dyn_cast<mlir::BlockArgument>()) {
        if (mlir::DictionaryAttr attrs = func.getArgAttrDict(arg.getArgNumber())) part.setArgAttrs(i, attrs);
      } else {
        part.setArgAttrs(i, cut_attrs(context, cut_names.at(inputs[i])));
      }
    }
    for (unsigned i = 0; i < outputs.size(); ++i) {
      if (last) {
        if (mlir::DictionaryAttr attrs = func.getResultAttrDict(i)) part.setResultAttrs(i, attrs);
      } else {
        const std::string name = kCutPrefix + std::to_string(cut_names.size());
        cut_names.emplace(outputs[i], name);
        part.setResultAttrs(i, cut_attrs(context, name));
      }
    }
    mlir::Block *entry = part.addEntryBlock();
    mlir::BlockAndValueMapping map;
    for (unsigned i = 0; i < inputs.size(); ++i) map.map(inputs[i], entry->getArgument(i));
    mlir::OpBuilder b = mlir::OpBuilder::atBlockEnd(entry);
    for (int i = begin; i < end; ++i) b.clone(*ops[i], map);
    std::vector<mlir::Value> returned;
    for (mlir::Value v : outputs) returned.push_back(map.lookupOrDefault(v));
    b.create<mlir::ReturnOp>(ret->getLoc(), returned);
    module.push_back(part);
    result.push_back(part);
  }
  return result;
}

namespace {

using namespace Halide;
using namespace Halide::Internal;

Expr buffer_of(const std::string &name) { return Variable::make(type_of<halide_buffer_t *>(), name + ".buffer"); }

/// An argument of a part: the entry's argument or cut tensor of its name.
Expr argument_expr(const Argument &a) {
  return a.is_buffer() ? buffer_of(a.name) : Variable::make(a.type, a.name);
}

} // namespace

Module link_parts(const std::string &fn_name, const Target &target, const LoweredFunction &whole,
                  const std::vector<LoweredFunction> &parts, std::vector<Pipeline> &pipelines) {
  // The parts are lowered on every core at once (Halide lowers distinct
  // pipelines on distinct threads safely; the IR-to-LLVM step runs once, on
  // the linked module). A part's error is rethrown here.
  std::vector<std::optional<Module>> modules(parts.size());
  std::vector<std::exception_ptr> failures(parts.size());
  std::atomic<std::size_t> next{0};
  auto lower_parts = [&] {
    for (std::size_t p; (p = next++) < parts.size();) {
      try {
        modules[p] = pipelines[p].compile_to_module(parts[p].arguments(), fn_name + "_part" + std::to_string(p), target);
      } catch (...) {
        failures[p] = std::current_exception();
      }
    }
  };
  const std::size_t workers = std::min<std::size_t>(parts.size(), std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(lower_parts);
  lower_parts();
  for (std::thread &t : threads) t.join();
  for (const std::exception_ptr &e : failures)
    if (e) std::rethrow_exception(e);

  Module linked(fn_name, target);
  std::map<std::string, Buffer<void>> buffers; // constant buffers by name: one copy
  std::vector<Stmt> calls;
  for (std::size_t p = 0; p < parts.size(); ++p) {
    const std::string part_name = fn_name + "_part" + std::to_string(p);
    const std::vector<Argument> args = parts[p].arguments();
    const Module &m = *modules[p];
    for (const Buffer<void> &b : m.buffers()) {
      // A bound parameter two parts read is the same buffer in both.
      auto [it, fresh] = buffers.emplace(b.name(), b);
      if (fresh) {
        linked.append(b);
      } else if (it->second.size_in_bytes() != b.size_in_bytes() ||
                 std::memcmp(it->second.data(), b.data(), b.size_in_bytes()) != 0) {
        throw std::logic_error("two parts compile in different constant buffers named '" + b.name() + "'");
      }
    }
    for (const LoweredFunc &f : m.functions()) linked.append(f);
    for (const Module &sub : m.submodules()) linked.append(sub);
    if (m.any_strict_float()) linked.set_any_strict_float(true);

    // The call: inputs by name, then the outputs (a compiled pipeline's
    // last arguments): cut tensors, or the last part's the entry's, in order.
    std::vector<Expr> call_args;
    for (const Argument &a : args) call_args.push_back(argument_expr(a));
    const bool last = p + 1 == parts.size();
    for (std::size_t k = 0; k < parts[p].outputs.size(); ++k)
      call_args.push_back(buffer_of(last ? whole.outputs.at(k).name : parts[p].outputs[k].name));
    const std::string rc = part_name + ".result";
    Expr code = Variable::make(Int(32), rc);
    calls.push_back(LetStmt::make(rc, Call::make(Int(32), part_name, call_args, Call::Extern),
                                  AssertStmt::make(code == 0, code)));
  }
  Stmt body = Block::make(calls);

  // The batch: the first dynamic extent of the entry's inputs.
  Expr batch;
  for (const LoweredInput &in : whole.inputs)
    for (std::size_t k = 0; k < in.shape.size() && !batch.defined(); ++k)
      if (in.shape[k] < 0 && in.buffer)
        batch = Call::make(Int(32), Call::buffer_get_extent,
                           {buffer_of(in.name), int(in.shape.size() - 1 - k)}, Call::Extern);
  // Each cut tensor: allocated (halide_malloc, so the loader's caching
  // allocator) for the whole call, dense, in Halide's dimension order.
  for (std::size_t p = parts.size() - 1; p-- > 0;) {
    for (const LoweredOutput &o : parts[p].outputs) {
      BufferBuilder builder;
      builder.type = o.type;
      builder.dimensions = int(o.shape.size());
      builder.host = Variable::make(Handle(), o.name);
      Expr stride = 1, size = 1;
      for (auto it = o.shape.rbegin(); it != o.shape.rend(); ++it) {
        if (*it < 0 && !batch.defined())
          throw std::invalid_argument("tensor '" + o.name + "' between parts has a batch extent the inputs do not give");
        Expr extent = *it < 0 ? batch : Expr(int(*it));
        builder.mins.push_back(0);
        builder.extents.push_back(extent);
        builder.strides.push_back(stride);
        stride = stride * extent;
        size = size * extent;
      }
      body = LetStmt::make(o.name + ".buffer", builder.build(), body);
      body = Allocate::make(o.name, o.type, MemoryType::Heap, {size}, const_true(), body);
    }
  }
  std::vector<Argument> entry_args = whole.arguments();
  for (const LoweredOutput &o : whole.outputs)
    entry_args.emplace_back(o.name, Argument::OutputBuffer, o.type, int(o.shape.size()), ArgumentEstimates{});
  // Before anything is read: no buffer may be missing, and none a bounds
  // query (host and device both null), which the parts would answer one by
  // one on tensors between them that hold nothing yet.
  std::vector<Stmt> checks;
  for (const Argument &a : entry_args) {
    if (!a.is_buffer()) continue;
    Expr buffer = buffer_of(a.name);
    checks.push_back(AssertStmt::make(reinterpret(UInt(64), buffer) != make_zero(UInt(64)),
                                      Call::make(Int(32), "halide_error_buffer_argument_is_null",
                                                 {StringImm::make(a.name)}, Call::Extern)));
    checks.push_back(AssertStmt::make(
        !Call::make(Bool(), Call::buffer_is_bounds_query, {buffer}, Call::Extern),
        Call::make(Int(32), "halide_error_host_is_null",
                   {StringImm::make("argument '" + a.name + "' (a kernel of several pipelines answers no bounds query)")},
                   Call::Extern)));
  }
  checks.push_back(body);
  body = Block::make(checks);
  linked.append(LoweredFunc(fn_name, entry_args, body, LinkageType::ExternalPlusMetadata));
  return linked;
}

} // namespace cpq::codegen
