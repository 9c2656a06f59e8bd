//===- profile.h - a timed kernel's time per op and pass --------*- C++ -*-===//
//
// This file declares how the stage times of a timed kernel (Kernel::profile)
// are read back as the ops of the cpq function they came from: the lowering
// names every op's Funcs after the op and a counter ("conv2d_grad_input_12",
// its accumulator "conv2d_grad_input_12_acc"), so each Func is charged to
// the op whose name it starts with, and each op to a pass: forward,
// backward (the *_grad ops), update (the optimizer's, and the results
// written out) or overhead (the calls' time outside every stage).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/kernel.h"

#include <string>
#include <vector>

namespace cpq::runtime {

struct OpProfile {
  std::string op;   ///< "conv2d_grad_input_12", or a Func the lowering did not name after an op
  std::string kind; ///< the op without its counter: "conv2d_grad_input"
  std::string pass; ///< forward, backward, update or overhead
  double ms = 0;    ///< per call
  int funcs = 0;    ///< how many Funcs it took
};

/// The profile's time per op, per call, largest first.
std::vector<OpProfile> profile_by_op(const KernelProfile &profile);

/// A table of `profile_by_op` (ms per call, share of the kernel's time) and
/// the time of each pass, headed by `title`; `top` > 0 keeps that many ops
/// and sums the rest into one line.
std::string profile_table(const KernelProfile &profile, const std::string &title, std::size_t top = 0);

/// CSV rows `kernel,op,kind,pass,ms_per_call,share` (with a header when
/// `header`).
std::string profile_csv(const KernelProfile &profile, const std::string &kernel, bool header);

} // namespace cpq::runtime
