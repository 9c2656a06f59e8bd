//===- printing.h - how the tests print the kernel core's enums ------------===//
//
// Boost.Test prints the values of failing data-driven cases; these give the
// kernel core's enums their names there. In namespace cpq for lookup by ADL.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/dropbits.h"

#include <ostream>

namespace cpq {
inline std::ostream &operator<<(std::ostream &os, GridKind k) { return os << to_string(k); }
inline std::ostream &operator<<(std::ostream &os, DropBitsMode m) {
  return os << (m == DropBitsMode::Hierarchical ? "hierarchical" : "independent");
}
} // namespace cpq
