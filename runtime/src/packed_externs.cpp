//===- packed_externs.cpp - the packed kernels' extern stages --------------===//
#include "cpq/runtime/packed_externs.h"

#include "cpq/kernels/bgemm.h"
#include "cpq/kernels/qgemm.h"

#include <vector>

namespace {

bool grid_of(int32_t grid_kind, int32_t bits, cpq::GridSpec &grid) {
  if (grid_kind < 0 || grid_kind > 2 || bits < 1 || bits > 8) return false;
  grid = cpq::GridSpec{grid_kind == 2   ? cpq::GridKind::Symmetric
                       : grid_kind == 1 ? cpq::GridKind::Unsigned
                                        : cpq::GridKind::Signed,
                       bits};
  return true;
}

/// Answers a bounds query of an extern product: all of k and out's rows of
/// x, `weight_bytes` of the weights. True if it was one.
bool bounds_query(halide_buffer_t *x, halide_buffer_t *weights, std::int64_t weight_bytes, int32_t k,
                  const halide_buffer_t *out) {
  if (!x->is_bounds_query() && !weights->is_bounds_query()) return false;
  if (x->is_bounds_query()) {
    x->dim[0].min = 0, x->dim[0].extent = k;
    x->dim[1].min = out->dim[1].min, x->dim[1].extent = out->dim[1].extent;
  }
  if (weights->is_bounds_query()) weights->dim[0].min = 0, weights->dim[0].extent = int32_t(weight_bytes);
  return true;
}

/// Whether x covers all of k and out's rows, both dense along their first axis.
bool covers(const halide_buffer_t *x, int32_t k, const halide_buffer_t *out) {
  const int32_t r0 = out->dim[1].min, rows = out->dim[1].extent;
  return x->dim[0].stride == 1 && out->dim[0].stride == 1 && x->dim[0].min <= 0 &&
         x->dim[0].min + x->dim[0].extent >= k && x->dim[1].min <= r0 && x->dim[1].min + x->dim[1].extent >= r0 + rows;
}

} // namespace

extern "C" int cpq_qgemm_u8(halide_buffer_t *x, halide_buffer_t *panels, int32_t grid_kind, int32_t bits, int32_t n,
                            int32_t k, halide_buffer_t *out) {
  if (x->dimensions != 2 || out->dimensions != 2 || panels->dimensions != 1) return -1;
  cpq::GridSpec grid;
  if (!grid_of(grid_kind, bits, grid)) return -1;
  const cpq::PanelView layout = cpq::PanelView::of(grid, n, k, nullptr);
  if (bounds_query(x, panels, std::int64_t(layout.size()), k, out) || out->is_bounds_query()) return 0;
  const int32_t o0 = out->dim[0].min, o1 = o0 + out->dim[0].extent;
  const int32_t r0 = out->dim[1].min, rows = out->dim[1].extent;
  if (!covers(x, k, out) || o0 % 16 || (o1 % 16 && o1 != n) || o0 < 0 || o1 > n ||
      panels->dim[0].extent < int32_t(layout.size()))
    return -1;
  cpq::PanelView w = layout;
  w.bytes = panels->host;
  const std::uint8_t *a = x->host + std::int64_t(r0 - x->dim[1].min) * x->dim[1].stride - x->dim[0].min;
  // C's origin: out's element (0, r0), so that panel p writes at 16 p.
  std::int32_t *c = reinterpret_cast<std::int32_t *>(out->host) - o0;
  try { // nothing may unwind into the generated code
    std::vector<std::int32_t> sums(static_cast<std::size_t>(rows));
    cpq::row_sums_u8(a, rows, k, x->dim[1].stride, sums.data());
    cpq::qgemm_u8(w, a, rows, x->dim[1].stride, sums.data(), c, out->dim[1].stride, o0 / 16, (o1 + 15) / 16);
  } catch (...) {
    return -1;
  }
  return 0;
}

extern "C" int cpq_bgemm_u1(halide_buffer_t *x, halide_buffer_t *bits, int32_t grid_kind, int32_t bit_width, int32_t n,
                            int32_t k, halide_buffer_t *out) {
  if (x->dimensions != 2 || out->dimensions != 2 || bits->dimensions != 1) return -1;
  cpq::GridSpec grid;
  if (!grid_of(grid_kind, bit_width, grid) || bit_width != 1 || n < 1 || k < 1) return -1;
  const std::int64_t words = cpq::bit_row_words(k);
  if (bounds_query(x, bits, std::int64_t(n) * words * 8, k, out) || out->is_bounds_query()) return 0;
  const int32_t o0 = out->dim[0].min, o1 = o0 + out->dim[0].extent;
  const int32_t r0 = out->dim[1].min, rows = out->dim[1].extent;
  if (!covers(x, k, out) || o0 < 0 || o1 > n || bits->dim[0].extent < std::int64_t(n) * words * 8 ||
      reinterpret_cast<std::uintptr_t>(bits->host) % alignof(std::uint64_t))
    return -1;
  const std::uint8_t *a = x->host + std::int64_t(r0 - x->dim[1].min) * x->dim[1].stride - x->dim[0].min;
  std::int32_t *c = reinterpret_cast<std::int32_t *>(out->host) - o0; // out's element (0, r0)
  try { // nothing may unwind into the generated code
    std::vector<std::uint64_t> packed(static_cast<std::size_t>(rows * words));
    cpq::pack_bit_rows(a, rows, k, x->dim[1].stride, packed.data());
    const cpq::BitRowsView av{rows, k, words, packed.data()};
    const cpq::BitRowsView wv{n, k, words, reinterpret_cast<const std::uint64_t *>(bits->host)};
    std::vector<std::int32_t> counts(static_cast<std::size_t>(rows));
    cpq::bit_row_counts(av, counts.data());
    // The popcounts go to a buffer of this call, and `out` gets only final
    // values: the row chunks of the schedule may overlap (ShiftInwards), and
    // two calls writing the same rows must not read each other's partial
    // results.
    const std::int64_t width = o1 - o0, ldc = out->dim[1].stride;
    std::vector<std::int32_t> p(static_cast<std::size_t>(rows * width));
    cpq::bgemm_and_popcount(av, wv, p.data() - o0, width, o0, o1);
    const std::int32_t step = grid.q_step(), lo = grid.q_min();
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t o = o0; o < o1; ++o)
        c[r * ldc + o] = step * p[std::size_t(r * width + o - o0)] + lo * counts[std::size_t(r)];
  } catch (...) {
    return -1;
  }
  return 0;
}
