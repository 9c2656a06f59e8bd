//===- fuzz_model_file.cpp - libFuzzer target: model files, no kernel ----===//
//
// The input is a whole model file: parsed as safetensors, then checked by
// cpq::runtime::check_model_file as Model::load checks it before it looks
// for the kernel (packed files: format, kernel reference, pin, every
// tensor's layout metadata, rows laid out as panels; compressed files: the
// codes, checksums and counts, packed codes decoded; for inputs of even
// length the target first makes the CRC-32s right). The coded parameters
// a check accepts are also decoded to values, as a load decodes them
// (bounded here to 2^22 values each; see the note at kMaxDecoded). A failure
// names the file.
//
//===----------------------------------------------------------------------===//
#include "cpq/runtime/model.h"
#include "cpq/runtime/safetensors.h"

#include "fuzz_check.h"

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace {
const std::string kPath = "/nonexistent/fuzz/model.safetensors";
/// Decoding allocates the parameter's declared element count before the
/// loader compares its shape with the kernel's; the fuzzer decodes only
/// parameters of up to this many values.
constexpr std::int64_t kMaxDecoded = std::int64_t(1) << 22;
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::vector<std::uint8_t> bytes(data, data + size);
  cpq::safetensors::File file;
  std::string error;
  if (!cpq::safetensors::parse(bytes, kPath, file, error)) return fuzz_note(error), 0; // fuzz_safetensors' business
  // Tensor bytes a mutation changed no longer match their CRC-32, and the
  // reader stops there: for inputs of even length the checksums are made
  // right first, so the Huffman decoders and counts behind them get fuzzed too.
  if (size % 2 == 0 && cpq::runtime::is_compressed_model(file.metadata))
    for (const cpq::safetensors::Tensor &t : file.tensors) {
      auto it = file.metadata.find(std::string(cpq::runtime::compressed_format::crc_prefix) + t.name);
      if (it == file.metadata.end()) continue;
      uLong crc = crc32(0L, Z_NULL, 0);
      crc = crc32(crc, t.data.data(), uInt(t.data.size()));
      char text[9];
      std::snprintf(text, sizeof text, "%08lx", static_cast<unsigned long>(crc & 0xffffffffu));
      it->second = text;
    }
  cpq::runtime::ModelFileCheck check;
  if (!cpq::runtime::check_model_file(kPath, file, {}, check, error)) {
    fuzz_note("refused: " + error);
    FUZZ_CHECK(names_source(error, kPath), error);
    return 0;
  }
  fuzz_note(std::string("accepted, ") + (check.compressed ? "compressed" : "packed"));
  FUZZ_CHECK(!check.kernel_prefix.empty(), "no kernel");
  if (!check.compressed) {
    FUZZ_CHECK(check.tensors.size() == file.tensors.size(), "tensors checked");
    return 0;
  }
  for (const cpq::runtime::CodedParameter &p : check.coded.coded) {
    const std::int64_t n = p.elements();
    FUZZ_CHECK(n >= 0 && p.indices.size() <= std::uint64_t(n), p.name + ": more kept values than elements");
    FUZZ_CHECK(p.dense ? p.indices.size() == std::uint64_t(n) : p.positions.size() == p.indices.size(),
               p.name + ": positions and indices disagree");
    for (std::size_t i = 1; i < p.positions.size(); ++i)
      FUZZ_CHECK(p.positions[i - 1] < p.positions[i], p.name + ": positions not ascending");
    if (!p.positions.empty()) FUZZ_CHECK(std::int64_t(p.positions.back()) < n, p.name + ": position out of range");
    if (p.packing.empty() && n <= kMaxDecoded) {
      const std::vector<float> values = cpq::runtime::decode_values(check.coded, p);
      FUZZ_CHECK(values.size() == std::size_t(n), p.name + ": decoded values");
    }
  }
  return 0;
}
