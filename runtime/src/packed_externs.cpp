//===- packed_externs.cpp - the packed kernels' extern stages --------------===//
#include "cpq/runtime/packed_externs.h"

#include "cpq/kernels/qgemm.h"

#include <vector>

extern "C" int cpq_qgemm_u8(halide_buffer_t *x, halide_buffer_t *panels, int32_t grid_kind, int32_t bits, int32_t n,
                            int32_t k, halide_buffer_t *out) {
  if (x->dimensions != 2 || out->dimensions != 2 || panels->dimensions != 1) return -1;
  if (grid_kind < 0 || grid_kind > 2 || bits < 1 || bits > 8) return -1;
  const cpq::GridSpec grid{grid_kind == 2   ? cpq::GridKind::Symmetric
                           : grid_kind == 1 ? cpq::GridKind::Unsigned
                                            : cpq::GridKind::Signed,
                           bits};
  const cpq::PanelView layout = cpq::PanelView::of(grid, n, k, nullptr);
  if (x->is_bounds_query() || panels->is_bounds_query()) {
    if (x->is_bounds_query()) {
      x->dim[0].min = 0, x->dim[0].extent = k;
      x->dim[1].min = out->dim[1].min, x->dim[1].extent = out->dim[1].extent;
    }
    if (panels->is_bounds_query()) panels->dim[0].min = 0, panels->dim[0].extent = int32_t(layout.size());
    return 0;
  }
  if (out->is_bounds_query()) return 0;
  const int32_t o0 = out->dim[0].min, o1 = o0 + out->dim[0].extent;
  const int32_t r0 = out->dim[1].min, rows = out->dim[1].extent;
  if (x->dim[0].stride != 1 || out->dim[0].stride != 1 || x->dim[0].min > 0 || x->dim[0].min + x->dim[0].extent < k ||
      x->dim[1].min > r0 || x->dim[1].min + x->dim[1].extent < r0 + rows || o0 % 16 || (o1 % 16 && o1 != n) ||
      o0 < 0 || o1 > n || panels->dim[0].extent < int32_t(layout.size()))
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
