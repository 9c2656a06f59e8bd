//===- importer.h - the ONNX importer's internals ------------------------===//
//
// Internal to import/ (the interface is onnx_import.h). One Importer walks
// one ONNX graph and writes the cpq network; its work is split by
// responsibility:
//   onnx_reader.cpp  reading ONNX: tensors (initializers, Constants),
//                    attributes, window attributes, and the text helpers
//   layers.cpp       each ONNX op and what cpq op it becomes
//   onnx_import.cpp  the graph: its input and output, parameters and names,
//                    the op dispatch, verifying the result, the entry points
//
//===----------------------------------------------------------------------===//
#pragma once

#include "import/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace cpq::importer::detail {


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

/// "1, 2, 3".
std::string join(const std::vector<std::int64_t> &v, const char *sep);
/// A float attribute as MLIR writes it (a '.' always), seven significant
/// digits: the precision of ONNX's float32 attributes.
std::string real(double v);
/// "tensor<?x1x28x28xf32>".
std::string type_of(const Shape &s);
std::string dtype_name(int dtype);
bool is_identifier(const std::string &s);
/// Parameter names: letters, digits, '_' and '.'; PyTorch's generated names
/// ("onnx::Conv_37") lose their "onnx::" prefix.
std::string param_name(std::string s);

/// Walks one ONNX graph in order and writes its cpq network (`body_`) and
/// parameters (`out.params`); throws ImportError naming the node.
class Importer {
public:
  Importer(const std::string &what, const Options &options, Network &out) : what_(what), options_(options), out_(out) {}

  void run(const onnx::ModelProto &model);

  std::string body_;                    // the function, after run()
  std::vector<std::string> renamed_;    // "onnx::Conv_37 -> conv1.weight"

private:
  [[noreturn]] void fail(const onnx::NodeProto &n, const std::string &problem) const {
    throw ImportError(what_ + ": node #" + std::to_string(node_index_) + " '" + n.name() + "' (" + n.op_type() +
                      "): " + problem);
  }

  // --- onnx_reader.cpp: tensors and attributes --------------------------------
  Constant read_tensor(const onnx::TensorProto &t, const std::string &which) const;
  /// The constant input `k` of node `n` (an initializer or a Constant's output).
  const Constant &constant(const onnx::NodeProto &n, int k, const char *role) const;
  const Constant &float_constant(const onnx::NodeProto &n, int k, const char *role) const;
  /// The activation input `k` of node `n`.
  const Value &value(const onnx::NodeProto &n, int k) const;
  void check_attributes(const onnx::NodeProto &n, std::set<std::string> known) const;
  const onnx::AttributeProto *attribute(const onnx::NodeProto &n, const std::string &name) const;
  std::int64_t int_attr(const onnx::NodeProto &n, const std::string &name, std::int64_t fallback) const;
  float float_attr(const onnx::NodeProto &n, const std::string &name, float fallback) const;
  std::vector<std::int64_t> ints_attr(const onnx::NodeProto &n, const std::string &name,
                                      std::vector<std::int64_t> fallback) const;
  std::string string_attr(const onnx::NodeProto &n, const std::string &name, std::string fallback) const;
  /// Symmetric padding [ph, pw] from ONNX pads [top, left, bottom, right] and auto_pad.
  std::vector<std::int64_t> symmetric_pads(const onnx::NodeProto &n) const;
  std::vector<std::int64_t> pair_attr(const onnx::NodeProto &n, const std::string &name,
                                      std::vector<std::int64_t> fallback) const;

  // --- onnx_import.cpp: the graph, parameters, dispatch -----------------------
  void read_input(const onnx::GraphProto &g);
  void finish(const onnx::GraphProto &g);
  std::string fresh() { return "%v" + std::to_string(next_++); }
  /// A cpq.param of `values` named after `source` (suffix for a second,
  /// different use of the same initializer); its SSA name.
  std::string param(const std::string &source, const Shape &shape, const std::vector<float> &values,
                    const char *init, bool trainable = true);
  /// An initializer's parameter name. PyTorch names the tensors it makes
  /// while exporting (a BatchNorm folded into its Conv) "onnx::Conv_37";
  /// those take the module path of the node using them ("/conv1/Conv" ->
  /// "conv1") and the role of the input ("conv1.weight").
  std::string readable_name(const std::string &source) const;
  void define(const onnx::NodeProto &n, Value v);
  void no_extra_outputs(const onnx::NodeProto &n) const;
  void node(const onnx::GraphProto &g, const onnx::NodeProto &n);

  // --- layers.cpp: each op ----------------------------------------------------
  static std::string attr_dict(const std::vector<std::string> &attrs);
  void emit(const onnx::NodeProto &n, const std::string &op, const Shape &shape);
  /// A dense layer of input `x`, weight `w` ([O, K], row-major) and bias.
  void dense(const onnx::NodeProto &n, const Value &x, const std::string &wname, const Shape &wshape,
             const std::vector<float> &w, const std::string &bname, const std::vector<float> *bias);
  static std::vector<float> transpose(const std::vector<float> &m, std::int64_t rows, std::int64_t cols);
  /// A bias of `count` values from a constant of [count], [1, count] or one value.
  std::vector<float> bias_values(const onnx::NodeProto &n, const Constant &c, std::int64_t count) const;
  void flatten_to(const onnx::NodeProto &n, const Value &x);
  void constant_node(const onnx::NodeProto &n);
  void conv(const onnx::NodeProto &n);
  void gemm(const onnx::NodeProto &n);
  void matmul(const onnx::GraphProto &g, const onnx::NodeProto &n);
  void relu(const onnx::NodeProto &n);
  void pool(const onnx::NodeProto &n, bool max);
  void global_pool(const onnx::NodeProto &n);
  void batch_norm(const onnx::NodeProto &n);
  void add(const onnx::NodeProto &n);
  void flatten(const onnx::NodeProto &n);
  void reshape(const onnx::NodeProto &n);
  void pass_through(const onnx::NodeProto &n);
  void pad(const onnx::NodeProto &n);
  void softmax(const onnx::NodeProto &n);

  const std::string what_;
  const Options &options_;
  Network &out_;
  std::map<std::string, Constant> constants_;
  std::map<std::string, Value> values_;
  std::map<std::string, std::vector<int>> consumers_;
  std::set<std::string> graph_outputs_;
  std::map<std::string, std::string> dropped_softmax_;  // a dropped Softmax's output -> its input
  std::set<int> skipped_;                               // nodes folded into an earlier one
  std::map<std::string, std::string> param_ssa_;
  std::map<std::string, std::vector<float>> param_values_;
  std::set<std::string> used_names_;
  std::vector<std::string> lines_;
  std::string input_name_;
  int next_ = 0, next_param_ = 0, node_index_ = 0;
  const onnx::NodeProto *current_ = nullptr;
};

} // namespace cpq::importer::detail
