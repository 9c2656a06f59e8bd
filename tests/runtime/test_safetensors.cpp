//===- test_safetensors.cpp - the safetensors reader and writer -------------===//
//
// Round trips, the exact bytes of a small file (as the format specifies
// them), and every kind of damage: each gives a message naming the file and
// the problem, never a crash.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE safetensors
#include <boost/test/unit_test.hpp>

#include "scratch.h"

#include "cpq/runtime/atomic_file.h"
#include "cpq/runtime/safetensors.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace cpq;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string &name) { return cpq::testing::scratch_path("safetensors", name); }

std::vector<std::uint8_t> bytes_of(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::uint8_t> with_header(const std::string &json, std::size_t data_bytes) {
  std::vector<std::uint8_t> b(8 + json.size() + data_bytes, 0);
  for (int k = 0; k < 8; ++k) b[k] = std::uint8_t(std::uint64_t(json.size()) >> (8 * k));
  std::copy(json.begin(), json.end(), b.begin() + 8);
  return b;
}

safetensors::File sample() {
  safetensors::File f;
  f.metadata["step"] = "1200";
  f.metadata["note"] = "quote \" and backslash \\";
  f.tensors.push_back(safetensors::make_f32("conv1.weight", {2, 1, 3}, {1, -2, 3.5f, 0, 1e-7f, -0.0f}));
  f.tensors.push_back(safetensors::make_f32("scalar", {}, {42.0f}));
  f.tensors.push_back(safetensors::make_f32("empty", {0, 4}, {}));
  safetensors::Tensor packed{"packed", "U8", {3}, {0x12, 0xff, 0x00}};
  f.tensors.push_back(packed);
  return f;
}

} // namespace

BOOST_AUTO_TEST_CASE(round_trip_keeps_names_shapes_bytes_and_metadata) {
  const fs::path p = scratch("round.safetensors");
  std::string error;
  BOOST_TEST_REQUIRE(safetensors::write(p.string(), sample(), error), error);
  safetensors::File back;
  BOOST_TEST_REQUIRE(safetensors::read(p.string(), back, error), error);
  BOOST_TEST(back.metadata == sample().metadata);
  BOOST_TEST_REQUIRE(back.tensors.size() == 4u);
  for (const safetensors::Tensor &want : sample().tensors) {
    const safetensors::Tensor *got = back.find(want.name);
    BOOST_TEST_REQUIRE(got != nullptr, want.name);
    BOOST_TEST(got->dtype == want.dtype);
    BOOST_TEST(got->shape == want.shape);
    BOOST_TEST(got->data == want.data);
  }
  BOOST_TEST(back.find("conv1.weight")->as_f32()[2] == 3.5f);
  // Data starts 8-byte aligned, and no temporary file is left behind.
  const auto bytes = bytes_of(p);
  BOOST_TEST((bytes[0] | bytes[1] << 8) % 8 == 0);
  std::size_t files = 0;
  for (auto &e : fs::directory_iterator(p.parent_path())) files += e.path().filename().string().rfind("round", 0) == 0;
  BOOST_TEST(files == 1u);
}

BOOST_AUTO_TEST_CASE(reads_a_file_laid_out_by_hand) {
  // Exactly the format's bytes, keys in an unusual order, escapes in a name.
  const std::string json = R"({"b\u0041":{"data_offsets":[0,8],"shape":[2],"dtype":"F32"},)"
                           R"("__metadata__":{"format":"pt"}})";
  auto bytes = with_header(json, 0);
  const float v[2] = {1.5f, -2.0f};
  const auto *raw = reinterpret_cast<const std::uint8_t *>(v);
  bytes.insert(bytes.end(), raw, raw + 8);
  safetensors::File f;
  std::string error;
  BOOST_TEST_REQUIRE(safetensors::parse(bytes, "mem", f, error), error);
  BOOST_TEST_REQUIRE(f.find("bA") != nullptr);
  BOOST_TEST(f.find("bA")->as_f32() == std::vector<float>({1.5f, -2.0f}));
  BOOST_TEST(f.metadata.at("format") == "pt");
}

BOOST_AUTO_TEST_CASE(every_truncation_is_an_error_naming_the_file) {
  const fs::path p = scratch("whole.safetensors");
  std::string error;
  BOOST_TEST_REQUIRE(safetensors::write(p.string(), sample(), error), error);
  const auto bytes = bytes_of(p);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + std::ptrdiff_t(n));
    safetensors::File f;
    BOOST_TEST(!safetensors::parse(cut, "cut.safetensors", f, error), "accepted a file cut at " << n);
    BOOST_TEST(error.rfind("cut.safetensors: ", 0) == 0, error);
  }
}

BOOST_AUTO_TEST_CASE(damaged_headers_give_precise_errors) {
  struct Case {
    std::string json;
    std::size_t data;
    std::string expect;
  };
  const Case cases[] = {
      {"{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8, "invalid JSON header"},
      {"[1, 2]", 0, "not a JSON object"},
      {R"({"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}})", 8, "unknown dtype \"F33\""},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 8, "has 4 data bytes but its shape and dtype need 8"},
      {R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8, "shape entry that is not a non-negative integer"},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", 8, "lies outside the 8 data bytes"},
      {R"({"w":{"dtype":"F32","shape":[2]}})", 8, "has no data_offsets"},
      {R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}})",
       8, "overlap"},
      {R"({"__metadata__":{"a":1}})", 0, "__metadata__ value of \"a\" is not a string"},
  };
  for (const Case &c : cases) {
    safetensors::File f;
    std::string error;
    BOOST_TEST(!safetensors::parse(with_header(c.json, c.data), "bad.safetensors", f, error), c.json);
    BOOST_TEST(error.find(c.expect) != std::string::npos, error << " (expected: " << c.expect << ")");
  }
  std::vector<std::uint8_t> huge = with_header("{}", 0);
  huge[6] = 1; // header length 2^48
  safetensors::File f;
  std::string error;
  BOOST_TEST(!safetensors::parse(huge, "huge.safetensors", f, error));
  BOOST_TEST(error.find("runs past the end of the file") != std::string::npos, error);
}

// Inputs tests/fuzz found (corpus/fuzz_safetensors/crash-*): a number
// beyond double in the header was an uncaught exception, and a shape whose
// product wraps around 2^64 (to 0 or to the data's size) was accepted, and
// Tensor::elements() then overflowed.
BOOST_AUTO_TEST_CASE(numbers_and_shapes_beyond_range_are_errors) {
  struct Case {
    std::string json;
    std::size_t data;
    std::string expect;
  };
  const Case cases[] = {
      {R"({"__metadata__":{"a":"b"},"x":1e400})", 0, "invalid JSON header: number overflow"},
      {R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", 0, "impossibly large"},
      {R"({"w":{"dtype":"U8","shape":[8589934592,8589934592],"data_offsets":[0,4]}})", 4, "impossibly large"},
      {R"({"w":{"dtype":"U8","shape":[1099511627776,2,0],"data_offsets":[0,0]}})", 0, "impossibly large"},
  };
  for (const Case &c : cases) {
    safetensors::File f;
    std::string error;
    BOOST_TEST(!safetensors::parse(with_header(c.json, c.data), "bad.safetensors", f, error), c.json);
    BOOST_TEST(error.find(c.expect) != std::string::npos, error << " (expected: " << c.expect << ")");
  }
  // Zero-sized tensors with large other sizes stay readable while their
  // non-zero sizes multiply to at most 2^40.
  safetensors::File f;
  std::string error;
  BOOST_TEST_REQUIRE(safetensors::parse(with_header(R"({"w":{"dtype":"F32","shape":[1099511627776,0,1],"data_offsets":[0,0]}})", 0),
                                        "zero.safetensors", f, error),
                     error);
  BOOST_TEST(f.tensors.at(0).elements() == 0);
}

BOOST_AUTO_TEST_CASE(missing_files_and_unwritable_places_are_errors) {
  safetensors::File f;
  std::string error;
  BOOST_TEST(!safetensors::read("/nonexistent/params.safetensors", f, error));
  BOOST_TEST(error.find("/nonexistent/params.safetensors: cannot open") != std::string::npos, error);
  BOOST_TEST(!safetensors::write("/nonexistent/dir/out.safetensors", sample(), error));
  BOOST_TEST(error.find("cannot create") != std::string::npos, error);
  safetensors::File bad;
  bad.tensors.push_back({"w", "F32", {3}, {1, 2, 3}});
  BOOST_TEST(!safetensors::write(scratch("bad.safetensors").string(), bad, error));
  BOOST_TEST(error.find("does not match its dtype and shape") != std::string::npos, error);
  BOOST_TEST(!fs::exists(scratch("bad.safetensors")));
}

BOOST_AUTO_TEST_CASE(text_files_are_written_whole_or_not_at_all) {
  std::string error;
  const fs::path path = scratch("log.csv");
  BOOST_TEST(cpq::runtime::write_atomically(path.string(), "a,b\n1,2\n", error), error);
  BOOST_TEST(cpq::runtime::write_atomically(path.string(), "a,b\n3,4\n", error), error); // replaces
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(text == "a,b\n3,4\n");
  BOOST_TEST(!cpq::runtime::write_atomically("/nonexistent/dir/log.csv", "x", error));
  BOOST_TEST(error.find("/nonexistent/dir/log.csv: cannot create") != std::string::npos, error);
  for (const auto &entry : fs::directory_iterator(path.parent_path()))
    BOOST_TEST(entry.path().string().find(".tmp.") == std::string::npos, entry.path());
}
