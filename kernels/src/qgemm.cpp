//===- qgemm.cpp - panel layout, portable loop and dispatch of qgemm --------===//
//
// Compiled at baseline flags: the layout conversions, the portable
// implementation (the layout's plain meaning, one weight at a time) and the
// run-time choice between it and the ISA-specific files.
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/qgemm.h"

#include "cpq/kernels/pack.h"

#include <stdexcept>

namespace cpq {

int panel_bits(int bits) {
  if (bits < 1 || bits > 8) throw std::invalid_argument("qgemm: weights have 1..8 bits, got " + std::to_string(bits));
  return bits == 1 ? 1 : bits == 2 ? 2 : bits <= 4 ? 4 : 8;
}

PanelView PanelView::of(GridSpec grid, std::int64_t n, std::int64_t k, const std::uint8_t *bytes) {
  PanelView v;
  v.grid = grid, v.cbits = panel_bits(grid.bits), v.levels = grid.bits == 8;
  v.n = n, v.k = k, v.panels = (n + 15) / 16, v.blocks = (k + v.kb() - 1) / v.kb(), v.bytes = bytes;
  return v;
}

PanelWeights PanelWeights::zeros(GridSpec grid, std::int64_t n, std::int64_t k) {
  const PanelView layout = PanelView::of(grid, n, k, nullptr);
  PanelWeights w;
  w.grid = grid, w.cbits = layout.cbits, w.levels = layout.levels;
  w.n = n, w.k = k, w.panels = layout.panels, w.blocks = layout.blocks;
  w.bytes.assign(layout.size(), 0);
  return w;
}

PanelWeights to_panels(GridSpec grid, const std::int32_t *levels, std::int64_t n, std::int64_t k) {
  if (n < 1 || k < 1) throw std::invalid_argument("qgemm: weights need n >= 1 outputs and k >= 1 values");
  if (grid.bits == 8 && grid.kind != GridKind::Signed)
    throw std::invalid_argument("qgemm: 8-bit weights must be on the signed grid (levels or codes of " +
                                grid.name() + " do not fit int8)");
  PanelWeights w = PanelWeights::zeros(grid, n, k);
  const int kb = w.kb();
  for (std::int64_t o = 0; o < n; ++o) {
    for (std::int64_t i = 0; i < k; ++i) {
      const std::int32_t q = levels[o * k + i];
      if (q < grid.q_min() || q > grid.q_max() || (q - grid.q_min()) % grid.q_step())
        throw std::invalid_argument("qgemm: level " + std::to_string(q) + " is not on the " + grid.name() + " grid");
      const unsigned code = w.levels ? unsigned(std::uint8_t(std::int8_t(q))) : unsigned(grid.code_of_level(q));
      const std::int64_t p = o / 16, nl = o % 16, block = i / kb, r = i % kb, g = r / 4, kk = r % 4;
      std::uint8_t &byte = w.bytes[std::size_t((p * w.blocks + block) * 64 + 4 * nl + kk)];
      byte = std::uint8_t(byte | (code << (w.cbits * g)));
    }
  }
  return w;
}

PanelWeights panels_from_packed_rows(GridSpec grid, const std::uint8_t *rows, std::int64_t n, std::int64_t k) {
  const std::int64_t row_bytes = (k * grid.bits + 7) / 8;
  std::vector<std::int32_t> levels(static_cast<std::size_t>(n * k));
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(k));
  for (std::int64_t o = 0; o < n; ++o) {
    unpack_codes_reference(rows + o * row_bytes, std::size_t(k), grid.bits, codes.data());
    for (std::int64_t i = 0; i < k; ++i) levels[std::size_t(o * k + i)] = grid.level_of_code(codes[std::size_t(i)]);
  }
  return to_panels(grid, levels.data(), n, k);
}

void row_sums_u8(const std::uint8_t *a, std::int64_t m, std::int64_t k, std::int64_t lda, std::int32_t *sums) {
  for (std::int64_t r = 0; r < m; ++r) {
    std::int32_t s = 0;
    for (std::int64_t i = 0; i < k; ++i) s += a[r * lda + i];
    sums[r] = s;
  }
}

namespace qgemm_detail {

void gemm_portable(const PanelView &w, const std::uint8_t *a, std::int64_t m, std::int64_t lda,
                   const std::int32_t *sums, std::int32_t *c, std::int64_t ldc, std::int64_t p0, std::int64_t p1) {
  const int kb = w.kb();
  const unsigned mask = (1u << w.cbits) - 1u;
  for (std::int64_t p = p0; p < p1; ++p) {
    const std::uint8_t *panel = w.panel(p);
    for (std::int64_t nl = 0; nl < 16 && 16 * p + nl < w.n; ++nl) {
      for (std::int64_t r = 0; r < m; ++r) {
        std::int32_t acc = 0;
        for (std::int64_t i = 0; i < w.k; ++i) {
          const std::int64_t block = i / kb, g = (i % kb) / 4, kk = i % 4;
          const unsigned byte = panel[block * 64 + 4 * nl + kk];
          const std::int32_t x = a[r * lda + i];
          acc += w.levels ? x * std::int32_t(std::int8_t(byte)) : x * std::int32_t((byte >> (w.cbits * g)) & mask);
        }
        c[r * ldc + 16 * p + nl] = w.levels ? acc : w.grid.q_step() * acc + w.grid.q_min() * sums[r];
      }
    }
  }
}

} // namespace qgemm_detail

namespace {

bool cpu_has(QgemmIsa isa) {
  switch (isa) {
  case QgemmIsa::Portable:
    return true;
  case QgemmIsa::Avx2:
    return __builtin_cpu_supports("avx2");
  case QgemmIsa::Avx512Vnni:
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vnni");
  }
  return false;
}

void check_call(const PanelView &w, std::int64_t m, std::int64_t lda, std::int64_t ldc, std::int64_t p0,
                std::int64_t p1) {
  if (m < 0 || lda < w.k || ldc < w.n || p0 < 0 || p1 > w.panels || p0 > p1)
    throw std::invalid_argument("qgemm: bad call (m " + std::to_string(m) + ", lda " + std::to_string(lda) +
                                " for k " + std::to_string(w.k) + ", ldc " + std::to_string(ldc) + " for n " +
                                std::to_string(w.n) + ", panels [" + std::to_string(p0) + ", " +
                                std::to_string(p1) + ") of " + std::to_string(w.panels) + ")");
}

} // namespace

bool qgemm_supported(QgemmIsa isa) { return cpu_has(isa); }

QgemmIsa qgemm_best_isa() {
  static const QgemmIsa best = cpu_has(QgemmIsa::Avx512Vnni) ? QgemmIsa::Avx512Vnni
                               : cpu_has(QgemmIsa::Avx2)     ? QgemmIsa::Avx2
                                                             : QgemmIsa::Portable;
  return best;
}

const char *qgemm_isa_name(QgemmIsa isa) {
  switch (isa) {
  case QgemmIsa::Portable:
    return "portable";
  case QgemmIsa::Avx2:
    return "avx2 (vpmaddubsw)";
  case QgemmIsa::Avx512Vnni:
    return "avx512-vnni (vpdpbusd)";
  }
  return "?";
}

void qgemm_u8_with(QgemmIsa isa, const PanelView &w, const std::uint8_t *a, std::int64_t m, std::int64_t lda,
                   const std::int32_t *sums, std::int32_t *c, std::int64_t ldc, std::int64_t p0, std::int64_t p1) {
  if (!cpu_has(isa)) throw std::invalid_argument(std::string("qgemm: this CPU has no ") + qgemm_isa_name(isa));
  check_call(w, m, lda, ldc, p0, p1);
  if (m == 0 || p0 == p1) return;
  switch (isa) {
  case QgemmIsa::Portable:
    return qgemm_detail::gemm_portable(w, a, m, lda, sums, c, ldc, p0, p1);
  case QgemmIsa::Avx2:
    return qgemm_detail::gemm_avx2(w, a, m, lda, sums, c, ldc, p0, p1);
  case QgemmIsa::Avx512Vnni:
    return qgemm_detail::gemm_avx512vnni(w, a, m, lda, sums, c, ldc, p0, p1);
  }
}

void qgemm_u8(const PanelView &w, const std::uint8_t *a, std::int64_t m, std::int64_t lda,
              const std::int32_t *sums, std::int32_t *c, std::int64_t ldc, std::int64_t p0, std::int64_t p1) {
  qgemm_u8_with(qgemm_best_isa(), w, a, m, lda, sums, c, ldc, p0, p1);
}

} // namespace cpq
