//===- roles.h - the roles of a kernel's arguments -----------------*- C++ -*-===//
//
// This file names what a caller gives or takes at each argument of a
// generated kernel. The dialect's passes write them as the cpq.role
// attributes of a function's arguments and results, the code generator
// copies them into the kernel's manifest (manifest.h), and every program
// that calls a kernel compares against these names. Plain C++: the dialect
// includes it without the Halide runtime.
//
//===----------------------------------------------------------------------===//
#pragma once

namespace cpq::runtime {

/// The roles of kernel arguments. The dialect's passes write them as the
/// cpq.role attributes of a function's arguments and results.
namespace roles {
inline constexpr char param[] = "param";                 ///< a network parameter
inline constexpr char state[] = "state";                 ///< optimizer state of a parameter
inline constexpr char input[] = "input";                 ///< a batch of data (images)
inline constexpr char labels[] = "labels";               ///< their labels (int32)
inline constexpr char step[] = "step";                   ///< a training step's scalars
inline constexpr char seed[] = "seed";
inline constexpr char learning_rate[] = "learning_rate";
inline constexpr char loss[] = "loss";                   ///< mean loss of the batch (scalar tensor)
inline constexpr char correct[] = "correct";             ///< correctly classified images of the batch
inline constexpr char logits[] = "logits";               ///< a network's output
inline constexpr char hessian[] = "hessian";             ///< a parameter's Hessian diagonal (hessian_diag)
inline constexpr char output[] = "output";               ///< a result without another role
} // namespace roles

/// The network names of a parameter's optimizer state: the parameter's name
/// and one of these (--cpq-expand-training writes them; state arguments'
/// manifest entries carry them as their `tensor`).
namespace state_suffix {
inline constexpr char adam_first_moment[] = ".adam_m";
inline constexpr char adam_second_moment[] = ".adam_v";
inline constexpr char momentum[] = ".momentum";
} // namespace state_suffix

/// The network name of a parameter's Hessian diagonal, a result of
/// hessian_diag (--cpq-expand-hessian): the parameter's name and this.
inline constexpr char hessian_suffix[] = ".hessian";

} // namespace cpq::runtime
