//===- fuzz_safetensors.cpp - libFuzzer target: the safetensors reader ----===//
//
// The input is a whole file for cpq::safetensors::parse (what read() does
// after reading the file). A failure names the source; a success holds
// tensors of known dtypes whose bytes are exactly their shape times their
// dtype, in the order of their data, with products of dimensions that
// callers can take in int64 (Tensor::elements).
//
//===----------------------------------------------------------------------===//
#include "cpq/runtime/safetensors.h"

#include "fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::vector<std::uint8_t> bytes(data, data + size);
  cpq::safetensors::File file;
  std::string error;
  if (!cpq::safetensors::parse(bytes, "input", file, error)) {
    FUZZ_CHECK(names_source(error, "input"), error);
    return 0;
  }
  std::set<std::string> names;
  std::size_t total = 0;
  for (const cpq::safetensors::Tensor &t : file.tensors) {
    FUZZ_CHECK(names.insert(t.name).second, "tensor \"" + t.name + "\" twice");
    FUZZ_CHECK(t.name != "__metadata__", "a tensor named __metadata__");
    const std::size_t element = cpq::safetensors::dtype_size(t.dtype);
    FUZZ_CHECK(element != 0, "dtype " + t.dtype);
    for (std::int64_t d : t.shape) FUZZ_CHECK(d >= 0, "negative dimension");
    const std::int64_t n = t.elements(); // as every caller computes it
    FUZZ_CHECK(n >= 0 && std::uint64_t(n) * element == t.data.size(),
               "tensor \"" + t.name + "\": " + std::to_string(t.data.size()) + " bytes for " + std::to_string(n) +
                   " elements of " + t.dtype);
    if (t.dtype == "F32") FUZZ_CHECK(t.as_f32().size() == std::size_t(n), "as_f32");
    FUZZ_CHECK(file.find(t.name) == &t, "find");
    total += t.data.size();
  }
  FUZZ_CHECK(total <= size, "more tensor bytes than input bytes");
  return 0;
}
