//===- pack.cpp - bit packing throughput against memory bandwidth ----------===//
//
// For b = 1..8 and every instruction set of pack_arch_list this CPU runs,
// measures packing and unpacking of 2^26 codes (64 MiB of one-byte codes),
// and prints the bytes moved per second (codes read + packed bytes written,
// or the reverse) as a fraction of memcpy's bandwidth over the same number of
// bytes, measured in the same run. Medians of repeated runs.
//
// Usage: bench/pack [--json] [--repeats N]
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/pack.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

using namespace cpq;

namespace {
constexpr std::size_t kCodes = std::size_t(1) << 26;

template <class F> double median_seconds(int repeats, F &&f) {
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const auto t1 = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double>(t1 - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

struct Row {
  std::string arch;
  int bits;
  double pack_gb_s, unpack_gb_s;
};

struct Bench {
  int repeats;
  const std::vector<std::uint8_t> &codes;
  std::vector<std::uint8_t> &packed, &back;
  std::vector<Row> &rows;

  template <class Arch> void operator()(Arch) const {
    if (!arch_available<Arch>()) return;
    for (int bits = 1; bits <= 8; ++bits) {
      const double bytes = double(kCodes) + double(packed_bytes(kCodes, bits));
      const double tp = median_seconds(repeats, [&] { PackCodes{}(Arch{}, codes.data(), kCodes, bits, packed.data()); });
      const double tu = median_seconds(repeats, [&] { UnpackCodes{}(Arch{}, packed.data(), kCodes, bits, back.data()); });
      rows.push_back({Arch::name(), bits, bytes / tp / 1e9, bytes / tu / 1e9});
    }
  }
};
} // namespace

int main(int argc, char **argv) {
  bool json = false;
  int repeats = 7;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--json")) json = true;
    else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::max(1, std::atoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: %s [--json] [--repeats N]\n", argv[0]);
      return 2;
    }
  }
  std::vector<std::uint8_t> codes(kCodes), packed(kCodes), back(kCodes), copy(kCodes);
  std::mt19937 rng(1);
  for (auto &c : codes) c = static_cast<std::uint8_t>(rng());
  // Roofline: memcpy of the codes, 2 * kCodes bytes moved.
  const double t_copy = median_seconds(repeats, [&] { std::memcpy(copy.data(), codes.data(), kCodes); });
  const double copy_gb_s = 2.0 * kCodes / t_copy / 1e9;

  std::vector<Row> rows;
  pack_arch_list::for_each(Bench{repeats, codes, packed, back, rows});

  if (json) {
    nlohmann::ordered_json j = {{"codes", kCodes}, {"repeats", repeats}, {"memcpy_gb_s", copy_gb_s}};
    j["rows"] = nlohmann::ordered_json::array();
    for (const Row &r : rows)
      j["rows"].push_back({{"arch", r.arch},
                           {"bits", r.bits},
                           {"pack_gb_s", r.pack_gb_s},
                           {"unpack_gb_s", r.unpack_gb_s},
                           {"pack_fraction_of_memcpy", r.pack_gb_s / copy_gb_s},
                           {"unpack_fraction_of_memcpy", r.unpack_gb_s / copy_gb_s}});
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("bit packing of %zu codes, median of %d runs; memcpy moves %.2f GB/s (read + write)\n", kCodes,
              repeats, copy_gb_s);
  std::printf("%-9s %4s %10s %8s %10s %8s\n", "arch", "bits", "pack GB/s", "x memcpy", "unpack GB/s", "x memcpy");
  for (const Row &r : rows)
    std::printf("%-9s %4d %10.2f %8.2f %10.2f %8.2f\n", r.arch.c_str(), r.bits, r.pack_gb_s, r.pack_gb_s / copy_gb_s,
                r.unpack_gb_s, r.unpack_gb_s / copy_gb_s);
  return 0;
}
