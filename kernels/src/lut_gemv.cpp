//===- lut_gemv.cpp - run-time choice of the lookup-table product -----------===//
//
// Compiled at baseline flags: asks the CPU what it has and calls the
// AVX-512 kernel (lut_gemv_avx512.cpp) or the portable contract order.
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/lut_gemv.h"

namespace cpq {

bool lut_supported(LutIsa isa) {
  switch (isa) {
  case LutIsa::Portable:
    return true;
  case LutIsa::Avx512:
    return __builtin_cpu_supports("avx512f");
  }
  return false;
}

LutIsa lut_best_isa() {
  static const LutIsa best = lut_supported(LutIsa::Avx512) ? LutIsa::Avx512 : LutIsa::Portable;
  return best;
}

const char *lut_isa_name(LutIsa isa) { return isa == LutIsa::Avx512 ? "avx512f" : "portable"; }

void lut_gemv_with(LutIsa isa, const LutMatrix &w, const float *x, float *y, std::int64_t row_begin,
                   std::int64_t row_end) {
  if (!lut_supported(isa))
    throw std::invalid_argument(std::string("this CPU cannot run the ") + lut_isa_name(isa) + " lookup-table kernel");
  if (row_begin < 0 || row_end > w.rows || row_begin > row_end)
    throw std::invalid_argument("rows [" + std::to_string(row_begin) + ", " + std::to_string(row_end) +
                                ") are outside a matrix of " + std::to_string(w.rows) + " rows");
  if (isa == LutIsa::Avx512)
    lut_detail::gemv_avx512(w.codes.data(), w.row_bytes, w.cols, w.codebook.data(), int(w.codebook.size()), x, y,
                            row_begin, row_end);
  else
    lut_gemv_reference(w, x, y, row_begin, row_end);
}

void lut_gemv(const LutMatrix &w, const float *x, float *y, std::int64_t row_begin, std::int64_t row_end) {
  lut_gemv_with(lut_best_isa(), w, x, y, row_begin, row_end);
}

} // namespace cpq
