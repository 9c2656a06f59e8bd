//===- safetensors.cpp - parameter files in the safetensors format ----------===//
//
// This file implements the safetensors reader and writer: a small JSON
// parser for the header (objects, arrays, strings, integers; what the format
// uses), the checks of every tensor entry, and the atomic writer.
//
//===----------------------------------------------------------------------===//
#include "cpq/runtime/safetensors.h"
#include "cpq/runtime/atomic_file.h"

#include "json.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <unistd.h>
#include <utility>

namespace cpq::safetensors {

namespace {

using json::Json;
using json::JsonParser;

std::string quote(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(char(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(char(c));
    }
  }
  return out + "\"";
}

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
  if (!JsonParser(header, header + headerSize).parse(root, jsonError)) return fail(jsonError);
  if (root.kind != Json::Object) return fail("the header is not a JSON object");
  const std::uint64_t dataSize = bytes.size() - 8 - headerSize;
  const std::uint8_t *data = bytes.data() + 8 + headerSize;

  File file;
  struct Range {
    std::uint64_t begin, end;
    std::string name;
  };
  std::vector<Range> ranges;
  for (const auto &[name, entry] : root.members) {
    if (name == "__metadata__") {
      if (entry.kind != Json::Object) return fail("__metadata__ is not an object");
      for (const auto &[k, v] : entry.members) {
        if (v.kind != Json::String) return fail("__metadata__ value of \"" + k + "\" is not a string");
        file.metadata[k] = v.text;
      }
      continue;
    }
    const std::string where = "tensor \"" + name + "\"";
    if (entry.kind != Json::Object) return fail(where + " is not an object");
    const Json *dtype = entry.member("dtype"), *shape = entry.member("shape"), *offsets = entry.member("data_offsets");
    if (!dtype || dtype->kind != Json::String) return fail(where + " has no dtype string");
    const std::size_t elementSize = dtype_size(dtype->text);
    if (elementSize == 0) return fail(where + " has unknown dtype \"" + dtype->text + "\"");
    if (!shape || shape->kind != Json::Array) return fail(where + " has no shape array");
    Tensor t{name, dtype->text, {}, {}};
    std::uint64_t elements = 1;
    for (const Json &d : shape->items) {
      if (d.kind != Json::Number || !d.integral || d.integer < 0 || d.integer > (std::int64_t(1) << 40))
        return fail(where + " has a shape entry that is not a non-negative integer");
      t.shape.push_back(d.integer);
      elements *= std::uint64_t(d.integer);
      if (elements > (std::uint64_t(1) << 40)) return fail(where + " is impossibly large");
    }
    if (!offsets || offsets->kind != Json::Array || offsets->items.size() != 2 ||
        !std::all_of(offsets->items.begin(), offsets->items.end(),
                     [](const Json &v) { return v.kind == Json::Number && v.integral && v.integer >= 0; }))
      return fail(where + " has no data_offsets [begin, end]");
    const std::uint64_t b = std::uint64_t(offsets->items[0].integer), e = std::uint64_t(offsets->items[1].integer);
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
  std::unique_ptr<std::FILE, int (*)(std::FILE *)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::vector<std::uint8_t> bytes;
  std::uint8_t buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f.get())) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
  if (std::ferror(f.get())) {
    error = path + ": read error: " + std::strerror(errno);
    return false;
  }
  return parse(bytes, path, out, error);
}

bool write(const std::string &path, const File &file, std::string &error) {
  std::string header = "{";
  bool first = true;
  if (!file.metadata.empty()) {
    header += "\"__metadata__\":{";
    for (const auto &[k, v] : file.metadata) {
      header += (first ? "" : ",") + quote(k) + ":" + quote(v);
      first = false;
    }
    header += "}";
    first = false;
  }
  std::uint64_t offset = 0;
  for (const Tensor &t : file.tensors) {
    const std::size_t size = dtype_size(t.dtype);
    if (size == 0 || t.data.size() != std::uint64_t(t.elements()) * size) {
      error = path + ": tensor \"" + t.name + "\" has " + std::to_string(t.data.size()) +
              " bytes, which does not match its dtype and shape";
      return false;
    }
    header += (first ? "" : ",") + quote(t.name) + ":{\"dtype\":" + quote(t.dtype) + ",\"shape\":[";
    for (std::size_t k = 0; k < t.shape.size(); ++k) header += (k ? "," : "") + std::to_string(t.shape[k]);
    header += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(offset + t.data.size()) + "]}";
    offset += t.data.size();
    first = false;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' '); // data starts 8-byte aligned

  std::uint8_t length[8];
  for (int k = 0; k < 8; ++k) length[k] = std::uint8_t(std::uint64_t(header.size()) >> (8 * k));
  std::vector<std::pair<const void *, std::size_t>> pieces = {{length, 8}, {header.data(), header.size()}};
  for (const Tensor &t : file.tensors) pieces.emplace_back(t.data.data(), t.data.size());
  return runtime::write_atomically(path, pieces, error);
}

} // namespace cpq::safetensors
