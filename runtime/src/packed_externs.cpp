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

extern "C" int cpq_bgemm_b1(halide_buffer_t *x, halide_buffer_t *bits, int32_t weight_kind, int32_t activation_kind,
                            int32_t n, int32_t k, halide_buffer_t *out) {
  if (x->dimensions != 2 || out->dimensions != 2 || bits->dimensions != 1) return -1;
  cpq::GridSpec weights, activations;
  if (!grid_of(weight_kind, 1, weights) || !grid_of(activation_kind, 1, activations) ||
      activations.kind == cpq::GridKind::Signed || n < 1 || k < 1)
    return -1;
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
    // Activation a = a_min + a_step * bit (0/1 codes: 0 + 1 bit; +-1
    // levels: -1 + 2 bit), weight q = q_min + q_step * bit, so
    // sum_k a q = a_step q_step P + a_step q_min pop(a) + a_min q_step pop(w) + a_min q_min K.
    const bool symmetric = activations.kind == cpq::GridKind::Symmetric;
    const std::int32_t a_min = symmetric ? -1 : 0, a_step = symmetric ? 2 : 1;
    std::vector<std::uint64_t> packed(static_cast<std::size_t>(rows * words));
    cpq::pack_bit_rows(a, rows, k, x->dim[1].stride, packed.data(), symmetric);
    const cpq::BitRowsView av{rows, k, words, packed.data()};
    const cpq::BitRowsView wv{n, k, words, reinterpret_cast<const std::uint64_t *>(bits->host)};
    std::vector<std::int32_t> a_counts(static_cast<std::size_t>(rows)), w_counts;
    cpq::bit_row_counts(av, a_counts.data());
    if (symmetric) {
      w_counts.resize(static_cast<std::size_t>(n));
      cpq::bit_row_counts(wv, w_counts.data());
    }
    // The popcounts go to a buffer of this call, and `out` gets only final
    // values: the row chunks of the schedule may overlap (ShiftInwards), and
    // two calls writing the same rows must not read each other's partial
    // results.
    const std::int64_t width = o1 - o0, ldc = out->dim[1].stride;
    std::vector<std::int32_t> p(static_cast<std::size_t>(rows * width));
    cpq::bgemm_and_popcount(av, wv, p.data() - o0, width, o0, o1);
    const std::int32_t step = weights.q_step(), lo = weights.q_min();
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t o = o0; o < o1; ++o) {
        std::int32_t v = a_step * step * p[std::size_t(r * width + o - o0)] + a_step * lo * a_counts[std::size_t(r)];
        if (symmetric) v += a_min * step * w_counts[std::size_t(o)] + a_min * lo * k;
        c[r * ldc + o] = v;
      }
  } catch (...) {
    return -1;
  }
  return 0;
}
