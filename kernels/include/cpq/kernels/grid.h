//===- grid.h - quantization grids of cpq-method.md section 1 ----*- C++ -*-===//
//
// This file implements the three grid kinds of cpq-method.md section 1, both
// as a compile-time type `Grid<Kind, Bits>` and as a run-time value
// `GridSpec`. Every member of `GridSpec` is constexpr, so code written once
// against a `GridSpec` is specialised at compile time when it is handed
// `Grid<Kind, Bits>::spec`, and still works when the bit-width is only known
// at run time.
//
// Units: a grid point is `g = alpha * t`, with `t = q * t_per_q` for the
// integer level `q`. `t_per_q` is 1 for the signed and unsigned grids and 1/2
// for the symmetric (mid-rise) grid, whose levels are odd integers.
// A *code* is the point's index 0..K-1 (K = 2^bits) in increasing order; it is
// what bit packing stores.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace cpq {

enum class GridKind : std::uint8_t { Signed, Unsigned, Symmetric };

inline constexpr int kMinBits = 1;
inline constexpr int kMaxBits = 8;
inline constexpr int kMaxPoints = 1 << kMaxBits;

constexpr const char *to_string(GridKind kind) {
  switch (kind) {
  case GridKind::Signed: return "signed";
  case GridKind::Unsigned: return "unsigned";
  case GridKind::Symmetric: return "symmetric";
  }
  return "?";
}

inline std::optional<GridKind> parse_grid_kind(std::string_view name) {
  if (name == "signed") return GridKind::Signed;
  if (name == "unsigned") return GridKind::Unsigned;
  if (name == "symmetric") return GridKind::Symmetric;
  return std::nullopt;
}

/// A grid whose kind and bit-width may be known only at run time.
struct GridSpec {
  GridKind kind;
  int bits;

  /// K = 2^bits grid points.
  constexpr int num_points() const { return 1 << bits; }
  /// Spacing of consecutive integer levels.
  constexpr int q_step() const { return kind == GridKind::Symmetric ? 2 : 1; }
  constexpr int q_min() const {
    switch (kind) {
    case GridKind::Signed: return -(1 << (bits - 1));
    case GridKind::Unsigned: return 0;
    case GridKind::Symmetric: return -((1 << bits) - 1);
    }
    return 0;
  }
  constexpr int q_max() const {
    switch (kind) {
    case GridKind::Signed: return (1 << (bits - 1)) - 1;
    case GridKind::Unsigned: return (1 << bits) - 1;
    case GridKind::Symmetric: return (1 << bits) - 1;
    }
    return 0;
  }
  /// g = alpha * q * t_per_q (section 1: symmetric grids use g = alpha*q/2).
  constexpr float t_per_q() const { return kind == GridKind::Symmetric ? 0.5f : 1.0f; }
  /// Integer level of a code (code 0 is the lowest point).
  constexpr int level_of_code(int code) const { return q_min() + code * q_step(); }
  /// Code of an integer level that lies on the grid.
  constexpr int code_of_level(int q) const { return (q - q_min()) / q_step(); }
  /// Grid point of a level in units of alpha.
  constexpr float t_of_level(int q) const { return static_cast<float>(q) * t_per_q(); }
  /// Sub-grids nest (section 4) only for signed and unsigned grids, so only
  /// they accept DropBits and learned bit-width gates.
  constexpr bool supports_dropbits() const { return kind != GridKind::Symmetric; }

  friend constexpr bool operator==(GridSpec a, GridSpec b) {
    return a.kind == b.kind && a.bits == b.bits;
  }
  friend constexpr bool operator!=(GridSpec a, GridSpec b) { return !(a == b); }

  std::string name() const { return std::string(to_string(kind)) + std::to_string(bits); }
};

/// The checked way to build a run-time grid.
inline GridSpec make_grid(GridKind kind, int bits) {
  if (bits < kMinBits || bits > kMaxBits)
    throw std::invalid_argument("grid bits must be in 1..8, got " + std::to_string(bits));
  return GridSpec{kind, bits};
}

/// A grid fixed at compile time.
template <GridKind Kind, int Bits> struct Grid {
  static_assert(Bits >= kMinBits && Bits <= kMaxBits, "grid bits must be in 1..8");
  static constexpr GridKind kind = Kind;
  static constexpr int bits = Bits;
  static constexpr GridSpec spec{Kind, Bits};
  static constexpr int num_points = spec.num_points();
  static constexpr int q_min = spec.q_min();
  static constexpr int q_max = spec.q_max();
};

namespace detail {
template <GridKind Kind, class F, int... B>
auto with_bits(int bits, F &&f, std::integer_sequence<int, B...>) {
  using R = decltype(f(Grid<Kind, 1>{}));
  if constexpr (std::is_void_v<R>) {
    bool hit = ((bits == B + 1 ? (f(Grid<Kind, B + 1>{}), true) : false) || ...);
    if (!hit) throw std::invalid_argument("grid bits must be in 1..8");
  } else {
    std::optional<R> r;
    (void)((bits == B + 1 ? (r.emplace(f(Grid<Kind, B + 1>{})), true) : false) || ...);
    if (!r) throw std::invalid_argument("grid bits must be in 1..8");
    return *r;
  }
}
} // namespace detail

/// Calls `f(Grid<Kind, Bits>{})` for the compile-time grid equal to `g`: the
/// bridge from a run-time bit-width to code specialised per grid. Returns
/// what `f` returns, by value.
template <class F> auto with_grid(GridSpec g, F &&f) {
  using Seq = std::make_integer_sequence<int, kMaxBits>;
  switch (g.kind) {
  case GridKind::Signed: return detail::with_bits<GridKind::Signed>(g.bits, f, Seq{});
  case GridKind::Unsigned: return detail::with_bits<GridKind::Unsigned>(g.bits, f, Seq{});
  case GridKind::Symmetric: return detail::with_bits<GridKind::Symmetric>(g.bits, f, Seq{});
  }
  throw std::invalid_argument("unknown grid kind");
}

} // namespace cpq
