//===- layers.cpp - ONNX ops to cpq ops ----------------------------------===//
#include "import/importer.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace cpq::importer::detail {

void Importer::constant_node(const onnx::NodeProto &n) {
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

void Importer::conv(const onnx::NodeProto &n) {
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

std::string Importer::attr_dict(const std::vector<std::string> &attrs) {
  if (attrs.empty()) return "";
  std::string s = " {";
  for (std::size_t k = 0; k < attrs.size(); ++k) s += (k ? ", " : "") + attrs[k];
  return s + "}";
}

void Importer::emit(const onnx::NodeProto &n, const std::string &op, const Shape &shape) {
  const std::string ssa = fresh();
  lines_.push_back(ssa + " = " + op);
  define(n, Value{ssa, shape});
  ++out_.layers;
}

/// A dense layer of input `x`, weight `w` ([O, K], row-major) and bias.
void Importer::dense(const onnx::NodeProto &n, const Value &x, const std::string &wname, const Shape &wshape,
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

std::vector<float> Importer::transpose(const std::vector<float> &m, std::int64_t rows, std::int64_t cols) {
  std::vector<float> t(m.size());
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) t[std::size_t(c * rows + r)] = m[std::size_t(r * cols + c)];
  return t;
}

/// A bias of `count` values from a constant of [count], [1, count] or one value.
std::vector<float> Importer::bias_values(const onnx::NodeProto &n, const Constant &c, std::int64_t count) const {
  if (c.elements() == count && (c.dims.size() == 1 || (c.dims.size() == 2 && c.dims[0] == 1))) return c.f;
  if (c.elements() == 1) return std::vector<float>(std::size_t(count), c.f[0]);
  fail(n, "bias '" + c.name + "' of shape [" + join(c.dims, ", ") + "] does not broadcast to " + std::to_string(count) +
              " outputs");
}

void Importer::gemm(const onnx::NodeProto &n) {
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

void Importer::matmul(const onnx::GraphProto &g, const onnx::NodeProto &n) {
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
    if (next.op_type() == "Add" && next.input_size() == 2 && next.output_size() >= 1 && !next.output(0).empty()) {
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

void Importer::relu(const onnx::NodeProto &n) {
  check_attributes(n, {});
  const Value &x = value(n, 0);
  emit(n, "cpq.relu " + x.ssa + " : " + type_of(x.shape), x.shape);
}

void Importer::pool(const onnx::NodeProto &n, bool max) {
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

void Importer::global_pool(const onnx::NodeProto &n) {
  check_attributes(n, {});
  const Value &x = value(n, 0);
  if (x.shape.size() != 4) fail(n, "input of rank " + std::to_string(x.shape.size()));
  const Shape y = {x.shape[0], x.shape[1], 1, 1};
  emit(n, "cpq.avgpool2d " + x.ssa + " {kernel = [" + std::to_string(x.shape[2]) + ", " + std::to_string(x.shape[3]) +
              "]} : (" + type_of(x.shape) + ") -> " + type_of(y),
       y);
}

void Importer::batch_norm(const onnx::NodeProto &n) {
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

void Importer::add(const onnx::NodeProto &n) {
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

void Importer::flatten_to(const onnx::NodeProto &n, const Value &x) {
  if (x.shape.size() == 2) {
    define(n, x);
    return;
  }
  std::int64_t features = 1;
  for (std::size_t d = 1; d < x.shape.size(); ++d) features *= x.shape[d];
  const Shape y = {x.shape[0], features};
  emit(n, "cpq.flatten " + x.ssa + " : (" + type_of(x.shape) + ") -> " + type_of(y), y);
}

void Importer::flatten(const onnx::NodeProto &n) {
  check_attributes(n, {"axis"});
  const Value &x = value(n, 0);
  const std::int64_t axis = int_attr(n, "axis", 1);
  if (axis != 1) fail(n, "axis " + std::to_string(axis) + "; cpq.flatten keeps the batch axis (axis 1)");
  flatten_to(n, x);
}

void Importer::reshape(const onnx::NodeProto &n) {
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

void Importer::pass_through(const onnx::NodeProto &n) {
  if (n.op_type() == "Dropout") {
    check_attributes(n, {"ratio", "seed", "is_test"});
    no_extra_outputs(n);
    if (n.input_size() > 2 && !n.input(2).empty()) {
      const Constant &mode = constant(n, 2, "training_mode");
      if (mode.dtype != onnx::TensorProto_DataType_BOOL || mode.i.size() != 1)
        fail(n, "its training_mode is not one BOOL");
      if (mode.i[0] != 0) fail(n, "training_mode is true (export the model in eval mode)");
    }
  } else {
    check_attributes(n, {});
  }
  if (n.input_size() > 0 && constants_.count(n.input(0))) {
    constants_[n.output(0)] = constants_.at(n.input(0));
    return;
  }
  define(n, value(n, 0));
}

void Importer::pad(const onnx::NodeProto &n) {
  check_attributes(n, {"mode", "pads", "value"});
  if (string_attr(n, "mode", "constant") != "constant") fail(n, "mode " + string_attr(n, "mode", "") + " is not supported");
  std::vector<std::int64_t> pads;
  if (out_.opset < 11) {
    pads = ints_attr(n, "pads", {});
  } else {
    const Constant &p = constant(n, 1, "pads");
    if (p.dtype != onnx::TensorProto_DataType_INT64) fail(n, "its pads are " + dtype_name(p.dtype) + ", not INT64");
    pads = p.i;
  }
  const bool zero = std::all_of(pads.begin(), pads.end(), [](std::int64_t v) { return v == 0; });
  if (!zero)
    fail(n, "pads [" + join(pads, ", ") +
                "] as an op of their own; cpq layers take padding only inside a Conv or a pooling window");
  out_.notes.push_back("Pad '" + n.name() + "' of zero width dropped");
  define(n, value(n, 0));
}

void Importer::softmax(const onnx::NodeProto &n) {
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

} // namespace cpq::importer::detail
