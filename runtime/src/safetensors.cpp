//===- safetensors.cpp - parameter files in the safetensors format ----------===//
//
// This file implements the safetensors reader and writer: the header is read
// and written with nlohmann-json (duplicate keys and deep nesting refused),
// every tensor entry is checked, and files are written atomically.
//
//===----------------------------------------------------------------------===//
#include "cpq/runtime/safetensors.h"

#include "file_bytes.h"
#include "cpq/runtime/atomic_file.h"

#include "json_message.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <set>
#include <unistd.h>
#include <utility>

namespace cpq::safetensors {

namespace {

using Json = nlohmann::json;

/// Parses a header; refuses what nlohmann-json would accept but a header
/// must not hold: a key twice in one object (the library keeps the last),
/// and nesting deeper than the format needs.
bool parse_header(const char *begin, const char *end, Json &out, std::string &problem) {
  constexpr int kMaxDepth = 16;
  std::vector<std::set<std::string>> keys; // of the objects being read
  std::string duplicate;
  bool too_deep = false;
  auto check = [&](int depth, Json::parse_event_t event, Json &parsed) {
    if (depth > kMaxDepth) too_deep = true;
    if (event == Json::parse_event_t::object_start) keys.emplace_back();
    if (event == Json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    if (event == Json::parse_event_t::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second &&
        duplicate.empty())
      duplicate = parsed.get<std::string>();
    return true;
  };
  try {
    out = Json::parse(begin, end, check);
  } catch (const Json::parse_error &e) {
    problem = runtime::json_parse_message(e, "JSON header");
    return false;
  } catch (const Json::exception &e) { // a number beyond double ("1e400"): out_of_range
    problem = "invalid JSON header: " + runtime::json_problem(e);
    return false;
  }
  if (too_deep) return problem = "invalid JSON header: nested more than " + std::to_string(kMaxDepth) + " deep", false;
  if (!duplicate.empty()) return problem = "invalid JSON header: key \"" + duplicate + "\" appears twice in an object", false;
  return true;
}

bool non_negative(const Json &v) { return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0); }

} // namespace

std::size_t dtype_size(const std::string &dtype) {
  static const std::pair<const char *, std::size_t> sizes[] = {
      {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8}, {"I32", 4}, {"I16", 2},
      {"I8", 1},  {"U64", 8}, {"U32", 4}, {"U16", 2},  {"U8", 1},   {"BOOL", 1}};
  for (const auto &[name, size] : sizes)
    if (dtype == name) return size;
  return 0;
}

std::int64_t Tensor::elements() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

std::vector<float> Tensor::as_f32() const {
  std::vector<float> values(data.size() / sizeof(float));
  if (!values.empty()) std::memcpy(values.data(), data.data(), values.size() * sizeof(float));
  return values;
}

const Tensor *File::find(const std::string &name) const {
  for (const Tensor &t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

Tensor make_f32(std::string name, std::vector<std::int64_t> shape, const std::vector<float> &values) {
  Tensor t{std::move(name), "F32", std::move(shape), {}};
  t.data.resize(values.size() * sizeof(float));
  if (!values.empty()) std::memcpy(t.data.data(), values.data(), t.data.size());
  return t;
}

bool parse(const std::vector<std::uint8_t> &bytes, const std::string &what, File &out, std::string &error) {
  auto fail = [&](const std::string &problem) {
    error = what + ": " + problem;
    return false;
  };
  if (bytes.size() < 8)
    return fail("only " + std::to_string(bytes.size()) + " bytes; a safetensors file starts with an 8-byte header length");
  std::uint64_t headerSize = 0;
  for (int k = 7; k >= 0; --k) headerSize = (headerSize << 8) | bytes[k];
  if (headerSize > bytes.size() - 8)
    return fail("header length " + std::to_string(headerSize) + " runs past the end of the file (" +
                std::to_string(bytes.size()) + " bytes): truncated or not a safetensors file");
  const char *header = reinterpret_cast<const char *>(bytes.data() + 8);
  Json root;
  std::string jsonError;
  if (!parse_header(header, header + headerSize, root, jsonError)) return fail(jsonError);
  if (!root.is_object()) return fail("the header is not a JSON object");
  const std::uint64_t dataSize = bytes.size() - 8 - headerSize;
  const std::uint8_t *data = bytes.data() + 8 + headerSize;

  File file;
  struct Range {
    std::uint64_t begin, end;
    std::string name;
  };
  std::vector<Range> ranges;
  for (const auto &[name, entry] : root.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) return fail("__metadata__ is not an object");
      for (const auto &[k, v] : entry.items()) {
        if (!v.is_string()) return fail("__metadata__ value of \"" + k + "\" is not a string");
        file.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    const std::string where = "tensor \"" + name + "\"";
    if (!entry.is_object()) return fail(where + " is not an object");
    const auto dtype = entry.find("dtype"), shape = entry.find("shape"), offsets = entry.find("data_offsets");
    if (dtype == entry.end() || !dtype->is_string()) return fail(where + " has no dtype string");
    const std::string dtype_name = dtype->get<std::string>();
    const std::size_t elementSize = dtype_size(dtype_name);
    if (elementSize == 0) return fail(where + " has unknown dtype \"" + dtype_name + "\"");
    if (shape == entry.end() || !shape->is_array()) return fail(where + " has no shape array");
    Tensor t{name, dtype_name, {}, {}};
    // At most 2^40 elements, counting only the non-zero sizes: then every
    // product of the sizes, in any order (Tensor::elements), fits int64.
    constexpr std::uint64_t kMaxElements = std::uint64_t(1) << 40;
    std::uint64_t elements = 1, nonzero = 1;
    for (const Json &d : *shape) {
      if (!non_negative(d) || d.get<std::uint64_t>() > kMaxElements)
        return fail(where + " has a shape entry that is not a non-negative integer");
      const std::uint64_t size = d.get<std::uint64_t>();
      t.shape.push_back(std::int64_t(size));
      if (size != 0 && nonzero > kMaxElements / size) return fail(where + " is impossibly large");
      nonzero *= size != 0 ? size : 1;
      elements *= size;
    }
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
        !std::all_of(offsets->begin(), offsets->end(), non_negative))
      return fail(where + " has no data_offsets [begin, end]");
    const std::uint64_t b = (*offsets)[0].get<std::uint64_t>(), e = (*offsets)[1].get<std::uint64_t>();
    if (b > e || e > dataSize)
      return fail(where + " data [" + std::to_string(b) + ", " + std::to_string(e) + ") lies outside the " +
                  std::to_string(dataSize) + " data bytes: truncated?");
    if (e - b != elements * elementSize)
      return fail(where + " has " + std::to_string(e - b) + " data bytes but its shape and dtype need " +
                  std::to_string(elements * elementSize));
    t.data.assign(data + b, data + e);
    ranges.push_back({b, e, name});
    file.tensors.push_back(std::move(t));
  }
  std::vector<std::size_t> order(ranges.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ranges[a].begin < ranges[b].begin; });
  for (std::size_t k = 1; k < order.size(); ++k)
    if (ranges[order[k]].begin < ranges[order[k - 1]].end)
      return fail("the data of tensors \"" + ranges[order[k - 1]].name + "\" and \"" + ranges[order[k]].name +
                  "\" overlap");
  std::vector<Tensor> sorted;
  for (std::size_t i : order) sorted.push_back(std::move(file.tensors[i]));
  file.tensors = std::move(sorted);
  out = std::move(file);
  return true;
}

bool read(const std::string &path, File &out, std::string &error) {
  std::vector<std::uint8_t> bytes;
  return runtime::read_file_bytes(path, bytes, error) && parse(bytes, path, out, error);
}

bool write(const std::string &path, const File &file, std::string &error) {
  // Compact JSON in the order of the file: metadata, then the tensors.
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  if (!file.metadata.empty()) root["__metadata__"] = file.metadata;
  std::uint64_t offset = 0;
  for (const Tensor &t : file.tensors) {
    const std::size_t size = dtype_size(t.dtype);
    if (size == 0 || t.data.size() != std::uint64_t(t.elements()) * size) {
      error = path + ": tensor \"" + t.name + "\" has " + std::to_string(t.data.size()) +
              " bytes, which does not match its dtype and shape";
      return false;
    }
    if (t.name == "__metadata__" || root.contains(t.name)) {
      error = path + ": not written: two tensors are named \"" + t.name + "\" (or a tensor is named __metadata__)";
      return false;
    }
    root[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.data.size()}}};
    offset += t.data.size();
  }
  std::string header;
  try {
    header = root.dump(); // strict: names and metadata must be UTF-8
  } catch (const nlohmann::json::type_error &e) {
    error = path + ": not written: " + runtime::json_problem(e);
    return false;
  }
  header.append((8 - header.size() % 8) % 8, ' '); // data starts 8-byte aligned

  std::uint8_t length[8];
  for (int k = 0; k < 8; ++k) length[k] = std::uint8_t(std::uint64_t(header.size()) >> (8 * k));
  std::vector<std::pair<const void *, std::size_t>> pieces = {{length, 8}, {header.data(), header.size()}};
  for (const Tensor &t : file.tensors) pieces.emplace_back(t.data.data(), t.data.size());
  return runtime::write_atomically(path, pieces, error);
}

} // namespace cpq::safetensors
