//===- kernel_helpers.h - the C functions generated kernels call -*- C++ -*-===//
//
// This file is the one list of the C functions a kernel the code generator
// makes may call: the lowering emits calls by these names, the manifest
// lists the ones a kernel calls ("externs"), cpq-compile links the library
// that holds them into the kernel's shared object, and the JIT registers
// them. Their C declarations are in training_externs.h (DropBits masks,
// hard-concrete gates, with the gate modes CPQ_GATE_*) and packed_externs.h
// (the packed layers' integer products).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>

namespace cpq::runtime::helpers {

/// The runtime library that defines a helper.
enum class Library {
  Training, ///< cpq::training_externs (training_externs.h)
  Packed,   ///< cpq::packed_externs (packed_externs.h), with the kernel core's dispatch
};

struct Helper {
  const char *name;
  Library library;
};

inline constexpr Helper dropbits_mask{"cpq_dropbits_mask", Library::Training};
inline constexpr Helper hard_concrete_gate{"cpq_hard_concrete_gate", Library::Training};
inline constexpr Helper qgemm_u8{"cpq_qgemm_u8", Library::Packed};
inline constexpr Helper bgemm_b1{"cpq_bgemm_b1", Library::Packed};

inline constexpr Helper all[] = {dropbits_mask, hard_concrete_gate, qgemm_u8, bgemm_b1};

/// The helper called `name`, or null.
inline const Helper *find(const std::string &name) {
  for (const Helper &h : all)
    if (name == h.name) return &h;
  return nullptr;
}

} // namespace cpq::runtime::helpers
