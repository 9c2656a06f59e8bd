//===- fuzz_manifest.cpp - libFuzzer target: the kernel manifest reader ----===//
//
// The input is a manifest's JSON text for cpq::runtime::parse_manifest. A
// failure names the source; a manifest it accepts is written back
// (manifest_json, as cpq-compile writes them) and must read back to the
// same text: nothing accepted is lost or changed by a round trip.
//
//===----------------------------------------------------------------------===//
#include "cpq/runtime/manifest.h"

#include "fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string text(reinterpret_cast<const char *>(data), size);
  cpq::runtime::Manifest m;
  std::string error;
  if (!cpq::runtime::parse_manifest(text, "input", m, error)) {
    fuzz_note("refused: " + error);
    FUZZ_CHECK(names_source(error, "input"), error);
    return 0;
  }
  fuzz_note("accepted");
  for (const cpq::runtime::KernelArgument &a : m.arguments) {
    FUZZ_CHECK(m.argument(a.name) != nullptr, "argument lookup");
    for (std::int64_t d : a.shape) FUZZ_CHECK(d == -1 || d > 0, "shape entry " + std::to_string(d));
    cpq::runtime::shape_text(a.shape);
    halide_type_t t;
    FUZZ_CHECK(cpq::runtime::parse_type(cpq::runtime::type_name(a.type), t) && t == a.type, "type round trip");
  }
  const std::string once = cpq::runtime::manifest_json(m);
  cpq::runtime::Manifest again;
  FUZZ_CHECK(cpq::runtime::parse_manifest(once, "written", again, error), "written manifest does not read: " + error +
                                                                              "\n" + once);
  const std::string twice = cpq::runtime::manifest_json(again);
  FUZZ_CHECK(twice == once, "round trip changed the manifest:\n" + once + "\n" + twice);
  return 0;
}
