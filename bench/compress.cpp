//===- compress.cpp - entropy coding and codebook products against limits ---===//
//
// Measures what running a compressed model costs (medians of --repeats timed
// runs after a warm-up, all in this run):
//
//   huffman  the canonical Huffman coder of compressed model files
//            (cpq/kernels/huffman.h) on 2^23 cluster indices drawn from a
//            discretised Laplace distribution over 32 symbols (about 3.3 bits
//            of entropy, like a uniform quantizer's indices): encode and
//            decode in millions of symbols per second and in MB/s of coded
//            stream, the mean code length against the entropy, the round
//            trip checked.
//   lut      the lookup-table GEMV y = W x straight from a 16-entry float
//            codebook (cpq/kernels/lut_gemv.h), W 4096 x 4096 as 4-bit
//            indices, over a set of distinct matrices of more than 160 MiB
//            visited in turn so every product reads its indices from DRAM:
//            time against the roofline bytes / (DRAM read bandwidth), the
//            bandwidth measured by a plain read of the same set by the same
//            threads timed in turn with the products; and against the packed
//            uniform 4-bit kernel (qgemm's W4A8 GEMV, the same bytes of
//            weights) timed the same way. The result is checked bit for bit
//            against the portable reference once before timing.
//
// Usage: bench/compress [--json] [--repeats N] [--threads T]
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/huffman.h"
#include "cpq/kernels/lut_gemv.h"
#include "cpq/kernels/qgemm.h"
#include "panels.h"
#include "roofline.h"

#include <omp.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace cpq;

namespace {

int repeats = 7, threads = 2;

struct HuffmanRow {
  std::size_t symbols = 0;
  double entropy = 0, mean_length = 0, encode_s = 0, decode_s = 0, coded_bytes = 0;
  bool exact = false;
};

HuffmanRow huffman_row() {
  HuffmanRow row;
  const std::size_t n = std::size_t(1) << 23, k = 32;
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> magnitude(0.45);
  std::vector<std::uint32_t> symbols(n);
  for (auto &s : symbols) {
    const double v = (rng() & 1 ? 1 : -1) * magnitude(rng);
    s = std::uint32_t(std::clamp<long>(std::lround(v) + long(k / 2), 0, long(k - 1)));
  }
  std::vector<std::uint64_t> counts(k, 0);
  for (std::uint32_t s : symbols) ++counts[s];
  for (std::uint64_t c : counts)
    if (c) row.entropy -= double(c) / double(n) * std::log2(double(c) / double(n));
  const std::vector<std::uint8_t> lengths = huffman::code_lengths(counts);
  huffman::BitWriter writer;
  row.encode_s = bench::median_seconds(repeats, [&] {
    writer = huffman::BitWriter();
    huffman::encode(lengths, symbols.data(), n, writer);
  });
  row.symbols = n;
  row.coded_bytes = double(writer.bytes().size());
  row.mean_length = double(writer.bits()) / double(n);
  huffman::Decoder decoder;
  std::string error;
  std::vector<std::uint32_t> back(n);
  bool ok = decoder.init(lengths, error);
  row.decode_s = bench::median_seconds(repeats, [&] {
    ok = ok && decoder.decode(writer.bytes().data(), writer.bits(), n, back.data(), error);
  });
  row.exact = ok && back == symbols;
  return row;
}

struct LutRow {
  double lut_s = 0, packed_s = 0, bytes = 0, read_s = 0, fraction = 0, packed_fraction = 0;
  bool exact = false;
  double gb_s() const { return bytes / lut_s / 1e9; }
  double roofline_gb_s() const { return bytes / read_s / 1e9; }
};

LutRow lut_row() {
  const std::int64_t n = 4096, k = 4096;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  std::vector<float> book(16);
  for (float &v : book) v = value(rng);
  std::vector<std::uint8_t> indices(std::size_t(n * k));
  for (auto &i : indices) i = std::uint8_t(rng() % 16);
  // The first matrix made from indices (the layout), the others of random
  // bytes (every nibble is an index of a 16-entry codebook).
  std::vector<LutMatrix> set{LutMatrix::from_indices(indices.data(), n, k, book)};
  for (std::size_t total = set[0].codes.size(); total <= (std::size_t(160) << 20); total += set[0].codes.size()) {
    LutMatrix &m = set.emplace_back(set[0]);
    for (std::size_t i = 0; i < m.codes.size(); i += 8) {
      const std::uint64_t r = rng();
      std::memcpy(m.codes.data() + i, &r, std::min<std::size_t>(8, m.codes.size() - i));
    }
  }
  std::vector<float> x(static_cast<std::size_t>(k)), y(static_cast<std::size_t>(n)), want(static_cast<std::size_t>(n));
  for (float &v : x) v = value(rng);
  LutRow row;
  auto product = [&](const LutMatrix &w) {
#pragma omp parallel num_threads(threads)
    {
      const std::int64_t t = omp_get_thread_num(), p = omp_get_num_threads();
      lut_gemv(w, x.data(), y.data(), w.rows * t / p, w.rows * (t + 1) / p);
    }
  };
  product(set[1]);
  lut_gemv_reference(set[1], x.data(), want.data(), 0, n);
  row.exact = std::memcmp(y.data(), want.data(), y.size() * sizeof(float)) == 0;
  auto reads = [&] {
    for (const LutMatrix &w : set) bench::stream_read(w.codes.data(), w.codes.size(), threads);
  };
  const bench::InTurn lut = bench::time_in_turn(
      repeats, set.size(), [&] { for (const LutMatrix &w : set) product(w); }, reads);
  // The roofline counts x and y too (read and written once per product).
  const double weight_bytes = double(set[0].codes.size());
  row.bytes = weight_bytes + double((x.size() + y.size()) * sizeof(float));
  const double scale = row.bytes / weight_bytes;
  row.lut_s = lut.product_seconds, row.read_s = lut.read_seconds * scale, row.fraction = lut.fraction * scale;

  // The packed uniform 4-bit GEMV over a set of the same size.
  std::vector<PanelWeights> panels;
  for (std::size_t i = 0; i < set.size(); ++i) panels.push_back(bench::random_panels(4, n, k, rng));
  std::vector<std::uint8_t> a(static_cast<std::size_t>(k));
  for (auto &v : a) v = std::uint8_t(rng());
  std::vector<std::int32_t> sums(1), c(static_cast<std::size_t>(n));
  row_sums_u8(a.data(), 1, k, k, sums.data());
  const bench::InTurn packed = bench::time_in_turn(
      repeats, panels.size(),
      [&] { for (const PanelWeights &w : panels) bench::parallel_qgemm(w, a.data(), 1, sums.data(), c.data(), threads); },
      [&] { for (const PanelWeights &w : panels) bench::stream_read(w.bytes.data(), w.bytes.size(), threads); });
  row.packed_s = packed.product_seconds;
  row.packed_fraction = packed.fraction * (double(panels[0].bytes.size()) + double(k + n * 4)) /
                        double(panels[0].bytes.size());
  return row;
}

} // namespace

int main(int argc, char **argv) {
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json") {
      json = true;
    } else if ((a == "--repeats" || a == "--threads") && i + 1 < argc) {
      (a == "--repeats" ? repeats : threads) = std::atoi(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: bench/compress [--json] [--repeats N] [--threads T]\n");
      return 2;
    }
  }
  if (repeats < 1 || threads < 1) {
    std::fprintf(stderr, "compress: --repeats and --threads must be at least 1\n");
    return 2;
  }
  const HuffmanRow h = huffman_row();
  const LutRow l = lut_row();
  const bool exact = h.exact && l.exact;
  if (json) {
    nlohmann::ordered_json j = {{"threads", threads}, {"repeats", repeats}, {"exact", exact}};
    j["huffman"] = {{"symbols", h.symbols},
                    {"entropy_bits", h.entropy},
                    {"mean_code_bits", h.mean_length},
                    {"encode_msymbols_s", double(h.symbols) / h.encode_s / 1e6},
                    {"decode_msymbols_s", double(h.symbols) / h.decode_s / 1e6},
                    {"encode_mb_s", h.coded_bytes / h.encode_s / 1e6},
                    {"decode_mb_s", h.coded_bytes / h.decode_s / 1e6}};
    j["lut_gemv"] = {{"isa", lut_isa_name(lut_best_isa())},
                     {"rows", 4096},
                     {"cols", 4096},
                     {"codebook", 16},
                     {"us", l.lut_s * 1e6},
                     {"gb_s", l.gb_s()},
                     {"roofline_gb_s", l.roofline_gb_s()},
                     {"fraction_of_roofline", l.fraction},
                     {"packed_w4_us", l.packed_s * 1e6},
                     {"packed_w4_fraction_of_roofline", l.packed_fraction},
                     {"x_packed_w4", l.packed_s / l.lut_s}};
    std::printf("%s\n", j.dump(2).c_str());
    return exact ? 0 : 1;
  }
  std::printf("compressed models, %d threads, medians of %d runs\n", threads, repeats);
  std::printf("\nHuffman coding of %zu cluster indices (32 symbols, %.3f bits of entropy, %.3f bits a code)%s\n",
              h.symbols, h.entropy, h.mean_length, h.exact ? "" : "  ROUND TRIP FAILED");
  std::printf("  encode  %8.1f M symbols/s  %8.1f MB/s of code\n", double(h.symbols) / h.encode_s / 1e6,
              h.coded_bytes / h.encode_s / 1e6);
  std::printf("  decode  %8.1f M symbols/s  %8.1f MB/s of code\n", double(h.symbols) / h.decode_s / 1e6,
              h.coded_bytes / h.decode_s / 1e6);
  std::printf("\nLookup-table GEMV 4096 x 4096, 16-entry codebook, 4-bit indices from DRAM (%s)%s\n",
              lut_isa_name(lut_best_isa()), l.exact ? "" : "  NOT EQUAL TO THE REFERENCE");
  std::printf("  %10s  %10s  %12s  %12s  %9s  %16s  %9s\n", "us", "GB/s", "roofline us", "DRAM GB/s", "fraction",
              "packed W4A8 us", "x packed");
  std::printf("  %10.1f  %10.2f  %12.1f  %12.2f  %9.3f  %16.1f  %9.2f\n", l.lut_s * 1e6, l.gb_s(), l.read_s * 1e6,
              l.roofline_gb_s(), l.fraction, l.packed_s * 1e6, l.packed_s / l.lut_s);
  std::printf("  (x packed: the packed uniform 4-bit GEMV's time over the lookup table's; above 1 the lookup is faster)\n");
  return exact ? 0 : 1;
}
