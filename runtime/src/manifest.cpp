//===- manifest.cpp - what a compiled kernel takes and gives ----------------===//
#include "cpq/runtime/manifest.h"

#include "json_message.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <limits>

namespace cpq::runtime {

using Json = nlohmann::ordered_json;

namespace {

/// The buffer layout every manifest states (for readers of the JSON).
constexpr char kLayout[] = "buffers are row-major in MLIR axis order: Halide dimension 0 is the last MLIR axis";

Json shape_json(const std::vector<std::int64_t> &shape) {
  Json s = Json::array();
  for (std::int64_t d : shape) s.push_back(d < 0 ? Json(nullptr) : Json(d));
  return s;
}

Json argument_json(const KernelArgument &a) {
  Json j;
  j["name"] = a.name;
  j["tensor"] = a.tensor.empty() ? a.name : a.tensor;
  j["role"] = a.role;
  j["direction"] = a.output ? "output" : "input";
  j["kind"] = a.buffer ? "buffer" : "scalar";
  j["type"] = type_name(a.type);
  j["shape"] = shape_json(a.shape);
  if (!a.updates.empty()) j["updates"] = a.updates;
  if (a.init) {
    Json init;
    init["kind"] = a.init->kind;
    if (!a.init->values.empty()) init["values"] = a.init->values;
    j["init"] = std::move(init);
  }
  return j;
}

/// A string member, or `fallback` when it is absent; false when present but
/// not a string.
bool string_member(const Json &j, const char *key, std::string &out, const std::string &fallback = "") {
  auto it = j.find(key);
  if (it == j.end()) return out = fallback, true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

} // namespace

std::string c_identifier(const std::string &name) {
  std::string s;
  for (char ch : name) {
    const unsigned char c = static_cast<unsigned char>(ch);
    s.push_back(c < 0x80 && (std::isalnum(c) || c == '_') ? ch : '_');
  }
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) s = "t_" + s;
  return s;
}

const KernelArgument *Manifest::argument(const std::string &name) const {
  for (const KernelArgument &a : arguments)
    if (a.name == name) return &a;
  return nullptr;
}

std::string manifest_json(const Manifest &m) {
  // One argument and one quantizer a line, for people reading the file.
  std::string s = "{\n  \"manifest_version\": " + std::to_string(kManifestVersion) +
                  ",\n  \"function\": " + Json(m.function).dump() +
                  ",\n  \"source_function\": " + Json(m.source_function).dump() + ",\n  \"layout\": " +
                  Json(kLayout).dump() + ",\n  \"arguments\": [";
  for (std::size_t i = 0; i < m.arguments.size(); ++i)
    s += (i ? ",\n    " : "\n    ") + argument_json(m.arguments[i]).dump();
  s += "\n  ],\n  \"quantizers\": [";
  for (std::size_t i = 0; i < m.quantizers.size(); ++i) {
    const QuantizerInfo &q = m.quantizers[i];
    Json j;
    j["tensor"] = q.tensor;
    j["kind"] = q.kind;
    j["bits"] = q.bits;
    j["elements"] = q.elements;
    if (!q.gate.empty()) j["gate"] = q.gate;
    s += (i ? ",\n    " : "\n    ") + j.dump();
  }
  s += std::string(m.quantizers.empty() ? "" : "\n  ") + "],\n  \"externs\": " + Json(m.externs).dump() +
       (m.timed ? ",\n  \"timed\": true" : "") +
       (m.device.empty() ? "" : ",\n  \"device\": " + Json(m.device).dump()) + "\n}\n";
  return s;
}

namespace {

bool read_manifest_json(const std::string &text, const std::string &what, Manifest &out, std::string &error) {
  auto fail = [&](const std::string &problem) {
    error = what + ": " + problem;
    return false;
  };
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::parse_error &e) {
    return fail(json_parse_message(e, "JSON manifest"));
  }
  if (!root.is_object() || !root.contains("function") || !root["function"].is_string() ||
      !root.contains("arguments") || !root["arguments"].is_array())
    return fail("not a cpq-compile manifest (needs \"function\" and \"arguments\")");
  // Manifests before the key existed are version 1.
  if (root.contains("manifest_version") &&
      !(root["manifest_version"].is_number_integer() && root["manifest_version"].get<std::int64_t>() == kManifestVersion))
    return fail("a manifest of another version of cpq (manifest_version " + root["manifest_version"].dump() +
                ", this cpq reads " + std::to_string(kManifestVersion) + "): compile the kernel again with this cpq-compile");
  Manifest m;
  m.function = root["function"].get<std::string>();
  if (!string_member(root, "source_function", m.source_function, m.function))
    return fail("\"source_function\" is not a string");
  const Json &args = root["arguments"];
  for (std::size_t i = 0; i < args.size(); ++i) {
    const Json &a = args[i];
    const std::string where = "argument " + std::to_string(i);
    KernelArgument arg;
    std::string direction, kind, type;
    if (!a.is_object() || !a.contains("name") || !a.contains("direction") || !a.contains("kind") ||
        !a.contains("type") || !a.contains("shape") || !string_member(a, "name", arg.name) ||
        !string_member(a, "direction", direction) || !string_member(a, "kind", kind) ||
        !string_member(a, "type", type) || !a["shape"].is_array())
      return fail(where + " lacks name, direction, kind, type or shape");
    if (!string_member(a, "role", arg.role) || !string_member(a, "tensor", arg.tensor, arg.name) ||
        !string_member(a, "updates", arg.updates))
      return fail(where + " ('" + arg.name + "') has a role, tensor or updates that is not a string");
    if (direction != "input" && direction != "output")
      return fail(where + " ('" + arg.name + "') has direction '" + direction + "' (input or output)");
    if (kind != "buffer" && kind != "scalar")
      return fail(where + " ('" + arg.name + "') has kind '" + kind + "' (buffer or scalar)");
    arg.output = direction == "output";
    arg.buffer = kind == "buffer";
    if (!parse_type(type, arg.type)) return fail(where + " has an unknown type '" + type + "'");
    for (const Json &d : a["shape"]) {
      if (d.is_null()) arg.shape.push_back(-1);
      else if (d.is_number_integer() && d.get<std::int64_t>() > 0) arg.shape.push_back(d.get<std::int64_t>());
      else return fail(where + " ('" + arg.name + "') has a bad shape entry");
    }
    if (auto it = a.find("init"); it != a.end()) {
      ParamInit init;
      if (!it->is_object() || !it->contains("kind") || !(*it)["kind"].is_string())
        return fail(where + " ('" + arg.name + "') has an init without a kind");
      init.kind = (*it)["kind"].get<std::string>();
      if (auto v = it->find("values"); v != it->end()) {
        if (!v->is_array()) return fail(where + " ('" + arg.name + "') has init values that are not a list");
        for (const Json &x : *v) {
          if (!x.is_number()) return fail(where + " ('" + arg.name + "') has an init value that is not a number");
          // A float32 value: 1e39 would become inf, which JSON cannot hold.
          const double v = x.get<double>();
          if (!(std::fabs(v) <= double(std::numeric_limits<float>::max())))
            return fail(where + " ('" + arg.name + "') has an init value beyond float32: " + x.dump());
          init.values.push_back(float(v));
        }
      }
      arg.init = std::move(init);
    }
    m.arguments.push_back(std::move(arg));
  }
  for (const KernelArgument &a : m.arguments)
    if (!a.updates.empty()) {
      const KernelArgument *target = m.argument(a.updates);
      if (!a.output || !target || target->output || !target->buffer || target->shape != a.shape ||
          !(target->type == a.type))
        return fail("'" + a.name + "' updates '" + a.updates + "', which is not an input buffer of its type and shape");
    }
  if (auto it = root.find("quantizers"); it != root.end()) {
    if (!it->is_array()) return fail("\"quantizers\" is not a list");
    for (const Json &q : *it) {
      QuantizerInfo info;
      if (!q.is_object() || !string_member(q, "tensor", info.tensor) || !string_member(q, "kind", info.kind) ||
          !string_member(q, "gate", info.gate) || !q.contains("bits") || !q["bits"].is_number_integer() ||
          !q.contains("elements") || !q["elements"].is_number_integer())
        return fail("a quantizer lacks tensor, kind, bits or elements");
      info.bits = json_integer<int>(q["bits"], "a quantizer's bits");
      info.elements = json_integer<std::int64_t>(q["elements"], "a quantizer's elements");
      m.quantizers.push_back(std::move(info));
    }
  }
  if (auto it = root.find("externs"); it != root.end()) {
    if (!it->is_array()) return fail("\"externs\" is not a list");
    for (const Json &e : *it) {
      if (!e.is_string()) return fail("\"externs\" holds a value that is not a name");
      m.externs.push_back(e.get<std::string>());
    }
  }
  if (auto it = root.find("timed"); it != root.end()) {
    if (!it->is_boolean()) return fail("\"timed\" is not true or false");
    m.timed = it->get<bool>();
  }
  if (auto it = root.find("device"); it != root.end()) {
    if (!it->is_string() || (*it != "opencl" && *it != "cuda"))
      return fail("\"device\" is not \"opencl\" or \"cuda\"");
    m.device = it->get<std::string>();
  }
  out = std::move(m);
  return true;
}

} // namespace

bool parse_manifest(const std::string &text, const std::string &what, Manifest &out, std::string &error) {
  try {
    return read_manifest_json(text, what, out, error);
  } catch (const nlohmann::json::exception &e) { // a value of an unexpected type the checks missed
    error = what + ": " + json_problem(e);
    return false;
  }
}

std::string shape_text(const std::vector<std::int64_t> &shape, const std::string &dynamic) {
  std::string s = "[";
  for (std::size_t k = 0; k < shape.size(); ++k) s += (k ? ", " : "") + (shape[k] < 0 ? dynamic : std::to_string(shape[k]));
  return s + "]";
}

bool parse_type(const std::string &name, halide_type_t &out) {
  struct Entry {
    const char *name;
    halide_type_code_t code;
    int bits;
  };
  static const Entry entries[] = {{"float32", halide_type_float, 32}, {"float64", halide_type_float, 64},
                                  {"int8", halide_type_int, 8},       {"int16", halide_type_int, 16},
                                  {"int32", halide_type_int, 32},     {"int64", halide_type_int, 64},
                                  {"uint8", halide_type_uint, 8},     {"uint16", halide_type_uint, 16},
                                  {"uint32", halide_type_uint, 32},   {"uint64", halide_type_uint, 64}};
  for (const Entry &e : entries)
    if (name == e.name) {
      out = halide_type_t(e.code, uint8_t(e.bits));
      return true;
    }
  return false;
}

std::string type_name(const halide_type_t &t) {
  const char *base = t.code == halide_type_float ? "float" : t.code == halide_type_uint ? "uint" : "int";
  return base + std::to_string(t.bits) + (t.lanes > 1 ? "x" + std::to_string(t.lanes) : "");
}

} // namespace cpq::runtime
