//===- qgemm.h - integer GEMM on packed low-bit weights ---------*- C++ -*-===//
//
// This file declares the packed integer matrix product of cpq's inference:
//
//   C[m, n] = sum_k A[m, k] * level(W[n, k])      (int32, exact)
//
// with A unsigned 8-bit activation codes (row-major, row stride lda) and W
// the weights' integer grid levels held in the *panel layout* below, the
// compute layout of qdense / qconv2d (cpq.pack's row layout is the storage
// layout of model files; `to_panels` converts once, at load time).
//
// Panel layout. Weights are stored with `cbits` in {1, 2, 4, 8} bits per
// weight (grids of 3 bits in 4, of 5..7 bits in 8). Outputs are grouped in
// panels of 16, the reduction in blocks of kb = 4 * 8 / cbits (32, 16, 8, 4)
// values; each (panel, block) is one 64-byte unit, panels outermost:
//
//   byte  (panel * blocks + block) * 64 + 4 * nl + kk
//   bits  [cbits * g, cbits * (g + 1)) of it hold the code of
//         output n = 16 * panel + nl, k = kb * block + 4 * g + kk
//
// (nl < 16, kk < 4, g < 8 / cbits). One 64-byte load gives, after a shift by
// cbits * g and a mask, 16 lanes of 4 consecutive k for 16 outputs: the
// operand order of AVX-512 VNNI's vpdpbusd (u8 x s8 -> s32), with no
// gathers; the activation side is a broadcast of A[m, kb*block + 4g .. +3].
// Codes are `(level - q_min) / q_step` (0 .. 2^bits - 1, fit int8), so
// C = q_step * sum_k A * code + q_min * sum_k A; 8-bit signed grids store
// the int8 level itself (C = sum_k A * level). Padding (k >= K, n >= N)
// holds code 0 and A is never read beyond K. Exact while
// K * 255 * max|level| < 2^31 (8-bit weights: K < 65793).
//
// Implementations: AVX-512 VNNI (vpdpbusd; 6 x 32 or 1 x 64 register tiles),
// AVX2 (vpmaddubsw + vpmaddwd, exact for codes < 64, i.e. grids of up to 6
// bits; 7- and 8-bit weights there take the portable loop) and a portable
// loop, chosen at run time (`qgemm_isa_name`); each can be called by name
// for tests. Why a hand kernel and not a Halide schedule: Halide 14 reaches
// vpdpbusd only with the target feature avx512_sapphirerapids, which makes
// LLVM treat the CPU as a Sapphire Rapids and free to emit AVX-VNNI (VEX)
// and AVX512-FP16 instructions; AMD Zen 4 has neither and stopped with
// SIGILL on such code (docs/packed-inference-notes.md). Compiled here with
// exactly -mavx512vnni, no such instruction can appear.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/grid.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cpq {

/// Weights in the panel layout, not owned (as a kernel's buffer holds them).
struct PanelView {
  GridSpec grid{GridKind::Signed, 2};
  int cbits = 2;
  bool levels = false;
  std::int64_t n = 0, k = 0, panels = 0, blocks = 0;
  const std::uint8_t *bytes = nullptr; ///< panels * blocks * 64

  int kb() const { return 32 / cbits; }
  int groups() const { return 8 / cbits; }
  std::size_t bytes_per_panel() const { return std::size_t(blocks) * 64; }
  const std::uint8_t *panel(std::int64_t p) const { return bytes + std::size_t(p) * bytes_per_panel(); }
  /// The view of n x k weights of `grid` in the panel layout at `bytes`.
  static PanelView of(GridSpec grid, std::int64_t n, std::int64_t k, const std::uint8_t *bytes);
  std::size_t size() const { return std::size_t(panels * blocks * 64); }
};

/// Weights in the panel layout.
struct PanelWeights {
  GridSpec grid{GridKind::Signed, 2};
  int cbits = 2;               ///< bits per stored weight: 1, 2, 4 or 8
  bool levels = false;         ///< bytes hold int8 levels (8-bit signed grids), not codes
  std::int64_t n = 0, k = 0;   ///< outputs, reduction length
  std::int64_t panels = 0, blocks = 0;
  std::vector<std::uint8_t> bytes; ///< panels * blocks * 64

  int kb() const { return 32 / cbits; }       ///< k per block
  int groups() const { return 8 / cbits; }    ///< codes per byte
  std::size_t bytes_per_panel() const { return std::size_t(blocks) * 64; }
  const std::uint8_t *panel(std::int64_t p) const { return bytes.data() + std::size_t(p) * bytes_per_panel(); }
  PanelView view() const { return {grid, cbits, levels, n, k, panels, blocks, bytes.data()}; }
  /// n x k weights of `grid` in the panel layout, every byte 0.
  static PanelWeights zeros(GridSpec grid, std::int64_t n, std::int64_t k);
  operator PanelView() const { return view(); }
};

/// The stored bits of a grid of `bits` bits: 1, 2, 4 or 8.
int panel_bits(int bits);

/// Weights of integer levels `levels[n * k + i]` (on `grid`) in the panel
/// layout. Throws std::invalid_argument for a level off the grid or an 8-bit
/// symmetric or unsigned grid (their levels and codes up to 255 do not fit int8).
PanelWeights to_panels(GridSpec grid, const std::int32_t *levels, std::int64_t n, std::int64_t k);

/// The same from cpq.pack's row layout (n rows of ceil(k * bits / 8) bytes).
PanelWeights panels_from_packed_rows(GridSpec grid, const std::uint8_t *rows, std::int64_t n, std::int64_t k);

/// sum_k a[m, k] for each row: the `q_min` part of C.
void row_sums_u8(const std::uint8_t *a, std::int64_t m, std::int64_t k, std::int64_t lda, std::int32_t *sums);

enum class QgemmIsa { Portable, Avx2, Avx512Vnni };

/// C[m, n] for rows [0, m) and panels [panel_begin, panel_end) (so threads
/// can share one product); `sums` are row_sums_u8 of A (ignored when the
/// weights store levels). C has row stride ldc >= n.
void qgemm_u8(const PanelView &w, const std::uint8_t *a, std::int64_t m, std::int64_t lda,
              const std::int32_t *sums, std::int32_t *c, std::int64_t ldc, std::int64_t panel_begin,
              std::int64_t panel_end);
/// The same with a given implementation (tests); throws std::invalid_argument
/// if this CPU lacks it.
void qgemm_u8_with(QgemmIsa isa, const PanelView &w, const std::uint8_t *a, std::int64_t m, std::int64_t lda,
                   const std::int32_t *sums, std::int32_t *c, std::int64_t ldc, std::int64_t panel_begin,
                   std::int64_t panel_end);

/// The best implementation this CPU runs, and whether it runs `isa`.
QgemmIsa qgemm_best_isa();
bool qgemm_supported(QgemmIsa isa);
const char *qgemm_isa_name(QgemmIsa isa);

namespace qgemm_detail {
// One implementation per translation unit (compiled with its ISA's flags).
void gemm_portable(const PanelView &w, const std::uint8_t *a, std::int64_t m, std::int64_t lda,
                   const std::int32_t *sums, std::int32_t *c, std::int64_t ldc, std::int64_t p0, std::int64_t p1);
void gemm_avx2(const PanelView &w, const std::uint8_t *a, std::int64_t m, std::int64_t lda,
               const std::int32_t *sums, std::int32_t *c, std::int64_t ldc, std::int64_t p0, std::int64_t p1);
void gemm_avx512vnni(const PanelView &w, const std::uint8_t *a, std::int64_t m, std::int64_t lda,
                     const std::int32_t *sums, std::int32_t *c, std::int64_t ldc, std::int64_t p0, std::int64_t p1);
} // namespace qgemm_detail

} // namespace cpq
