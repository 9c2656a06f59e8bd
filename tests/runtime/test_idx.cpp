//===- test_idx.cpp - the IDX reader ----------------------------------------===//
//
// Plain and gzip files read back exactly; every kind of damage (missing
// file, bad gzip stream, wrong magic, other element types, truncation of
// the header and of the body, trailing bytes, images and labels that
// disagree) is a message naming the file; and, where Debian's
// dataset-fashion-mnist is installed, Fashion-MNIST reads as the data set it
// is (60,000 + 10,000 images of 28 x 28, 10 balanced classes).
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE idx
#include <boost/test/unit_test.hpp>

#include "scratch.h"

#include "cpq/runtime/idx.h"

#include <zlib.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace cpq;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string &name) { return cpq::testing::scratch_path("idx", name); }

std::vector<std::uint8_t> idx_bytes(unsigned type, const std::vector<std::uint32_t> &dims,
                                    const std::vector<std::uint8_t> &data) {
  std::vector<std::uint8_t> b = {0, 0, std::uint8_t(type), std::uint8_t(dims.size())};
  for (std::uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(std::uint8_t(d >> s));
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

fs::path write_plain(const std::string &name, const std::vector<std::uint8_t> &b) {
  const fs::path p = scratch(name);
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char *>(b.data()), std::streamsize(b.size()));
  return p;
}

fs::path write_gz(const std::string &name, const std::vector<std::uint8_t> &b) {
  const fs::path p = scratch(name);
  gzFile f = gzopen(p.c_str(), "wb");
  BOOST_REQUIRE(f);
  BOOST_REQUIRE(gzwrite(f, b.data(), unsigned(b.size())) == int(b.size()));
  gzclose(f);
  return p;
}

std::vector<std::uint8_t> ramp(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t k = 0; k < n; ++k) v[k] = std::uint8_t(k * 7 + 3);
  return v;
}

/// Reading `p` fails with a message naming it and containing `what`.
void fails_with(const fs::path &p, const std::string &what) {
  idx::Array a;
  std::string error;
  BOOST_TEST(!idx::read(p.string(), a, error), p);
  BOOST_TEST(error.find(p.string()) == 0, error);
  BOOST_TEST(error.find(what) != std::string::npos, "'" << error << "' should say '" << what << "'");
  BOOST_TEST(a.data.empty());
}

} // namespace

BOOST_AUTO_TEST_CASE(plain_and_gzip_files_read_back_exactly) {
  const std::vector<std::uint8_t> data = ramp(3 * 5 * 7);
  const auto bytes = idx_bytes(0x08, {3, 5, 7}, data);
  for (const fs::path &p : {write_plain("a.idx", bytes), write_gz("a.idx.gz", bytes)}) {
    idx::Array a;
    std::string error;
    BOOST_TEST_REQUIRE(idx::read(p.string(), a, error), error);
    BOOST_TEST(a.dims == (std::vector<std::int64_t>{3, 5, 7}));
    BOOST_TEST(a.data == data);
  }
}

BOOST_AUTO_TEST_CASE(damaged_files_name_the_file_and_the_problem) {
  const auto good = idx_bytes(0x08, {4, 6}, ramp(24));
  fails_with(scratch("missing.idx"), "cannot open");
  fails_with(write_plain("empty.idx", {}), "truncated: 0 of the 4 bytes");
  auto bad_magic = good;
  bad_magic[1] = 3;
  fails_with(write_plain("magic.idx", bad_magic), "not an IDX file");
  fails_with(write_plain("type.idx", idx_bytes(0x07, {4}, ramp(4))), "unknown element type code 7");
  fails_with(write_plain("float.idx", idx_bytes(0x0D, {4}, ramp(16))), "elements are float32");
  fails_with(write_plain("rank.idx", idx_bytes(0x08, {1, 1, 1, 1, 1}, ramp(1))), "number of dimensions 5");
  fails_with(write_plain("zero.idx", idx_bytes(0x08, {4, 0}, {})), "dimension 1 has size 0");
  // Every truncation of the header and of the body, plain and compressed.
  for (std::size_t cut = 4; cut < good.size(); ++cut) {
    const std::vector<std::uint8_t> part(good.begin(), good.begin() + std::ptrdiff_t(cut));
    const std::string what = cut < 12 ? "truncated header" : "truncated: " + std::to_string(cut - 12) + " of 24";
    fails_with(write_plain("cut.idx", part), what);
    fails_with(write_gz("cut.idx.gz", part), what);
  }
  auto longer = good;
  longer.push_back(0);
  fails_with(write_plain("long.idx", longer), "bytes after the 24 elements");
  // A compressed file cut short, and one with a damaged body.
  const fs::path gz = write_gz("whole.idx.gz", idx_bytes(0x08, {64, 64}, ramp(64 * 64)));
  std::ifstream in(gz, std::ios::binary);
  std::vector<std::uint8_t> z((std::istreambuf_iterator<char>(in)), {});
  fails_with(write_plain("short.idx.gz", std::vector<std::uint8_t>(z.begin(), z.begin() + std::ptrdiff_t(z.size() / 2))),
             "");
  auto flipped = z;
  for (std::size_t k = 20; k < flipped.size() - 10; k += 7) flipped[k] ^= 0x5A;
  fails_with(write_plain("flipped.idx.gz", flipped), "");
}

BOOST_AUTO_TEST_CASE(bytes_in_memory_parse_as_files_read) {
  const auto plain = idx_bytes(0x08, {2, 3}, ramp(6));
  std::vector<std::uint8_t> z;
  {
    const fs::path p = write_gz("mem.idx.gz", plain);
    std::ifstream in(p, std::ios::binary);
    z.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (const auto &bytes : {plain, z}) {
    idx::Array a;
    std::string error;
    BOOST_TEST_REQUIRE(idx::parse(bytes, "mem", a, error), error);
    BOOST_TEST(a.dims == (std::vector<std::int64_t>{2, 3}));
    BOOST_TEST(a.data == ramp(6));
  }
  // As gzread: members one after another read as one stream; bytes after
  // the last member that start no other are ignored.
  const fs::path first = write_gz("m1.gz", std::vector<std::uint8_t>(plain.begin(), plain.begin() + 9));
  const fs::path second = write_gz("m2.gz", std::vector<std::uint8_t>(plain.begin() + 9, plain.end()));
  std::vector<std::uint8_t> two;
  for (const fs::path &p : {first, second}) {
    std::ifstream in(p, std::ios::binary);
    two.insert(two.end(), std::istreambuf_iterator<char>(in), {});
  }
  idx::Array a;
  std::string error;
  BOOST_TEST_REQUIRE(idx::parse(two, "two", a, error), error);
  BOOST_TEST(a.data == ramp(6));
  two.push_back('x');
  BOOST_TEST_REQUIRE(idx::parse(two, "two", a, error), error);
  auto cut = z;
  cut.resize(cut.size() - 4); // no gzip trailer
  BOOST_TEST(!idx::parse(cut, "cut", a, error));
  BOOST_TEST(error.find("cut: bad gzip data") == 0, error);
}

// A header may announce far more than the file holds: the reader's memory
// follows the bytes there (it used to allocate what the header announced,
// 2^40 bytes here, before reading any).
BOOST_AUTO_TEST_CASE(a_header_announcing_a_terabyte_reads_as_truncated) {
  for (const auto &bytes : {idx_bytes(0x08, {1u << 16, 1u << 16, 1u << 8}, ramp(10)),
                            idx_bytes(0x08, {1u << 20, 1u << 20}, ramp(3))}) {
    idx::Array a;
    std::string error;
    BOOST_TEST(!idx::parse(bytes, "big", a, error));
    BOOST_TEST(error.find("big: truncated: ") == 0, error);
    BOOST_TEST(a.data.empty());
  }
}

BOOST_AUTO_TEST_CASE(images_and_labels_must_agree) {
  const fs::path images = write_plain("img.idx", idx_bytes(0x08, {3, 2, 2}, ramp(12)));
  const fs::path labels = write_plain("lab.idx", idx_bytes(0x08, {3}, {0, 9, 4}));
  idx::LabelledImages d;
  std::string error;
  BOOST_TEST_REQUIRE(idx::read_labelled(images.string(), labels.string(), 10, d, error), error);
  BOOST_TEST(d.count == 3);
  BOOST_TEST(d.rows == 2);
  BOOST_TEST(d.cols == 2);
  BOOST_TEST(d.labels == (std::vector<std::uint8_t>{0, 9, 4}));

  const fs::path two = write_plain("two.idx", idx_bytes(0x08, {2}, {0, 1}));
  BOOST_TEST(!idx::read_labelled(images.string(), two.string(), 10, d, error));
  BOOST_TEST(error.find("2 labels for the 3 images") != std::string::npos, error);
  const fs::path big = write_plain("big.idx", idx_bytes(0x08, {3}, {0, 10, 1}));
  BOOST_TEST(!idx::read_labelled(images.string(), big.string(), 10, d, error));
  BOOST_TEST(error.find("label 10 of image 1 is not below the 10 classes") != std::string::npos, error);
  BOOST_TEST(!idx::read_labelled(labels.string(), labels.string(), 10, d, error));
  BOOST_TEST(error.find("expected images [count, rows, cols]") != std::string::npos, error);
  BOOST_TEST(!idx::read_labelled(images.string(), images.string(), 10, d, error));
  BOOST_TEST(error.find("expected labels [count]") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(fashion_mnist_reads_as_the_data_set_it_is) {
  const fs::path dir = idx::kFashionMnistDir;
  if (!fs::exists(dir / "train-images-idx3-ubyte.gz")) {
    BOOST_TEST_MESSAGE("dataset-fashion-mnist is not installed; skipped");
    return;
  }
  for (const auto &[prefix, count] : {std::pair<std::string, int>{"train", 60000}, {"t10k", 10000}}) {
    idx::LabelledImages d;
    std::string error;
    BOOST_TEST_REQUIRE(idx::read_labelled((dir / (prefix + "-images-idx3-ubyte.gz")).string(),
                                          (dir / (prefix + "-labels-idx1-ubyte.gz")).string(), 10, d, error),
                       error);
    BOOST_TEST(d.count == count);
    BOOST_TEST(d.rows == 28);
    BOOST_TEST(d.cols == 28);
    std::array<int, 10> per_class{};
    for (std::uint8_t l : d.labels) ++per_class[l];
    for (int c = 0; c < 10; ++c) BOOST_TEST(per_class[std::size_t(c)] == count / 10, "class " << c);
  }
}

BOOST_AUTO_TEST_CASE(cleanup) { fs::remove_all(scratch("x").parent_path()); }
