//===- test_compressed_model.cpp - entropy-coded model files ----------------===//
//
// A compressed model round-trips exactly (codebooks, indices, pruned
// positions with gaps longer than any escape, plain tensors); its cost is
// counted as the paper counts it; a truncated, damaged or foreign file, or
// one whose coding metadata is broken, is refused with a message naming the
// file (and the tensor); the writer refuses what cannot be coded.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE compressed_model
#include <boost/test/unit_test.hpp>

#include "scratch.h"

#include "cpq/runtime/compressed_model.h"
#include "cpq/runtime/safetensors.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <tuple>

using namespace cpq::runtime;
namespace fs = std::filesystem;

namespace {

std::string scratch(const std::string &name) { return cpq::testing::scratch_path("compressed_model", name).string(); }

/// A model: one shared codebook of 7 centres, a dense parameter, a pruned
/// one with runs of pruned values longer than 511 (every escape), and a
/// plain tensor.
CompressedModel sample() {
  CompressedModel m;
  m.kernel_prefix = "/nonexistent/kernel";
  m.function = "net";
  m.codebooks.push_back({"all", {-0.5f, -0.1f, -0.01f, 0.0f, 0.02f, 0.2f, 0.7f}});
  std::mt19937 rng(5);
  std::geometric_distribution<std::uint32_t> skewed(0.4);
  CodedParameter dense;
  dense.name = "conv1_weight", dense.shape = {8, 1, 5, 5}, dense.codebook = "all";
  for (int i = 0; i < 200; ++i) dense.indices.push_back(std::min<std::uint32_t>(skewed(rng), 6));
  CodedParameter pruned;
  pruned.name = "fc_weight", pruned.shape = {10, 1152}, pruned.codebook = "all", pruned.dense = false;
  std::uniform_real_distribution<double> u(0, 1);
  for (std::uint32_t p = 0; p < 11520; ++p)
    if ((p < 3000 && u(rng) < 0.1) || (p > 6000 && p < 6100) || p == 11519) pruned.positions.push_back(p);
  for (std::size_t i = 0; i < pruned.positions.size(); ++i) pruned.indices.push_back(std::min<std::uint32_t>(skewed(rng), 6));
  m.coded = {dense, pruned};
  ModelFileTensor bias;
  bias.name = "fc_bias", bias.dtype = "F32", bias.shape = {10}, bias.elements = 10;
  std::vector<float> b(10);
  for (int i = 0; i < 10; ++i) b[std::size_t(i)] = 0.1f * float(i) - 0.3f;
  bias.bytes.resize(40);
  std::memcpy(bias.bytes.data(), b.data(), 40);
  m.plain = {bias};
  return m;
}

std::vector<char> bytes_of(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string &path, const std::vector<char> &b) {
  std::ofstream(path, std::ios::binary).write(b.data(), std::streamsize(b.size()));
}

void refused(const std::string &path, const std::string &expected) {
  CompressedModel back;
  std::string error;
  BOOST_TEST(!read_compressed_model(path, back, nullptr, error), path);
  BOOST_TEST(error.find(path) != std::string::npos, error);
  BOOST_TEST(error.find(expected) != std::string::npos, "'" << expected << "' not in: " << error);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_compressed_model_round_trips_exactly) {
  const CompressedModel m = sample();
  const std::string path = scratch("sample.cpqz");
  CompressionAccount written, read;
  std::string error;
  BOOST_TEST_REQUIRE(write_compressed_model(path, m, &written, error), error);
  CompressedModel back;
  BOOST_TEST_REQUIRE(read_compressed_model(path, back, &read, error), error);
  BOOST_TEST(back.function == "net");
  BOOST_TEST(resolve_kernel(path, back.kernel_prefix) == m.kernel_prefix);
  BOOST_TEST_REQUIRE(back.codebooks.size() == 1u);
  BOOST_TEST(back.codebooks[0].centres == m.codebooks[0].centres);
  BOOST_TEST_REQUIRE(back.coded.size() == 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    const CodedParameter &a = m.coded[i];
    const CodedParameter *b = nullptr;
    for (const CodedParameter &p : back.coded)
      if (p.name == a.name) b = &p;
    BOOST_TEST_REQUIRE(b != nullptr, a.name);
    BOOST_TEST(b->shape == a.shape);
    BOOST_TEST(b->dense == a.dense);
    BOOST_TEST(b->positions == a.positions);
    BOOST_TEST(b->indices == a.indices);
    BOOST_TEST(decode_values(back, *b) == decode_values(m, a));
  }
  BOOST_TEST_REQUIRE(back.plain.size() == 1u);
  BOOST_TEST(back.plain[0].bytes == m.plain[0].bytes);
  // The cost, counted from the file as when it was written.
  BOOST_TEST(read.total_bits() == written.total_bits());
  BOOST_TEST(read.parameters == 200 + 11520 + 10);
  BOOST_TEST(read.codebook_bits == 7 * 32);
  BOOST_TEST(read.plain_bits == 10 * 32);
  BOOST_TEST(read.kept == std::int64_t(200 + m.coded[1].indices.size()));
  BOOST_TEST(read.ratio() == 32.0 * double(read.parameters) / double(read.total_bits()));
  BOOST_TEST(read.ratio() > 20.0, "ratio " << read.ratio());
}

BOOST_AUTO_TEST_CASE(damaged_and_foreign_files_are_refused) {
  const std::string path = scratch("good.cpqz");
  std::string error;
  BOOST_TEST_REQUIRE(write_compressed_model(path, sample(), nullptr, error), error);
  const std::vector<char> good = bytes_of(path);
  // Truncated.
  const std::string cut = scratch("cut.cpqz");
  write_bytes(cut, std::vector<char>(good.begin(), good.begin() + long(good.size() - 37)));
  refused(cut, "truncated");
  // One byte of the coded data flipped: its checksum names the tensor.
  std::vector<char> flipped = good;
  flipped[flipped.size() - 60] ^= 0x10;
  const std::string bad = scratch("flipped.cpqz");
  write_bytes(bad, flipped);
  refused(bad, "does not match its checksum");
  // A safetensors file that is no compressed model.
  cpq::safetensors::File plain;
  plain.tensors.push_back(cpq::safetensors::make_f32("w", {2}, {1.0f, 2.0f}));
  const std::string foreign = scratch("foreign.cpqz");
  BOOST_TEST_REQUIRE(cpq::safetensors::write(foreign, plain, error), error);
  refused(foreign, "not a cpq compressed model");
  // Broken coding metadata.
  cpq::safetensors::File broken;
  BOOST_TEST_REQUIRE(cpq::safetensors::read(path, broken, error), error);
  broken.metadata["cpq.coding"] = "{\"codebooks\": ";
  const std::string json = scratch("json.cpqz");
  BOOST_TEST_REQUIRE(cpq::safetensors::write(json, broken, error), error);
  refused(json, "cpq.coding is not JSON");
  broken.metadata["cpq.coding"] = "{\"codebooks\": {}, \"parameters\": {}}";
  BOOST_TEST_REQUIRE(cpq::safetensors::write(json, broken, error), error);
  refused(json, "lacks codebooks, parameters or gap_escape");
  // Found by fuzz_model_file: a number beyond 64 bits in the coding JSON
  // (an out_of_range, not a parse error, escaped as an exception), and a
  // shape whose product overflows.
  BOOST_TEST_REQUIRE(cpq::safetensors::read(path, broken, error), error);
  const std::string coding = broken.metadata["cpq.coding"];
  broken.metadata["cpq.coding"] = coding.substr(0, coding.size() - 1) + ", \"x\": 1e999}";
  BOOST_TEST_REQUIRE(cpq::safetensors::write(json, broken, error), error);
  refused(json, "cpq.coding is not JSON");
  const std::size_t shape = coding.find("\"shape\":[");
  BOOST_TEST_REQUIRE(shape != std::string::npos, coding);
  broken.metadata["cpq.coding"] = coding.substr(0, shape) + "\"shape\":[4611686018427387904,4," + coding.substr(shape + 9);
  BOOST_TEST_REQUIRE(cpq::safetensors::write(json, broken, error), error);
  refused(json, "has a bad shape");
  // Found by fuzz_model_file: a float where an integer belongs (4.6e20 was
  // converted with an undefined cast), and integers beyond their field.
  const std::size_t kept = coding.find("\"kept\":");
  BOOST_TEST_REQUIRE(kept != std::string::npos, coding);
  const std::string before = coding.substr(0, shape), after_shape = coding.substr(shape + 9);
  const std::string before_kept = coding.substr(0, kept), after_kept = coding.substr(coding.find_first_of(",}", kept));
  for (const auto &[edited, message] : std::vector<std::pair<std::string, std::string>>{
           {before + "\"shape\":[4.61169e+20," + after_shape, "shape entry is not an integer: 4.61"},
           {before + "\"shape\":[2.5," + after_shape, "shape entry is not an integer: 2.5"},
           {before_kept + "\"kept\":-3" + after_kept, "kept is out of range: -3"},
           {before_kept + "\"kept\":1e300" + after_kept, "kept is not an integer: 1e+300"}}) {
    broken.metadata["cpq.coding"] = edited;
    BOOST_TEST_REQUIRE(cpq::safetensors::write(json, broken, error), error);
    refused(json, message);
  }
  fs::remove_all(fs::path(path).parent_path());
}

BOOST_AUTO_TEST_CASE(the_writer_refuses_what_cannot_be_coded) {
  std::string error;
  CompressedModel m = sample();
  m.coded[0].indices[3] = 7; // beyond the 7 centres
  BOOST_TEST(!write_compressed_model(scratch("x.cpqz"), m, nullptr, error));
  BOOST_TEST(error.find("index beyond its codebook") != std::string::npos, error);
  m = sample();
  std::swap(m.coded[1].positions[0], m.coded[1].positions[1]);
  BOOST_TEST(!write_compressed_model(scratch("x.cpqz"), m, nullptr, error));
  BOOST_TEST(error.find("out of order") != std::string::npos, error);
  m = sample();
  m.coded[0].codebook = "other";
  BOOST_TEST(!write_compressed_model(scratch("x.cpqz"), m, nullptr, error));
  BOOST_TEST(error.find("uses no codebook") != std::string::npos, error);
  m = sample();
  m.coded[1].indices.pop_back();
  BOOST_TEST(!write_compressed_model(scratch("x.cpqz"), m, nullptr, error));
  BOOST_TEST(error.find("indices for") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(scaled_parameters_decode_to_centre_times_scale) {
  // conv1_weight (8 slices of 25) scaled per slice, fc_weight by one value.
  CompressedModel m = sample();
  auto plain_f32 = [](const std::string &name, std::vector<float> v) {
    ModelFileTensor t;
    t.name = name, t.dtype = "F32", t.shape = {std::int64_t(v.size())}, t.elements = std::int64_t(v.size());
    t.bytes.resize(4 * v.size());
    std::memcpy(t.bytes.data(), v.data(), t.bytes.size());
    return t;
  };
  const std::vector<float> alpha = {0.5f, 0.25f, 1.5f, 3.0f, 0.1f, 0.3f, 0.7f, 2.0f};
  m.plain.push_back(plain_f32("conv1_alpha", alpha));
  m.plain.push_back(plain_f32("fc_alpha", {0.125f}));
  m.coded[0].scale = "conv1_alpha", m.coded[1].scale = "fc_alpha";
  const std::string path = scratch("scaled.cpqz");
  std::string error;
  BOOST_TEST_REQUIRE(write_compressed_model(path, m, nullptr, error), error);
  cpq::safetensors::File raw;
  BOOST_TEST_REQUIRE(cpq::safetensors::read(path, raw, error), error);
  BOOST_TEST(raw.metadata["cpq.format"] == "compressed-model 2");
  CompressedModel back;
  BOOST_TEST_REQUIRE(read_compressed_model(path, back, nullptr, error), error);
  for (const CodedParameter &a : m.coded) {
    const CodedParameter *b = nullptr;
    for (const CodedParameter &p : back.coded)
      if (p.name == a.name) b = &p;
    BOOST_TEST_REQUIRE(b != nullptr);
    BOOST_TEST(b->scale == a.scale);
    const std::vector<float> values = decode_values(back, *b);
    for (std::size_t i = 0, k = 0; i < values.size(); ++i) {
      const bool kept = a.dense || (k < a.positions.size() && a.positions[k] == i);
      const float centre = kept ? m.codebooks[0].centres[a.indices[a.dense ? i : k]] : 0.0f;
      const float scale = a.name == "conv1_weight" ? alpha[i / 25] : 0.125f;
      BOOST_TEST(values[i] == centre * scale, a.name << " value " << i);
      k += !a.dense && kept;
    }
  }
  // Unscaled models stay version 1.
  BOOST_TEST_REQUIRE(write_compressed_model(scratch("plain.cpqz"), sample(), nullptr, error), error);
  BOOST_TEST_REQUIRE(cpq::safetensors::read(scratch("plain.cpqz"), raw, error), error);
  BOOST_TEST(raw.metadata["cpq.format"] == "compressed-model 1");
  // A scale in a version-1 file, or a scale the file does not hold, is refused.
  BOOST_TEST_REQUIRE(cpq::safetensors::read(path, raw, error), error);
  raw.metadata["cpq.format"] = "compressed-model 1";
  const std::string old = scratch("old.cpqz");
  BOOST_TEST_REQUIRE(cpq::safetensors::write(old, raw, error), error);
  refused(old, "has a scale, which \"compressed-model 1\" files do not have");
  BOOST_TEST_REQUIRE(cpq::safetensors::read(path, raw, error), error);
  std::string coding = raw.metadata["cpq.coding"];
  coding.replace(coding.find("\"fc_alpha\""), 10, "\"no_alpha\"");
  raw.metadata["cpq.coding"] = coding;
  const std::string missing = scratch("missing.cpqz");
  BOOST_TEST_REQUIRE(cpq::safetensors::write(missing, raw, error), error);
  refused(missing, "scaled by 'no_alpha', which the model does not hold");
  // The writer checks the scale's size.
  m.plain.back() = plain_f32("fc_alpha", {0.1f, 0.2f});
  BOOST_TEST(!write_compressed_model(scratch("x.cpqz"), m, nullptr, error));
  BOOST_TEST(error.find("is not F32 of 1 or 10 values") != std::string::npos, error);
  fs::remove_all(fs::path(path).parent_path());
}

BOOST_AUTO_TEST_CASE(packed_parameters_decode_to_the_kernels_layout) {
  // A signed 2-bit weight [20, 37] (awkward for panels of 16 outputs and
  // blocks of 16 values), every fourth value pruned: its codes decode to
  // pack_weight's bytes of the same levels, pruned values at level 0, and
  // to its level sums; rows, panels, and on a 1-bit grid bit rows.
  for (auto [layout, kind, bits] : {std::tuple<const char *, cpq::GridKind, int>{"panels", cpq::GridKind::Signed, 2},
                                    {"rows", cpq::GridKind::Signed, 2},
                                    {"rows", cpq::GridKind::Symmetric, 2},
                                    {"bit_rows", cpq::GridKind::Unsigned, 1}}) {
    const cpq::GridSpec grid{kind, bits};
    CompressedModel m;
    m.kernel_prefix = "/nonexistent/kernel", m.function = "net";
    m.codebooks.push_back({"g", std::vector<float>(std::size_t(grid.num_points()), 0.0f)});
    CodedParameter p;
    p.name = "w_packed", p.shape = {20, 37}, p.codebook = "g", p.packing = layout, p.grid = grid, p.dense = false;
    p.level_sums = "w_level_sums";
    cpq::WeightLevels want;
    want.grid = grid, want.shape = p.shape, want.outputs = 20, want.k = 37;
    const int zero = grid.kind == cpq::GridKind::Symmetric ? 1 : 0; // rounding 0 on the grid
    std::mt19937 rng(9);
    for (std::uint32_t i = 0; i < 20 * 37; ++i) {
      if (i % 4 == 3) {
        want.levels.push_back(zero);
        continue;
      }
      const int code = int(rng() % std::uint32_t(grid.num_points()));
      p.positions.push_back(i), p.indices.push_back(std::uint32_t(code));
      want.levels.push_back(grid.level_of_code(code));
    }
    m.coded = {p};
    const std::string path = scratch(std::string("packed-") + layout + ".cpqz");
    std::string error;
    BOOST_TEST_REQUIRE(write_compressed_model(path, m, nullptr, error), error);
    CompressedModel back;
    BOOST_TEST_REQUIRE(read_compressed_model(path, back, nullptr, error), error);
    BOOST_TEST_REQUIRE(back.coded.size() == 1u);
    const CodedParameter &q = back.coded[0];
    BOOST_TEST(q.packing == layout);
    BOOST_TEST(q.grid.name() == grid.name());
    BOOST_TEST(q.level_sums == "w_level_sums");
    cpq::PackedWeight got;
    std::vector<std::int32_t> sums;
    BOOST_TEST_REQUIRE(decode_packed(q, got, sums, error), error);
    const cpq::PackedWeight expected = cpq::pack_weight(want, *cpq::weight_layout_named(layout));
    BOOST_TEST(got.bytes == expected.bytes, layout << " " << grid.name());
    BOOST_TEST(got.byte_shape == expected.byte_shape);
    BOOST_TEST(sums == cpq::level_sums(want));
  }
  // Refusals: a layout the grid cannot take, a codebook of the wrong size,
  // a packing in a version-1 file.
  CompressedModel m;
  m.kernel_prefix = "/nonexistent/kernel", m.function = "net";
  m.codebooks.push_back({"g", {0.0f, 1.0f, 2.0f, 3.0f}});
  CodedParameter p;
  p.name = "w", p.shape = {2, 3}, p.codebook = "g", p.packing = "bit_rows", p.grid = {cpq::GridKind::Signed, 2};
  p.indices = {0, 1, 2, 3, 0, 1};
  m.coded = {p};
  std::string error;
  BOOST_TEST(!write_compressed_model(scratch("x.cpqz"), m, nullptr, error));
  BOOST_TEST(error.find("'w'") != std::string::npos, error);
  m.coded[0].packing = "rows", m.codebooks[0].centres.pop_back(), m.coded[0].indices = {0, 1, 2, 0, 1, 2};
  BOOST_TEST(!write_compressed_model(scratch("x.cpqz"), m, nullptr, error));
  BOOST_TEST(error.find("packed on a signed2 grid but its codebook has 3 entries") != std::string::npos, error);
  m.codebooks[0].centres.push_back(3.0f);
  const std::string path = scratch("v1.cpqz");
  BOOST_TEST_REQUIRE(write_compressed_model(path, m, nullptr, error), error);
  cpq::safetensors::File raw;
  BOOST_TEST_REQUIRE(cpq::safetensors::read(path, raw, error), error);
  raw.metadata["cpq.format"] = "compressed-model 1";
  BOOST_TEST_REQUIRE(cpq::safetensors::write(path, raw, error), error);
  refused(path, "is packed, which \"compressed-model 1\" files do not have");
  fs::remove_all(fs::path(path).parent_path());
}
