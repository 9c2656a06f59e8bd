//===- packed.cpp - Halide builders of the packed inference ops -------------===//
//
// This file implements encode, decode, pack, qdense, qconv2d and requantize
// (see packed.h). Integer sums are exact; the float steps follow the scalar
// reference's order exactly (encode: float32 division, floor, clamp;
// requantize: float64 with a float32-rounded multiplier, so FMA contraction
// cannot change a level).
//
//===----------------------------------------------------------------------===//
#include "codegen/ops/packed.h"
#include "codegen/ops/windows.h"
#include "cpq/runtime/kernel_helpers.h"

#include <sstream>

#include <stdexcept>

namespace cpq::codegen {

using namespace Halide;

namespace {

/// alpha (or any per-channel vector) at channel c: per tensor when its one
/// static extent is 1.
Expr per_channel_or_tensor(const TensorValue &p, const Expr &c, int64_t channels, const std::string &what) {
  const int64_t n = static_extent(p.dim(0), what);
  if (n == 1) return p.f(0);
  if (n != channels)
    throw std::invalid_argument(what + " has " + std::to_string(n) + " values for " + std::to_string(channels) +
                                " channels");
  return p.f(c);
}

/// The mode's level of v = x / alpha on the full grid, float32 (section 2).
Expr level_of(GridSpec g, const Expr &x, const Expr &alpha) {
  const Expr v = x / alpha;
  const Expr r = g.kind == GridKind::Symmetric ? 2.0f * floor(v) + 1.0f : floor(v + 0.5f);
  return cast<int32_t>(clamp(r, float(g.q_min()), float(g.q_max())));
}

/// Unpacked weight levels are stored as int8 where they fit (all but 8-bit
/// symmetric grids), else int32 (no 16-bit values: see packed_level).
Type level_storage(GridSpec g) {
  return g.q_min() >= -128 && g.q_max() <= 127 ? Int(8) : Int(32);
}

void check_packed_rows(const TensorValue &packed, int64_t k, GridSpec g, const std::string &name) {
  const int64_t rb = static_extent(packed.dim(1), name + " packed weight");
  if (rb != (k * g.bits + 7) / 8)
    throw std::invalid_argument(name + ": packed rows of " + std::to_string(rb) + " bytes do not hold " +
                                std::to_string(k) + " codes of " + std::to_string(g.bits) + " bits");
}

} // namespace

TensorValue encode(const std::string &name, const TensorValue &x, const TensorValue &alpha, GridSpec grid,
                   Type levels) {
  if (static_extent(alpha.dim(0), name + " alpha") != 1)
    throw std::invalid_argument(name + ": encode takes a per-tensor alpha");
  auto v = axis_vars(x.rank());
  // alpha comes from training (its floors keep it positive) or from a model
  // file: a run-time error rather than garbage levels for anything else.
  const Expr a = alpha.f(0);
  const Expr q = cast(levels, level_of(grid, x.f(halide_args(v)), a));
  return define(name, v, require(a > 0.0f && is_finite(a), q, "cpq.encode: alpha must be positive and finite, got", a),
                x.shape);
}

TensorValue decode(const std::string &name, const TensorValue &q, const TensorValue &alpha, GridSpec grid) {
  if (static_extent(alpha.dim(0), name + " alpha") != 1)
    throw std::invalid_argument(name + ": decode takes a per-tensor alpha");
  auto v = axis_vars(q.rank());
  Expr value = alpha.f(0) * cast<float>(q.f(halide_args(v)));
  if (grid.kind == GridKind::Symmetric) value = value / 2.0f;
  return define(name, v, value, q.shape);
}

TensorValue pack(const std::string &name, const TensorValue &w, const TensorValue &alpha, GridSpec grid) {
  const int64_t O = static_extent(w.dim(0), name + " weight");
  int64_t K = 1;
  std::vector<int64_t> inner; // extents of axes 1.., MLIR order
  for (int a = 1; a < w.rank(); ++a) inner.push_back(static_extent(w.dim(a), name + " weight")), K *= inner.back();
  const int64_t row_bytes = (K * grid.bits + 7) / 8;
  Var k("k"), o("o"), b("b");
  // code(k, o): element k of row o in row-major order over axes 1..
  std::vector<Expr> index(static_cast<std::size_t>(w.rank()));
  Expr rest = k;
  for (int a = w.rank() - 1; a >= 1; --a) {
    const Expr e = Expr(int(inner[static_cast<std::size_t>(a - 1)]));
    index[static_cast<std::size_t>(a)] = a == 1 ? rest : rest % e;
    rest = rest / e;
  }
  index[0] = o;
  Func code(name + "_codes");
  code(k, o) = cast<uint32_t>((level_of(grid, w.at(index), per_channel_or_tensor(alpha, o, O, name + " alpha")) -
                               grid.q_min()) /
                              grid.q_step());
  // Byte b holds the bits [8b, 8b + 8) of the row: parts of the codes from
  // k0 = 8b / bits on, each shifted to its offset.
  Func packed(name);
  const Expr k0 = (b * 8) / grid.bits;
  Expr byte = cast<uint32_t>(0);
  for (int g = 0; g <= 8 / grid.bits + 1; ++g) {
    const Expr kk = k0 + g;
    const Expr offset = kk * grid.bits - b * 8; // may be negative for the first
    const Expr c = code(min(kk, int(K - 1)), o);
    const Expr part = select(offset >= 0, c << cast<uint32_t>(max(offset, 0)), c >> cast<uint32_t>(max(-offset, 0)));
    byte = byte | select(kk < int(K) && offset < 8, part, cast<uint32_t>(0));
  }
  packed(b, o) = cast<uint8_t>(byte & 0xff);
  TensorValue t{packed, {Expr(int(O)), Expr(int(row_bytes))}, UInt(8)};
  t.helpers.push_back(code);
  return t;
}

Expr packed_level(const Func &packed, GridSpec grid, const Expr &k, const Expr &o, int64_t row_bytes) {
  const Expr bit = k * grid.bits;
  const Expr byte = bit / 8, offset = bit % 8;
  // Two bytes hold any code (offset + bits <= 15); the second is clamped to
  // the row, where a code never reaches past the first.
  // 32-bit arithmetic on purpose: with the host target of an AVX-512 CPU
  // that has AVX-VNNI and BF16 (Zen 4/5), Halide 14 hands LLVM the CPU
  // "sapphirerapids", which moves 16-bit scalars with AVX512-FP16's vmovw,
  // an illegal instruction on AMD (seen here with a uint16 shift amount).
  const Expr pair =
      cast<uint32_t>(packed(byte, o)) | (cast<uint32_t>(packed(min(byte + 1, int(row_bytes - 1)), o)) << 8);
  const Expr c = cast<int32_t>((pair >> cast<uint32_t>(offset)) & cast<uint32_t>((1 << grid.bits) - 1));
  return grid.q_min() + c * grid.q_step();
}

TensorValue qdense(const std::string &name, const TensorValue &x, const TensorValue &packed, GridSpec grid) {
  const int64_t K = static_extent(x.dim(1), name + " input"), O = static_extent(packed.dim(0), name + " weight");
  check_packed_rows(packed, K, grid, name);
  const int64_t rb = (K * grid.bits + 7) / 8;
  Var o("o"), n("n"), k("k");
  RDom r(0, int(K), name + "_r");
  Func wl(name + "_weight_levels");
  wl(o, k) = cast(level_storage(grid), packed_level(packed.f, grid, k, o, rb));
  Func acc(name + "_acc");
  acc(o, n) = 0;
  acc(o, n) += cast<int32_t>(x.f(r, n)) * cast<int32_t>(wl(o, r));
  return contraction_result(name, {o, n}, acc, {o, n}, {x.dim(0), Expr(int(O))}, {{wl, packed.f, 0}}, O, x.dim(0),
                            Int(32));
}

TensorValue qconv2d(const std::string &name, const TensorValue &x, const TensorValue &packed, GridSpec grid,
                    Window2d win, int groups) {
  const int64_t C = static_extent(x.dim(1), name + " input"), O = static_extent(packed.dim(0), name + " filter");
  if (groups < 1 || C % groups || O % groups)
    throw std::invalid_argument(name + ": channels and filters must divide into the groups");
  const int64_t Cg = C / groups, Og = O / groups, K = Cg * win.kh * win.kw;
  check_packed_rows(packed, K, grid, name);
  const int64_t rb = (K * grid.bits + 7) / 8;
  const std::vector<Expr> shape = {x.dim(0), Expr(int(O)), window_extent(x.dim(2), win.kh, win.sh, win.ph),
                                   window_extent(x.dim(3), win.kw, win.sw, win.pw)};
  const int64_t OW = static_extent(shape[3], name + " output width");
  if (OW < 1 || static_extent(shape[2], name + " output height") < 1)
    throw std::invalid_argument(name + ": the window is larger than the padded input");
  Var j("j"), i("i"), o("o"), n("n"), kx("kx"), ky("ky"), c("c");
  RDom r(0, win.kw, 0, win.kh, 0, int(Cg), name + "_r");
  Func xin = zero_padded(x, win);
  auto level = [&](const Expr &fx, const Expr &fy, const Expr &ch, const Expr &f) {
    return packed_level(packed.f, grid, (ch * win.kh + fy) * win.kw + fx, f, rb);
  };
  const Expr xv = cast<int32_t>(xin(j * win.sw + r.x - win.pw, i * win.sh + r.y - win.ph, r.z, n));
  if (groups == 1 && K < 64 && OW % 8 == 0) {
    // A first layer's few terms: accumulate along the width, as conv2d does.
    Func wl(name + "_filter_levels");
    wl(kx, ky, c, o) = cast(level_storage(grid), level(kx, ky, c, o));
    Func acc(name + "_acc");
    acc(j, o, i, n) = 0;
    acc(j, o, i, n) += xv * cast<int32_t>(wl(r.x, r.y, r.z, o));
    std::vector<schedules::Relayout> copies = {{wl, packed.f}};
    if (win.ph || win.pw) copies.push_back({xin, x.f});
    return contraction_result(name, {j, i, o, n}, acc, {j, o, i, n}, shape, copies, OW, Expr(int(O)), Int(32));
  }
  if (groups == 1) {
    Func wt(name + "_filter_oc");
    wt(o, kx, ky, c) = cast(level_storage(grid), level(kx, ky, c, o));
    Func acc(name + "_acc");
    acc(o, j, i, n) = 0;
    acc(o, j, i, n) += xv * cast<int32_t>(wt(o, r.x, r.y, r.z));
    return contraction_result(name, {j, i, o, n}, acc, {o, j, i, n}, shape, {{wt, packed.f}}, O, Expr(int(OW)),
                              Int(32));
  }
  Func wl(name + "_filter_levels");
  wl(kx, ky, c, o) = cast(level_storage(grid), level(kx, ky, c, o));
  const Expr channel = (o / int(Og)) * int(Cg) + r.z;
  Func f(name);
  f(j, i, o, n) = 0;
  f(j, i, o, n) += cast<int32_t>(xin(j * win.sw + r.x - win.pw, i * win.sh + r.y - win.ph, channel, n)) *
                   cast<int32_t>(wl(r.x, r.y, r.z, o));
  TensorValue t{f, shape, Int(32)};
  t.helpers.push_back(wl);
  return t;
}

namespace {

/// Whether x's int8 levels go to the unsigned product shifted by 128.
bool shifted(const TensorValue &x, const PanelSource &source) { return !source.binary && x.type == Int(8); }

/// The bytes the extern reads for activation v: v itself, or for int8
/// levels on qgemm v + 128 (the sign bit flipped).
Expr unsigned_codes(const Expr &v, const PanelSource &source) {
  if (source.binary || v.type() == UInt(8)) return v;
  return cast<uint8_t>(v) ^ cast<uint8_t>(128);
}

/// The extern stage name(o, row) = cpq_qgemm_u8 or cpq_bgemm_b1(rows(k, row), weights).
TensorValue extern_gemm(const std::string &name, const Func &rows, const Expr &row_extent, const PanelSource &source) {
  const PanelView &w = source.layout;
  Var o("o"), row("row");
  Func f(name);
  auto code = [](GridKind k) { return k == GridKind::Symmetric ? 2 : k == GridKind::Unsigned ? 1 : 0; };
  // cpq_qgemm_u8(x, panels, weight grid, bits, n, k); cpq_bgemm_b1(x, bit rows, weight grid, activation grid, n, k).
  const Expr fourth = source.binary ? Expr(code(source.activations)) : Expr(w.grid.bits);
  namespace helpers = runtime::helpers;
  f.define_extern(source.binary ? helpers::bgemm_b1.name : helpers::qgemm_u8.name,
                  {rows, source.bytes, Expr(code(w.grid.kind)), fourth, Expr(int(w.n)), Expr(int(w.k))}, Int(32),
                  {o, row});
  TensorValue t{f, {row_extent, Expr(int(w.n))}, Int(32)};
  t.helpers.push_back(rows);
  schedules::ExternGemmLoops loops;
  loops.f = f, loops.o = o, loops.row = row, loops.rows = row_extent, loops.outputs = int(w.n);
  t.extern_gemm = loops;
  return t;
}

} // namespace

TensorValue qgemm_dense(const std::string &name, const TensorValue &x, const PanelSource &source) {
  const PanelView &w = source.layout;
  if (!source.takes(x.type))
    throw std::invalid_argument(name + ": the integer product does not take these activations (" +
                                (std::ostringstream() << x.type).str() + ")");
  if (static_extent(x.dim(1), name + " input") != w.k)
    throw std::invalid_argument(name + ": input features differ from the weights'");
  Var k("k"), n("n");
  Func rows(name + "_rows");
  rows(k, n) = unsigned_codes(x.f(k, n), source);
  TensorValue g = extern_gemm(name + (shifted(x, source) ? "_shifted" : ""), rows, x.dim(0), source);
  if (!shifted(x, source)) return g;
  Var o("o");
  Func f(name);
  f(o, n) = g.f(o, n) - 128 * (*source.level_sums)(o);
  TensorValue t{f, g.shape, Int(32)};
  t.helpers = g.helpers;
  t.extern_gemm = g.extern_gemm;
  return t;
}

TensorValue qgemm_conv2d(const std::string &name, const TensorValue &x, const PanelSource &source, Window2d win) {
  const PanelView &w = source.layout;
  if (!source.takes(x.type))
    throw std::invalid_argument(name + ": the integer product does not take these activations (" +
                                (std::ostringstream() << x.type).str() + ")");
  const int64_t C = static_extent(x.dim(1), name + " input");
  if (C * win.kh * win.kw != w.k) throw std::invalid_argument(name + ": input channels differ from the filters'");
  const Expr OHe = window_extent(x.dim(2), win.kh, win.sh, win.ph),
             OWe = window_extent(x.dim(3), win.kw, win.sw, win.pw);
  const int64_t OH = static_extent(OHe, name + " output height"), OW = static_extent(OWe, name + " output width");
  if (OH < 1 || OW < 1) throw std::invalid_argument(name + ": the window is larger than the padded input");
  Func xin = zero_padded(x, win);
  Var kk("kk"), r("r");
  const Expr j = r % int(OW), i = (r / int(OW)) % int(OH), image = r / int(OW * OH);
  const Expr fx = kk % win.kw, fy = (kk / win.kw) % win.kh, ch = kk / (win.kw * win.kh);
  Func col(name + "_im2col");
  col(kk, r) = unsigned_codes(xin(j * win.sw + fx - win.pw, i * win.sh + fy - win.ph, ch, image), source);
  TensorValue g = extern_gemm(name + "_gemm", col, x.dim(0) * int(OH * OW), source);
  // The convolution's NCHW view of the rows.
  Var jx("j"), iy("i"), o("o"), n("n");
  Func f(name);
  Expr sum = g.f(o, (n * int(OH) + iy) * int(OW) + jx);
  if (shifted(x, source)) sum -= 128 * (*source.level_sums)(o); // padding: level 0, code 128, as corrected
  f(jx, iy, o, n) = sum;
  TensorValue t{f, {x.dim(0), Expr(int(w.n)), Expr(int(OH)), Expr(int(OW))}, Int(32)};
  t.channels_last = true;
  t.extern_gemm = g.extern_gemm; // the copy is scheduled with the product, not as a helper
  t.extern_gemm->im2col = col, t.extern_gemm->col_k = kk, t.extern_gemm->col_row = r;
  t.extern_gemm->kw = win.kw, t.extern_gemm->kh = win.kh, t.extern_gemm->ow = int(OW), t.extern_gemm->oh = int(OH);
  t.extern_gemm->k = int(w.k);
  if (win.ph || win.pw) t.helpers.push_back(xin);
  return t;
}

TensorValue requantize(const std::string &name, const TensorValue &acc, const TensorValue &scale,
                       const TensorValue &bias, const TensorValue *next_alpha, bool relu, std::optional<GridSpec> next,
                       Type out) {
  if (acc.rank() != 2 && acc.rank() != 4) throw std::invalid_argument(name + ": expected NC or NCHW sums");
  if (bool(next) != bool(next_alpha))
    throw std::invalid_argument(name + ": a next grid needs the next quantizer's alpha, and only then");
  const int64_t C = static_extent(acc.dim(1), name + " sums");
  auto v = axis_vars(acc.rank());
  const Var &ch = v[1];
  Var c("c");
  const Expr s = per_channel_or_tensor(scale, c, C, name + " scale"),
             b = per_channel_or_tensor(bias, c, C, name + " bias");
  const Expr a = cast<double>(acc.f(halide_args(v)));
  if (!next) {
    const Expr sc = per_channel_or_tensor(scale, ch, C, name + " scale"),
               bc = per_channel_or_tensor(bias, ch, C, name + " bias");
    Expr y = cast<float>(a * cast<double>(sc) + cast<double>(bc));
    if (relu) y = max(y, 0.0f);
    return define(name, v, y, acc.shape);
  }
  if (static_extent(next_alpha->dim(0), name + " next alpha") != 1)
    throw std::invalid_argument(name + ": the next quantizer's alpha must be per tensor");
  const bool symmetric = next->kind == GridKind::Symmetric;
  const Expr alpha = cast<double>(next_alpha->f(0));
  // m = scale / alpha rounded to float32; c = bias / alpha (+ 1/2).
  Func m(name + "_multiplier"), offset(name + "_offset");
  m(c) = require(alpha > f64(0.0) && is_finite(alpha), cast<double>(cast<float>(cast<double>(s) / alpha)),
                 "cpq.requantize: the next quantizer's alpha must be positive and finite, got", alpha);
  offset(c) = cast<double>(b) / alpha + f64(symmetric ? 0.0 : 0.5);
  const Expr t = floor(a * m(ch) + offset(ch));
  const Expr lvl = symmetric ? f64(2.0) * t + f64(1.0) : t;
  int lo = next->q_min();
  if (relu) lo = std::max(lo, symmetric ? 1 : 0);
  TensorValue r = define(name, v, cast(out, cast<int32_t>(clamp(lvl, f64(lo), f64(next->q_max())))), acc.shape);
  r.helpers = {m, offset};
  return r;
}

} // namespace cpq::codegen
