//===- onnx_import.cpp - ONNX graphs to cpq networks ---------------------===//
#include "import/onnx_import.h"
#include "import/importer.h"

#include "cpq/dialect/CpqDialect.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace cpq::importer {
namespace detail {

void Importer::run(const onnx::ModelProto &model) {
  if (!model.has_graph() || model.graph().node_size() == 0)
    throw ImportError(what_ + ": the ONNX model has no graph (or an empty one)");
  for (const auto &op : model.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx") out_.opset = op.version();
  }
  if (out_.opset == 0) throw ImportError(what_ + ": the model imports no version of the standard ONNX operator set");
  if (out_.opset < 7 || out_.opset > 18)
    throw ImportError(what_ + ": ONNX operator set " + std::to_string(out_.opset) +
                      " (cpq-import reads operator sets 7 to 18)");
  out_.producer = model.producer_name() + (model.producer_version().empty() ? "" : " " + model.producer_version());
  const onnx::GraphProto &g = model.graph();
  out_.onnx_nodes = g.node_size();
  for (const auto &t : g.initializer()) constants_[t.name()] = read_tensor(t, "initializer '" + t.name() + "'");
  if (g.sparse_initializer_size() > 0) throw ImportError(what_ + ": sparse initializers are not supported");
  read_input(g);
  for (int k = 0; k < g.node_size(); ++k) {
    for (const std::string &in : g.node(k).input()) consumers_[in].push_back(k);
  }
  for (const auto &o : g.output()) graph_outputs_.insert(o.name());
  for (int k = 0; k < g.node_size(); ++k) {
    if (skipped_.count(k)) continue;
    node_index_ = k;
    current_ = &g.node(k);
    node(g, g.node(k));
  }
  finish(g);
}

// --- the graph's input and output -------------------------------------------
void Importer::read_input(const onnx::GraphProto &g) {
  std::vector<const onnx::ValueInfoProto *> inputs;
  for (const auto &in : g.input())
    if (!constants_.count(in.name())) inputs.push_back(&in);
  if (inputs.size() != 1) {
    std::string names;
    for (const auto *in : inputs) names += (names.empty() ? "" : ", ") + in->name();
    throw ImportError(what_ + ": the graph takes " + std::to_string(inputs.size()) + " inputs (" + names +
                      "); a cpq network takes one batch of images or feature vectors");
  }
  const onnx::ValueInfoProto &in = *inputs[0];
  if (!in.type().has_tensor_type()) throw ImportError(what_ + ": input '" + in.name() + "' is not a tensor");
  const auto &tt = in.type().tensor_type();
  if (tt.elem_type() != onnx::TensorProto_DataType_FLOAT)
    throw ImportError(what_ + ": input '" + in.name() + "' is " + dtype_name(tt.elem_type()) +
                      "; cpq networks are float32 (export the model in float32)");
  Shape shape;
  for (int d = 0; d < tt.shape().dim_size(); ++d) {
    const auto &dim = tt.shape().dim(d);
    if (d == 0) {
      shape.push_back(-1); // the batch, whatever the export fixed it to
    } else if (dim.has_dim_value() && dim.dim_value() > 0 && dim.dim_value() <= (std::int64_t(1) << 24)) {
      shape.push_back(dim.dim_value());
    } else {
      throw ImportError(what_ + ": input '" + in.name() + "' has no fixed size (at most 2^24) on axis " + std::to_string(d) +
                        " (only the batch axis may vary)");
    }
  }
  if (shape.size() != 4 && shape.size() != 2)
    throw ImportError(what_ + ": input '" + in.name() + "' has rank " + std::to_string(shape.size()) +
                      "; cpq networks take N x C x H x W images or N x F features");
  double per_example = 1;
  for (std::size_t d = 1; d < shape.size(); ++d) per_example *= double(shape[d]);
  if (per_example > double(std::int64_t(1) << 31))
    throw ImportError(what_ + ": input '" + in.name() + "' has more than 2^31 values per example");
  const std::int64_t batch = tt.shape().dim(0).has_dim_value() ? tt.shape().dim(0).dim_value() : -1;
  if (batch > 0)
    out_.notes.push_back("the input's batch axis was exported as " + std::to_string(batch) +
                         "; the cpq network takes any batch");
  input_name_ = is_identifier(in.name()) ? in.name() : "input";
  values_[in.name()] = Value{"%" + input_name_, shape};
  out_.input_shape = shape;
}

void Importer::finish(const onnx::GraphProto &g) {
  if (g.output_size() != 1)
    throw ImportError(what_ + ": the graph has " + std::to_string(g.output_size()) +
                      " outputs; a cpq network returns one tensor (the logits)");
  const std::string &name = g.output(0).name();
  std::string resolved = name;
  if (auto it = dropped_softmax_.find(name); it != dropped_softmax_.end()) resolved = it->second;
  auto it = values_.find(resolved);
  if (it == values_.end()) throw ImportError(what_ + ": the graph's output '" + name + "' is not computed by its nodes");
  const Value &v = it->second;
  if (v.shape.size() != 2)
    throw ImportError(what_ + ": the graph's output '" + name + "' has rank " + std::to_string(v.shape.size()) +
                      "; a cpq network returns N x classes logits");
  out_.output_shape = v.shape;
  std::string function = options_.function;
  if (function.empty()) {
    const std::string gname = g.name();
    function = is_identifier(gname) && gname != "torch_jit" && gname != "main_graph" ? gname : "net";
  }
  if (!is_identifier(function)) throw ImportError("the function name '" + function + "' is not an identifier");
  out_.function = function;
  std::ostringstream s;
  s << "func @" << function << "(%" << input_name_ << ": " << type_of(out_.input_shape) << ") -> " << type_of(v.shape)
    << " {\n";
  for (const std::string &line : lines_) s << "  " << line << "\n";
  s << "  return " << v.ssa << " : " << type_of(v.shape) << "\n}\n";
  body_ = s.str();
}

/// A cpq.param of `values` named after `source` (suffix for a second,
/// different use of the same initializer); its SSA name.
std::string Importer::param(const std::string &source, const Shape &shape, const std::vector<float> &values,
                  const char *init, bool trainable) {
  std::string name = readable_name(source);
  std::string ssa_key = name + "|" + type_of(shape);
  if (auto it = param_ssa_.find(ssa_key); it != param_ssa_.end() && param_values_[ssa_key] == values)
    return it->second;
  const std::string base = name;
  for (int k = 2; used_names_.count(name); ++k) name = base + "." + std::to_string(k);
  used_names_.insert(name);
  if (name != source) renamed_.push_back(source + " -> " + name);
  const std::string ssa = "%p" + std::to_string(next_param_++);
  lines_.push_back(ssa + " = cpq.param \"" + name + "\" {init = \"" + init + "\"" +
                   (trainable ? "" : ", trainable = false") + "} : " + type_of(shape));
  out_.params.tensors.push_back(safetensors::make_f32(name, shape, values));
  param_ssa_[ssa_key] = ssa;
  param_values_[ssa_key] = values;
  return ssa;
}

/// An initializer's parameter name. PyTorch names the tensors it makes
/// while exporting (a BatchNorm folded into its Conv) "onnx::Conv_37";
/// those take the module path of the node using them ("/conv1/Conv" ->
/// "conv1") and the role of the input ("conv1.weight").
std::string Importer::readable_name(const std::string &source) const {
  if (source.rfind("onnx::", 0) != 0 || current_ == nullptr) return param_name(source);
  const std::string &node = current_->name();
  const auto last = node.find_last_of('/');
  if (node.empty() || node[0] != '/' || last == 0 || last == std::string::npos) return param_name(source);
  std::string path = node.substr(1, last - 1);
  std::replace(path.begin(), path.end(), '/', '.');
  int k = 0;
  while (k < current_->input_size() && current_->input(k) != source) ++k;
  static const std::map<std::string, std::vector<const char *>> roles = {
      {"Conv", {"input", "weight", "bias"}},
      {"Gemm", {"input", "weight", "bias"}},
      {"MatMul", {"input", "weight"}},
      {"Add", {"bias", "bias"}},
      {"BatchNormalization", {"input", "weight", "bias", "running_mean", "running_var"}}};
  auto it = roles.find(current_->op_type());
  if (it == roles.end() || k >= int(it->second.size())) return param_name(source);
  return param_name(path + "." + it->second[std::size_t(k)]);
}

void Importer::define(const onnx::NodeProto &n, Value v) {
  if (n.output_size() < 1 || n.output(0).empty()) fail(n, "has no output");
  // As the input: at most 2^31 values per example, so that no product of a
  // value's sizes (a flatten's features) leaves int64.
  double per_example = 1;
  for (std::size_t d = 1; d < v.shape.size(); ++d) per_example *= double(v.shape[d]);
  if (per_example > double(std::int64_t(1) << 31))
    fail(n, "gives " + type_of(v.shape) + ", more than 2^31 values per example");
  values_[n.output(0)] = std::move(v);
}

void Importer::no_extra_outputs(const onnx::NodeProto &n) const {
  for (int k = 1; k < n.output_size(); ++k)
    if (!n.output(k).empty() && (consumers_.count(n.output(k)) || graph_outputs_.count(n.output(k))))
      fail(n, "its output #" + std::to_string(k) + " ('" + n.output(k) + "') is used; cpq-import takes only the first");
}

// --- the ops ----------------------------------------------------------------
void Importer::node(const onnx::GraphProto &g, const onnx::NodeProto &n) {
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    fail(n, "operator domain '" + n.domain() + "' (cpq-import reads the standard ONNX operators only)");
  // Every op taken defines its first output (the ops read n.output(0)).
  if (n.output_size() < 1 || n.output(0).empty()) fail(n, "has no output");
  const std::string &op = n.op_type();
  if (op == "Constant") return constant_node(n);
  if (op == "Conv") return conv(n);
  if (op == "Gemm") return gemm(n);
  if (op == "MatMul") return matmul(g, n);
  if (op == "Relu") return relu(n);
  if (op == "MaxPool" || op == "AveragePool") return pool(n, op == "MaxPool");
  if (op == "GlobalAveragePool") return global_pool(n);
  if (op == "BatchNormalization") return batch_norm(n);
  if (op == "Add") return add(n);
  if (op == "Flatten") return flatten(n);
  if (op == "Reshape") return reshape(n);
  if (op == "Identity" || op == "Dropout") return pass_through(n);
  if (op == "Pad") return pad(n);
  if (op == "Softmax" || op == "LogSoftmax") return softmax(n);
  fail(n, "unsupported op; cpq-import takes Conv, Gemm, MatMul (+ Add), Relu, MaxPool, AveragePool, "
          "GlobalAveragePool, BatchNormalization, Add, Flatten, Reshape, Identity, Dropout, Pad (of zeros), "
          "Constant, and Softmax or LogSoftmax as the last op");
}

} // namespace detail

namespace {
using detail::ImportError;
using detail::Importer;

/// Parses `text` with the cpq dialect and verifies it; the diagnostics on failure.
bool verifies(const std::string &text, std::string &diagnostics) {
  mlir::MLIRContext context;
  mlir::DialectRegistry registry;
  registry.insert<dialect::CpqDialect, mlir::StandardOpsDialect>();
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  llvm::raw_string_ostream os(diagnostics);
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    os << d.getLocation() << ": " << d << "\n";
    return mlir::success();
  });
  auto module = mlir::parseSourceString<mlir::ModuleOp>(text, &context);
  os.flush();
  return bool(module);
}

} // namespace

bool import_onnx(const std::string &bytes, const std::string &what, const Options &options, Network &out,
                 std::string &error) {
  out = Network{};
  onnx::ModelProto model;
  if (bytes.empty()) {
    error = what + ": empty file, not an ONNX model";
    return false;
  }
  if (!model.ParseFromString(bytes)) {
    error = what + ": not an ONNX model (its protobuf does not parse: a truncated file or another format)";
    return false;
  }
  try {
    Importer importer(what, options, out);
    importer.run(model);
    for (const std::string &r : importer.renamed_) out.notes.push_back("initializer renamed " + r);
    std::ostringstream head;
    head << "// Imported by cpq-import from " << what << " (" << (out.producer.empty() ? "unknown producer" : out.producer)
         << ", ONNX operator set " << out.opset << "): " << out.onnx_nodes << " ONNX nodes, " << out.layers
         << " cpq layers.\n// Parameter values: the safetensors file written beside it (cpq-train --init-from).\n";
    out.mlir = head.str() + importer.body_;
    out.params.metadata["cpq.network"] = out.function;
    out.params.metadata["cpq.source"] = what;
    std::string diagnostics;
    if (!verifies(out.mlir, diagnostics)) {
      error = what + ": the imported network does not verify as a cpq network:\n" + diagnostics;
      return false;
    }
    return true;
  } catch (const ImportError &e) {
    error = e.what();
    return false;
  }
}

bool import_onnx_file(const std::string &path, const Options &options, Network &out, std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open";
    return false;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) {
    error = path + ": cannot read";
    return false;
  }
  return import_onnx(bytes.str(), path, options, out, error);
}

} // namespace cpq::importer
