//===- onnx_reader.cpp - reading ONNX tensors and attributes -------------===//
#include "import/importer.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace cpq::importer::detail {

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

// --- tensors --------------------------------------------------------------
namespace {
/// `n` values of type T from a tensor's raw little-endian bytes or its typed
/// field, converted to `out`'s element type; false when the count is wrong,
/// with `found` saying what the tensor holds instead.
template <typename T, typename Out, typename Field>
bool take_values(const onnx::TensorProto &t, const Field &field, std::int64_t n, std::vector<Out> &out,
                 std::string &found) {
  if (t.has_raw_data()) {
    found = std::to_string(t.raw_data().size()) + " bytes";
    if (t.raw_data().size() != std::size_t(n) * sizeof(T)) return false;
    std::vector<T> v(static_cast<std::size_t>(n));
    std::memcpy(v.data(), t.raw_data().data(), t.raw_data().size());
    out.assign(v.begin(), v.end());
    return true;
  }
  found = std::to_string(field.size()) + " values";
  if (field.size() != n) return false;
  out.assign(field.begin(), field.end());
  return true;
}
} // namespace

Constant Importer::read_tensor(const onnx::TensorProto &t, const std::string &which) const {
  Constant c;
  c.name = t.name();
  c.dtype = t.data_type();
  std::int64_t n = 1;
  for (std::int64_t d : t.dims()) {
    if (d < 0) throw ImportError(what_ + ": " + which + " has a negative dimension");
    if (d > 0 && n > (std::int64_t(1) << 31) / d) throw ImportError(what_ + ": " + which + " is too large");
    n *= d;
    c.dims.push_back(d);
  }
  if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
    throw ImportError(what_ + ": " + which +
                      " is stored outside the file (external data); export the model with its weights inside");
  bool ok = true;
  std::string found;
  switch (t.data_type()) {
  case onnx::TensorProto_DataType_FLOAT: ok = take_values<float>(t, t.float_data(), n, c.f, found); break;
  case onnx::TensorProto_DataType_INT64: ok = take_values<std::int64_t>(t, t.int64_data(), n, c.i, found); break;
  case onnx::TensorProto_DataType_INT32: ok = take_values<std::int32_t>(t, t.int32_data(), n, c.i, found); break;
  case onnx::TensorProto_DataType_BOOL: ok = take_values<std::uint8_t>(t, t.int32_data(), n, c.i, found); break;
  default: break; // kept, so that the message can name the node that uses it
  }
  if (!ok)
    throw ImportError(what_ + ": " + which + " holds " + found + " for " + std::to_string(n) + " elements of " +
                      dtype_name(t.data_type()));
  return c;
}

/// The constant input `k` of node `n` (an initializer or a Constant's output).
const Constant &Importer::constant(const onnx::NodeProto &n, int k, const char *role) const {
  if (k >= n.input_size() || n.input(k).empty()) fail(n, std::string("has no ") + role);
  auto it = constants_.find(n.input(k));
  if (it == constants_.end())
    fail(n, std::string("its ") + role + " '" + n.input(k) +
                "' is computed by the graph; cpq-import needs it as an initializer (a constant)");
  return it->second;
}

const Constant &Importer::float_constant(const onnx::NodeProto &n, int k, const char *role) const {
  const Constant &c = constant(n, k, role);
  if (c.dtype != onnx::TensorProto_DataType_FLOAT)
    fail(n, std::string("its ") + role + " '" + c.name + "' is " + dtype_name(c.dtype) +
                "; cpq networks are float32 (export the model in float32)");
  return c;
}

const Value &Importer::value(const onnx::NodeProto &n, int k) const {
  if (k >= n.input_size() || n.input(k).empty()) fail(n, "has too few inputs");
  auto it = values_.find(n.input(k));
  if (it != values_.end()) return it->second;
  if (constants_.count(n.input(k)))
    fail(n, "input '" + n.input(k) + "' is a constant where cpq-import expects an activation");
  fail(n, "input '" + n.input(k) + "' is not computed by any earlier node");
}

// --- attributes -----------------------------------------------------------
void Importer::check_attributes(const onnx::NodeProto &n, std::set<std::string> known) const {
  for (const auto &a : n.attribute())
    if (!known.count(a.name())) fail(n, "attribute '" + a.name() + "' is not supported");
}

const onnx::AttributeProto *Importer::attribute(const onnx::NodeProto &n, const std::string &name) const {
  for (const auto &a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::int64_t Importer::int_attr(const onnx::NodeProto &n, const std::string &name, std::int64_t fallback) const {
  const auto *a = attribute(n, name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto_AttributeType_INT) fail(n, "attribute '" + name + "' is not an integer");
  return a->i();
}

float Importer::float_attr(const onnx::NodeProto &n, const std::string &name, float fallback) const {
  const auto *a = attribute(n, name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto_AttributeType_FLOAT) fail(n, "attribute '" + name + "' is not a float");
  return a->f();
}

std::vector<std::int64_t> Importer::ints_attr(const onnx::NodeProto &n, const std::string &name,
                                    std::vector<std::int64_t> fallback) const {
  const auto *a = attribute(n, name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto_AttributeType_INTS) fail(n, "attribute '" + name + "' is not a list of integers");
  return {a->ints().begin(), a->ints().end()};
}

std::string Importer::string_attr(const onnx::NodeProto &n, const std::string &name, std::string fallback) const {
  const auto *a = attribute(n, name);
  if (!a) return fallback;
  if (a->type() != onnx::AttributeProto_AttributeType_STRING) fail(n, "attribute '" + name + "' is not a string");
  return a->s();
}

/// Symmetric padding [ph, pw] from ONNX pads [top, left, bottom, right] and auto_pad.
std::vector<std::int64_t> Importer::symmetric_pads(const onnx::NodeProto &n) const {
  const std::string auto_pad = string_attr(n, "auto_pad", "NOTSET");
  if (auto_pad == "VALID") return {0, 0};
  if (auto_pad != "NOTSET")
    fail(n, "auto_pad " + auto_pad + " is not supported (export with explicit pads)");
  const auto p = ints_attr(n, "pads", {0, 0, 0, 0});
  if (p.size() != 4) fail(n, "pads [" + join(p, ", ") + "] are not those of a 2-D window");
  if (p[0] != p[2] || p[1] != p[3])
    fail(n, "asymmetric pads [" + join(p, ", ") + "] (top, left, bottom, right): cpq layers pad both sides equally");
  if (p[0] < 0 || p[1] < 0) fail(n, "negative pads");
  // Sizes stay far from int64's end (twice the pads are added to a size).
  if (p[0] > (std::int64_t(1) << 24) || p[1] > (std::int64_t(1) << 24)) fail(n, "pads beyond 2^24");
  return {p[0], p[1]};
}

std::vector<std::int64_t> Importer::pair_attr(const onnx::NodeProto &n, const std::string &name,
                                    std::vector<std::int64_t> fallback) const {
  const auto v = ints_attr(n, name, fallback);
  if (v.size() != 2) fail(n, name + " [" + join(v, ", ") + "] is not that of a 2-D window");
  if (v[0] < 1 || v[1] < 1) fail(n, name + " [" + join(v, ", ") + "] must be positive");
  return v;
}

} // namespace cpq::importer::detail
