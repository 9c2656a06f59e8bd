//===- onnx_import.cpp - ONNX graphs to cpq networks ---------------------===//
#include "import/onnx_import.h"

#include "cpq/dialect/CpqDialect.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

namespace cpq::importer {
namespace {

using Shape = std::vector<std::int64_t>; // -1: the batch axis

/// A problem of the input; the message is complete (file and node named).
struct ImportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A constant tensor: an initializer or a Constant node's value.
struct Constant {
  std::string name;
  Shape dims;
  int dtype = 0;
  std::vector<float> f;          // FLOAT
  std::vector<std::int64_t> i;   // INT64 / INT32
  std::int64_t elements() const {
    std::int64_t n = 1;
    for (std::int64_t d : dims) n *= d;
    return n;
  }
};

/// A value the network computes: its SSA name and shape.
struct Value {
  std::string ssa;
  Shape shape;
};

std::string join(const std::vector<std::int64_t> &v, const char *sep) {
  std::string s;
  for (std::size_t k = 0; k < v.size(); ++k) s += (k ? sep : "") + std::to_string(v[k]);
  return s;
}

/// A float attribute as MLIR writes it (a '.' always), seven significant
/// digits: the precision of ONNX's float32 attributes.
std::string real(double v) {
  char text[48];
  std::snprintf(text, sizeof text, "%.7g", v);
  std::string s = text;
  if (s.find_first_of(".ni") == std::string::npos) {
    const auto e = s.find('e');
    s.insert(e == std::string::npos ? s.size() : e, ".0");
  }
  return s;
}

std::string type_of(const Shape &s) {
  std::string t = "tensor<";
  for (std::int64_t d : s) t += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
  return t + "f32>";
}

std::string dtype_name(int dtype) {
  const std::string n = onnx::TensorProto_DataType_Name(onnx::TensorProto_DataType(dtype));
  return n.empty() ? "data type " + std::to_string(dtype) : n;
}

bool is_identifier(const std::string &s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

/// Parameter names: letters, digits, '_' and '.'; PyTorch's generated names
/// ("onnx::Conv_37") lose their "onnx::" prefix.
std::string param_name(std::string s) {
  if (s.rfind("onnx::", 0) == 0) s = s.substr(6);
  for (char &c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) c = '_';
  if (s.empty()) s = "param";
  return s;
}

class Importer {
public:
  Importer(const std::string &what, const Options &options, Network &out) : what_(what), options_(options), out_(out) {}

  void run(const onnx::ModelProto &model) {
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

private:
  // --- messages -------------------------------------------------------------
  [[noreturn]] void fail(const onnx::NodeProto &n, const std::string &problem) const {
    throw ImportError(what_ + ": node #" + std::to_string(node_index_) + " '" + n.name() + "' (" + n.op_type() +
                      "): " + problem);
  }

  // --- tensors --------------------------------------------------------------
  Constant read_tensor(const onnx::TensorProto &t, const std::string &which) const {
    Constant c;
    c.name = t.name();
    c.dtype = t.data_type();
    for (std::int64_t d : t.dims()) {
      if (d < 0) throw ImportError(what_ + ": " + which + " has a negative dimension");
      c.dims.push_back(d);
    }
    if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
      throw ImportError(what_ + ": " + which +
                        " is stored outside the file (external data); export the model with its weights inside");
    const std::int64_t n = c.elements();
    if (n > (std::int64_t(1) << 31)) throw ImportError(what_ + ": " + which + " is too large");
    auto raw = [&](std::size_t bytes) {
      if (t.raw_data().size() != std::size_t(n) * bytes)
        throw ImportError(what_ + ": " + which + " holds " + std::to_string(t.raw_data().size()) + " bytes for " +
                          std::to_string(n) + " elements of " + std::to_string(bytes) + " bytes");
    };
    switch (t.data_type()) {
    case onnx::TensorProto_DataType_FLOAT:
      if (t.has_raw_data()) {
        raw(4);
        c.f.resize(std::size_t(n));
        std::memcpy(c.f.data(), t.raw_data().data(), t.raw_data().size());
      } else {
        if (t.float_data_size() != n)
          throw ImportError(what_ + ": " + which + " holds " + std::to_string(t.float_data_size()) + " values for " +
                            std::to_string(n) + " elements");
        c.f.assign(t.float_data().begin(), t.float_data().end());
      }
      break;
    case onnx::TensorProto_DataType_INT64:
      if (t.has_raw_data()) {
        raw(8);
        c.i.resize(std::size_t(n));
        std::memcpy(c.i.data(), t.raw_data().data(), t.raw_data().size());
      } else {
        if (t.int64_data_size() != n) throw ImportError(what_ + ": " + which + " holds the wrong number of values");
        c.i.assign(t.int64_data().begin(), t.int64_data().end());
      }
      break;
    case onnx::TensorProto_DataType_INT32:
      if (t.has_raw_data()) {
        raw(4);
        std::vector<std::int32_t> v(static_cast<std::size_t>(n));
        std::memcpy(v.data(), t.raw_data().data(), t.raw_data().size());
        c.i.assign(v.begin(), v.end());
      } else {
        if (t.int32_data_size() != n) throw ImportError(what_ + ": " + which + " holds the wrong number of values");
        c.i.assign(t.int32_data().begin(), t.int32_data().end());
      }
      break;
    default:
      // Kept, so that the message can name the node that uses it.
      break;
    }
    return c;
  }

  /// The constant input `k` of node `n` (an initializer or a Constant's output).
  const Constant &constant(const onnx::NodeProto &n, int k, const char *role) const {
    if (k >= n.input_size() || n.input(k).empty()) fail(n, std::string("has no ") + role);
    auto it = constants_.find(n.input(k));
    if (it == constants_.end())
      fail(n, std::string("its ") + role + " '" + n.input(k) +
                  "' is computed by the graph; cpq-import needs it as an initializer (a constant)");
    return it->second;
  }
  const Constant &float_constant(const onnx::NodeProto &n, int k, const char *role) const {
    const Constant &c = constant(n, k, role);
    if (c.dtype != onnx::TensorProto_DataType_FLOAT)
      fail(n, std::string("its ") + role + " '" + c.name + "' is " + dtype_name(c.dtype) +
                  "; cpq networks are float32 (export the model in float32)");
    return c;
  }
  const Value &value(const onnx::NodeProto &n, int k) const {
    if (k >= n.input_size() || n.input(k).empty()) fail(n, "has too few inputs");
    auto it = values_.find(n.input(k));
    if (it != values_.end()) return it->second;
    if (constants_.count(n.input(k)))
      fail(n, "input '" + n.input(k) + "' is a constant where cpq-import expects an activation");
    fail(n, "input '" + n.input(k) + "' is not computed by any earlier node");
  }

  // --- attributes -----------------------------------------------------------
  void check_attributes(const onnx::NodeProto &n, std::set<std::string> known) const {
    for (const auto &a : n.attribute())
      if (!known.count(a.name())) fail(n, "attribute '" + a.name() + "' is not supported");
  }
  const onnx::AttributeProto *attribute(const onnx::NodeProto &n, const std::string &name) const {
    for (const auto &a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  std::int64_t int_attr(const onnx::NodeProto &n, const std::string &name, std::int64_t fallback) const {
    const auto *a = attribute(n, name);
    if (!a) return fallback;
    if (a->type() != onnx::AttributeProto_AttributeType_INT) fail(n, "attribute '" + name + "' is not an integer");
    return a->i();
  }
  float float_attr(const onnx::NodeProto &n, const std::string &name, float fallback) const {
    const auto *a = attribute(n, name);
    if (!a) return fallback;
    if (a->type() != onnx::AttributeProto_AttributeType_FLOAT) fail(n, "attribute '" + name + "' is not a float");
    return a->f();
  }
  std::vector<std::int64_t> ints_attr(const onnx::NodeProto &n, const std::string &name,
                                      std::vector<std::int64_t> fallback) const {
    const auto *a = attribute(n, name);
    if (!a) return fallback;
    if (a->type() != onnx::AttributeProto_AttributeType_INTS) fail(n, "attribute '" + name + "' is not a list of integers");
    return {a->ints().begin(), a->ints().end()};
  }
  std::string string_attr(const onnx::NodeProto &n, const std::string &name, std::string fallback) const {
    const auto *a = attribute(n, name);
    if (!a) return fallback;
    if (a->type() != onnx::AttributeProto_AttributeType_STRING) fail(n, "attribute '" + name + "' is not a string");
    return a->s();
  }

  // --- the graph's input and output -------------------------------------------
  void read_input(const onnx::GraphProto &g) {
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
      } else if (dim.has_dim_value() && dim.dim_value() > 0) {
        shape.push_back(dim.dim_value());
      } else {
        throw ImportError(what_ + ": input '" + in.name() + "' has no fixed size on axis " + std::to_string(d) +
                          " (only the batch axis may vary)");
      }
    }
    if (shape.size() != 4 && shape.size() != 2)
      throw ImportError(what_ + ": input '" + in.name() + "' has rank " + std::to_string(shape.size()) +
                        "; cpq networks take N x C x H x W images or N x F features");
    const std::int64_t batch = tt.shape().dim(0).has_dim_value() ? tt.shape().dim(0).dim_value() : -1;
    if (batch > 0)
      out_.notes.push_back("the input's batch axis was exported as " + std::to_string(batch) +
                           "; the cpq network takes any batch");
    input_name_ = is_identifier(in.name()) ? in.name() : "input";
    values_[in.name()] = Value{"%" + input_name_, shape};
    out_.input_shape = shape;
  }

  void finish(const onnx::GraphProto &g) {
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

public:
  std::string body_;

private:
  // --- emitting ---------------------------------------------------------------
  std::string fresh() { return "%v" + std::to_string(next_++); }

  /// A cpq.param of `values` named after `source` (suffix for a second,
  /// different use of the same initializer); its SSA name.
  std::string param(const std::string &source, const Shape &shape, const std::vector<float> &values,
                    const char *init, bool trainable = true) {
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
  std::string readable_name(const std::string &source) const {
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

  void define(const onnx::NodeProto &n, Value v) {
    if (n.output_size() < 1 || n.output(0).empty()) fail(n, "has no output");
    values_[n.output(0)] = std::move(v);
  }
  void no_extra_outputs(const onnx::NodeProto &n) const {
    for (int k = 1; k < n.output_size(); ++k)
      if (!n.output(k).empty() && (consumers_.count(n.output(k)) || graph_outputs_.count(n.output(k))))
        fail(n, "its output #" + std::to_string(k) + " ('" + n.output(k) + "') is used; cpq-import takes only the first");
  }

  // --- the ops ----------------------------------------------------------------
  void node(const onnx::GraphProto &g, const onnx::NodeProto &n) {
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail(n, "operator domain '" + n.domain() + "' (cpq-import reads the standard ONNX operators only)");
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

  void constant_node(const onnx::NodeProto &n) {
    check_attributes(n, {"value", "value_int", "value_ints", "value_float", "value_floats"});
    Constant c;
    c.name = n.output(0);
    if (const auto *a = attribute(n, "value")) {
      c = read_tensor(a->t(), "Constant '" + n.output(0) + "'");
      c.name = n.output(0);
    } else if (const auto *a = attribute(n, "value_ints")) {
      c.dtype = onnx::TensorProto_DataType_INT64, c.i.assign(a->ints().begin(), a->ints().end());
      c.dims = {std::int64_t(c.i.size())};
    } else if (const auto *a = attribute(n, "value_int")) {
      c.dtype = onnx::TensorProto_DataType_INT64, c.i = {a->i()};
    } else if (const auto *a = attribute(n, "value_floats")) {
      c.dtype = onnx::TensorProto_DataType_FLOAT, c.f.assign(a->floats().begin(), a->floats().end());
      c.dims = {std::int64_t(c.f.size())};
    } else if (const auto *a = attribute(n, "value_float")) {
      c.dtype = onnx::TensorProto_DataType_FLOAT, c.f = {a->f()};
    } else {
      fail(n, "has no value");
    }
    constants_[n.output(0)] = std::move(c);
  }

  /// Symmetric padding [ph, pw] from ONNX pads [top, left, bottom, right] and auto_pad.
  std::vector<std::int64_t> symmetric_pads(const onnx::NodeProto &n) const {
    const std::string auto_pad = string_attr(n, "auto_pad", "NOTSET");
    if (auto_pad == "VALID") return {0, 0};
    if (auto_pad != "NOTSET")
      fail(n, "auto_pad " + auto_pad + " is not supported (export with explicit pads)");
    const auto p = ints_attr(n, "pads", {0, 0, 0, 0});
    if (p.size() != 4) fail(n, "pads [" + join(p, ", ") + "] are not those of a 2-D window");
    if (p[0] != p[2] || p[1] != p[3])
      fail(n, "asymmetric pads [" + join(p, ", ") + "] (top, left, bottom, right): cpq layers pad both sides equally");
    if (p[0] < 0 || p[1] < 0) fail(n, "negative pads");
    return {p[0], p[1]};
  }
  std::vector<std::int64_t> pair_attr(const onnx::NodeProto &n, const std::string &name,
                                      std::vector<std::int64_t> fallback) const {
    const auto v = ints_attr(n, name, fallback);
    if (v.size() != 2) fail(n, name + " [" + join(v, ", ") + "] is not that of a 2-D window");
    if (v[0] < 1 || v[1] < 1) fail(n, name + " [" + join(v, ", ") + "] must be positive");
    return v;
  }

  void conv(const onnx::NodeProto &n) {
    check_attributes(n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
    no_extra_outputs(n);
    const Value &x = value(n, 0);
    if (x.shape.size() != 4) fail(n, "input of rank " + std::to_string(x.shape.size()) + "; cpq.conv2d takes N x C x H x W");
    const Constant &w = float_constant(n, 1, "filter");
    if (w.dims.size() != 4) fail(n, "filter of rank " + std::to_string(w.dims.size()) + " (a 2-D convolution has 4)");
    const auto dil = pair_attr(n, "dilations", {1, 1});
    if (dil[0] != 1 || dil[1] != 1)
      fail(n, "dilations [" + join(dil, ", ") + "]: cpq.conv2d has no dilation");
    const std::int64_t groups = int_attr(n, "group", 1);
    const std::int64_t c = x.shape[1], o = w.dims[0];
    if (groups < 1 || c % groups || o % groups || w.dims[1] != c / groups)
      fail(n, "group " + std::to_string(groups) + " does not fit " + std::to_string(c) + " input channels and filter [" +
                  join(w.dims, ", ") + "]");
    const auto kernel = ints_attr(n, "kernel_shape", {w.dims[2], w.dims[3]});
    if (kernel != Shape{w.dims[2], w.dims[3]})
      fail(n, "kernel_shape [" + join(kernel, ", ") + "] differs from the filter's [" + join(w.dims, ", ") + "]");
    const auto stride = pair_attr(n, "strides", {1, 1});
    const auto pad = symmetric_pads(n);
    Shape y = {x.shape[0], o, 0, 0};
    for (int d = 0; d < 2; ++d) {
      const std::int64_t span = x.shape[2 + d] + 2 * pad[d] - w.dims[2 + d];
      if (span < 0) fail(n, "the filter is larger than the padded input");
      y[2 + d] = span / stride[d] + 1;
    }
    const std::string ws = param(n.input(1), w.dims, w.f, "he_normal");
    std::string operands = x.ssa + ", " + ws, types = type_of(x.shape) + ", " + type_of(w.dims);
    if (n.input_size() > 2 && !n.input(2).empty()) {
      const Constant &b = float_constant(n, 2, "bias");
      if (b.elements() != o) fail(n, "bias of " + std::to_string(b.elements()) + " values for " + std::to_string(o) + " channels");
      operands += ", " + param(n.input(2), {o}, b.f, "zeros");
      types += ", " + type_of({o});
    }
    std::vector<std::string> attrs;
    if (pad != Shape{0, 0}) attrs.push_back("padding = [" + join(pad, ", ") + "]");
    if (stride != Shape{1, 1}) attrs.push_back("stride = [" + join(stride, ", ") + "]");
    if (groups != 1) attrs.push_back("groups = " + std::to_string(groups));
    emit(n, "cpq.conv2d " + operands + attr_dict(attrs) + " : (" + types + ") -> " + type_of(y), y);
  }

  static std::string attr_dict(const std::vector<std::string> &attrs) {
    if (attrs.empty()) return "";
    std::string s = " {";
    for (std::size_t k = 0; k < attrs.size(); ++k) s += (k ? ", " : "") + attrs[k];
    return s + "}";
  }
  void emit(const onnx::NodeProto &n, const std::string &op, const Shape &shape) {
    const std::string ssa = fresh();
    lines_.push_back(ssa + " = " + op);
    define(n, Value{ssa, shape});
    ++out_.layers;
  }

  /// A dense layer of input `x`, weight `w` ([O, K], row-major) and bias.
  void dense(const onnx::NodeProto &n, const Value &x, const std::string &wname, const Shape &wshape,
             const std::vector<float> &w, const std::string &bname, const std::vector<float> *bias) {
    if (x.shape.size() != 2) fail(n, "input of rank " + std::to_string(x.shape.size()) + "; a dense layer takes N x features (flatten first)");
    if (wshape[1] != x.shape[1])
      fail(n, "weight for " + std::to_string(wshape[1]) + " features, the input has " + std::to_string(x.shape[1]));
    std::string operands = x.ssa + ", " + param(wname, wshape, w, "he_normal");
    std::string types = type_of(x.shape) + ", " + type_of(wshape);
    if (bias) {
      operands += ", " + param(bname, {wshape[0]}, *bias, "zeros");
      types += ", " + type_of({wshape[0]});
    }
    const Shape y = {x.shape[0], wshape[0]};
    emit(n, "cpq.dense " + operands + " : (" + types + ") -> " + type_of(y), y);
  }

  static std::vector<float> transpose(const std::vector<float> &m, std::int64_t rows, std::int64_t cols) {
    std::vector<float> t(m.size());
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < cols; ++c) t[std::size_t(c * rows + r)] = m[std::size_t(r * cols + c)];
    return t;
  }
  /// A bias of `count` values from a constant of [count], [1, count] or one value.
  std::vector<float> bias_values(const onnx::NodeProto &n, const Constant &c, std::int64_t count) const {
    if (c.elements() == count && (c.dims.size() == 1 || (c.dims.size() == 2 && c.dims[0] == 1))) return c.f;
    if (c.elements() == 1) return std::vector<float>(std::size_t(count), c.f[0]);
    fail(n, "bias '" + c.name + "' of shape [" + join(c.dims, ", ") + "] does not broadcast to " + std::to_string(count) +
                " outputs");
  }

  void gemm(const onnx::NodeProto &n) {
    check_attributes(n, {"alpha", "beta", "transA", "transB"});
    if (int_attr(n, "transA", 0) != 0) fail(n, "transA = 1 (a transposed input) is not supported");
    const Value &x = value(n, 0);
    const Constant &b = float_constant(n, 1, "weight");
    if (b.dims.size() != 2) fail(n, "weight of rank " + std::to_string(b.dims.size()));
    const bool trans_b = int_attr(n, "transB", 0) != 0;
    const float alpha = float_attr(n, "alpha", 1.0f), beta = float_attr(n, "beta", 1.0f);
    Shape wshape = trans_b ? b.dims : Shape{b.dims[1], b.dims[0]};
    std::vector<float> w = trans_b ? b.f : transpose(b.f, b.dims[0], b.dims[1]);
    if (!trans_b) out_.notes.push_back("Gemm '" + n.name() + "': weight '" + b.name + "' transposed to [out, in]");
    if (alpha != 1.0f) {
      for (float &v : w) v *= alpha;
      out_.notes.push_back("Gemm '" + n.name() + "': alpha folded into weight '" + b.name + "'");
    }
    std::vector<float> bias;
    const bool has_bias = n.input_size() > 2 && !n.input(2).empty();
    if (has_bias) {
      bias = bias_values(n, float_constant(n, 2, "bias"), wshape[0]);
      if (beta != 1.0f) {
        for (float &v : bias) v *= beta;
        out_.notes.push_back("Gemm '" + n.name() + "': beta folded into bias '" + n.input(2) + "'");
      }
    }
    dense(n, x, n.input(1), wshape, w, has_bias ? n.input(2) : "", has_bias ? &bias : nullptr);
  }

  void matmul(const onnx::GraphProto &g, const onnx::NodeProto &n) {
    check_attributes(n, {});
    const Value &x = value(n, 0);
    const Constant &b = float_constant(n, 1, "weight");
    if (b.dims.size() != 2) fail(n, "weight of rank " + std::to_string(b.dims.size()) + "; cpq-import takes x @ W with W 2-D");
    const Shape wshape = {b.dims[1], b.dims[0]};
    const std::vector<float> w = transpose(b.f, b.dims[0], b.dims[1]);
    // x @ W + b: the Add that is the product's only use, with a constant, is its bias.
    const std::string &product = n.output(0);
    auto uses = consumers_.find(product);
    if (!graph_outputs_.count(product) && uses != consumers_.end() && uses->second.size() == 1) {
      const int k = uses->second[0];
      const onnx::NodeProto &next = g.node(k);
      if (next.op_type() == "Add" && next.input_size() == 2) {
        const std::string &other = next.input(0) == product ? next.input(1) : next.input(0);
        if (constants_.count(other)) {
          const std::vector<float> bias = bias_values(next, float_constant(next, next.input(0) == product ? 1 : 0, "bias"), wshape[0]);
          dense(n, x, n.input(1), wshape, w, other, &bias);
          values_[next.output(0)] = values_[product];
          skipped_.insert(k);
          out_.notes.push_back("MatMul '" + n.name() + "' + Add '" + next.name() + "': one dense layer (weight '" +
                               b.name + "' transposed to [out, in])");
          return;
        }
      }
    }
    out_.notes.push_back("MatMul '" + n.name() + "': weight '" + b.name + "' transposed to [out, in]");
    dense(n, x, n.input(1), wshape, w, "", nullptr);
  }

  void relu(const onnx::NodeProto &n) {
    check_attributes(n, {});
    const Value &x = value(n, 0);
    emit(n, "cpq.relu " + x.ssa + " : " + type_of(x.shape), x.shape);
  }

  void pool(const onnx::NodeProto &n, bool max) {
    if (max)
      check_attributes(n, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"});
    else
      check_attributes(n, {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
    no_extra_outputs(n);
    const Value &x = value(n, 0);
    if (x.shape.size() != 4) fail(n, "input of rank " + std::to_string(x.shape.size()) + "; 2-D pooling takes N x C x H x W");
    if (!attribute(n, "kernel_shape")) fail(n, "has no kernel_shape");
    const auto kernel = pair_attr(n, "kernel_shape", {});
    const auto stride = pair_attr(n, "strides", {1, 1});
    if (max) {
      const auto dil = pair_attr(n, "dilations", {1, 1});
      if (dil != Shape{1, 1}) fail(n, "dilations [" + join(dil, ", ") + "]: cpq.maxpool2d has no dilation");
      if (int_attr(n, "storage_order", 0) != 0) fail(n, "storage_order 1 is not supported");
    }
    const auto pad = symmetric_pads(n);
    if (!max && pad != Shape{0, 0} && int_attr(n, "count_include_pad", 0) == 0)
      fail(n, "pads with count_include_pad = 0 (a mean over the inside of each window): cpq.avgpool2d counts padded "
              "positions as zeros (count_include_pad = 1)");
    const bool ceil = int_attr(n, "ceil_mode", 0) != 0;
    Shape y = {x.shape[0], x.shape[1], 0, 0};
    for (int d = 0; d < 2; ++d) {
      const std::int64_t span = x.shape[2 + d] + 2 * pad[d] - kernel[d];
      if (span < 0) fail(n, "the window is larger than the padded input");
      if (ceil && span % stride[d] != 0)
        fail(n, "ceil_mode = 1 gives a partial last window here; cpq pooling rounds the output size down");
      y[2 + d] = span / stride[d] + 1;
    }
    std::vector<std::string> attrs = {"kernel = [" + join(kernel, ", ") + "]"};
    if (stride != kernel) attrs.push_back("stride = [" + join(stride, ", ") + "]");
    if (pad != Shape{0, 0}) attrs.push_back("padding = [" + join(pad, ", ") + "]");
    emit(n, std::string(max ? "cpq.maxpool2d " : "cpq.avgpool2d ") + x.ssa + attr_dict(attrs) + " : (" +
                type_of(x.shape) + ") -> " + type_of(y),
         y);
  }

  void global_pool(const onnx::NodeProto &n) {
    check_attributes(n, {});
    const Value &x = value(n, 0);
    if (x.shape.size() != 4) fail(n, "input of rank " + std::to_string(x.shape.size()));
    const Shape y = {x.shape[0], x.shape[1], 1, 1};
    emit(n, "cpq.avgpool2d " + x.ssa + " {kernel = [" + std::to_string(x.shape[2]) + ", " + std::to_string(x.shape[3]) +
                "]} : (" + type_of(x.shape) + ") -> " + type_of(y),
         y);
  }

  void batch_norm(const onnx::NodeProto &n) {
    check_attributes(n, {"epsilon", "momentum", "training_mode", "spatial", "is_test", "consumed_inputs"});
    if (int_attr(n, "training_mode", 0) != 0) fail(n, "training_mode = 1 (export the model in eval mode)");
    if (int_attr(n, "spatial", 1) != 1) fail(n, "spatial = 0 (per-element statistics) is not supported");
    no_extra_outputs(n);
    const Value &x = value(n, 0);
    if (x.shape.size() < 2) fail(n, "input of rank " + std::to_string(x.shape.size()));
    const std::int64_t c = x.shape[1];
    const char *roles[4] = {"scale", "bias", "mean", "variance"};
    const char *inits[4] = {"ones", "zeros", "zeros", "ones"};
    std::string operands = x.ssa, types = type_of(x.shape);
    for (int k = 0; k < 4; ++k) {
      const Constant &p = float_constant(n, 1 + k, roles[k]);
      if (p.elements() != c) fail(n, std::string(roles[k]) + " '" + p.name + "' has " + std::to_string(p.elements()) +
                                          " values for " + std::to_string(c) + " channels");
      operands += ", " + param(n.input(1 + k), {c}, p.f, inits[k], k < 2);
      types += ", " + type_of({c});
    }
    // ONNX: running = momentum running + (1 - momentum) batch; cpq: the other way round.
    // Seven significant digits: the float32 attributes' own precision.
    const double epsilon = float_attr(n, "epsilon", 1e-5f), momentum = 1.0 - double(float_attr(n, "momentum", 0.9f));
    const std::string attrs = " {epsilon = " + real(epsilon) + ", momentum = " + real(momentum) + "}";
    emit(n, "cpq.batch_norm " + operands + attrs + " : (" + types + ") -> " + type_of(x.shape), x.shape);
  }

  void add(const onnx::NodeProto &n) {
    check_attributes(n, {});
    if (n.input_size() != 2) fail(n, "takes " + std::to_string(n.input_size()) + " inputs");
    for (int k = 0; k < 2; ++k)
      if (constants_.count(n.input(k)))
        fail(n, "adds the constant '" + n.input(k) +
                    "' to an activation; cpq-import takes that only as the bias of the MatMul just before it");
    const Value &a = value(n, 0), &b = value(n, 1);
    if (a.shape != b.shape)
      fail(n, "adds " + type_of(a.shape) + " and " + type_of(b.shape) + "; cpq.add takes equal shapes (no broadcasting)");
    emit(n, "cpq.add " + a.ssa + ", " + b.ssa + " : " + type_of(a.shape), a.shape);
  }

  void flatten_to(const onnx::NodeProto &n, const Value &x) {
    if (x.shape.size() == 2) {
      define(n, x);
      return;
    }
    std::int64_t features = 1;
    for (std::size_t d = 1; d < x.shape.size(); ++d) features *= x.shape[d];
    const Shape y = {x.shape[0], features};
    emit(n, "cpq.flatten " + x.ssa + " : (" + type_of(x.shape) + ") -> " + type_of(y), y);
  }

  void flatten(const onnx::NodeProto &n) {
    check_attributes(n, {"axis"});
    const Value &x = value(n, 0);
    const std::int64_t axis = int_attr(n, "axis", 1);
    if (axis != 1) fail(n, "axis " + std::to_string(axis) + "; cpq.flatten keeps the batch axis (axis 1)");
    flatten_to(n, x);
  }

  void reshape(const onnx::NodeProto &n) {
    check_attributes(n, {"allowzero"});
    const Value &x = value(n, 0);
    const Constant &s = constant(n, 1, "shape");
    if (s.dtype != onnx::TensorProto_DataType_INT64) fail(n, "its shape is " + dtype_name(s.dtype) + ", not INT64");
    const bool allowzero = int_attr(n, "allowzero", 0) != 0;
    std::int64_t features = 1;
    for (std::size_t d = 1; d < x.shape.size(); ++d) features *= x.shape[d];
    const auto &t = s.i;
    const bool batch_kept = t.size() == 2 && ((t[0] == 0 && !allowzero) || t[0] == -1);
    const bool flat = batch_kept && (t[1] == features || (t[1] == -1 && t[0] == 0 && !allowzero));
    if (!flat)
      fail(n, "reshapes " + type_of(x.shape) + " to [" + join(t, ", ") +
                  "]; cpq-import takes only a reshape to [N, features] (0 or -1 for the batch)");
    flatten_to(n, x);
  }

  void pass_through(const onnx::NodeProto &n) {
    if (n.op_type() == "Dropout") {
      check_attributes(n, {"ratio", "seed", "is_test"});
      no_extra_outputs(n);
      if (n.input_size() > 2 && !n.input(2).empty()) {
        const Constant &mode = constant(n, 2, "training_mode");
        if (!mode.i.empty() && mode.i[0] != 0) fail(n, "training_mode is true (export the model in eval mode)");
      }
    } else {
      check_attributes(n, {});
    }
    if (constants_.count(n.input(0))) {
      constants_[n.output(0)] = constants_.at(n.input(0));
      return;
    }
    define(n, value(n, 0));
  }

  void pad(const onnx::NodeProto &n) {
    check_attributes(n, {"mode", "pads", "value"});
    if (string_attr(n, "mode", "constant") != "constant") fail(n, "mode " + string_attr(n, "mode", "") + " is not supported");
    std::vector<std::int64_t> pads;
    if (out_.opset < 11) {
      pads = ints_attr(n, "pads", {});
    } else {
      const Constant &p = constant(n, 1, "pads");
      pads = p.i;
    }
    const bool zero = std::all_of(pads.begin(), pads.end(), [](std::int64_t v) { return v == 0; });
    if (!zero)
      fail(n, "pads [" + join(pads, ", ") +
                  "] as an op of their own; cpq layers take padding only inside a Conv or a pooling window");
    out_.notes.push_back("Pad '" + n.name() + "' of zero width dropped");
    define(n, value(n, 0));
  }

  void softmax(const onnx::NodeProto &n) {
    check_attributes(n, {"axis"});
    const Value &x = value(n, 0);
    const std::int64_t axis = int_attr(n, "axis", out_.opset >= 13 ? -1 : 1);
    if (x.shape.size() != 2 || (axis != 1 && axis != -1)) fail(n, "over an axis other than the classes of N x classes");
    if (!graph_outputs_.count(n.output(0)) || consumers_.count(n.output(0)))
      fail(n, "is not the network's last op; cpq-import drops a Softmax only at the end");
    dropped_softmax_[n.output(0)] = n.input(0);
    out_.notes.push_back(n.op_type() + " '" + n.name() + "' at the end dropped: the cpq network returns the logits "
                         "(cpq-train adds the softmax cross-entropy; predictions are their argmax)");
  }

  const std::string what_;
  const Options &options_;
  Network &out_;
  std::map<std::string, Constant> constants_;
  std::map<std::string, Value> values_;
  std::map<std::string, std::vector<int>> consumers_;
  std::set<std::string> graph_outputs_;
  std::map<std::string, std::string> dropped_softmax_;
  std::set<int> skipped_;
  std::map<std::string, std::string> param_ssa_;
  std::map<std::string, std::vector<float>> param_values_;
  std::set<std::string> used_names_;
  std::vector<std::string> lines_;
  std::string input_name_;
  int next_ = 0, next_param_ = 0, node_index_ = 0;
  const onnx::NodeProto *current_ = nullptr;

public:
  std::vector<std::string> renamed_;
};

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
