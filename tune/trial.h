//===- trial.h - one trial of a tuning study, run in a child process -*- C++ -*-===//
//
// A trial compiles the studied function with one schedule (a schedule file,
// "hand", or an autoscheduler) into a shared kernel, exactly as cpq-compile
// does, loads it through the runtime's kernel loader, calls it on inputs
// made from the manifest (parameters at their initial values for seed 1,
// optimizer state zero, images uniform in [0, 1), labels 0 and 1 in turn,
// step 3, seed 11, learning rate 1e-3), checks every output against the
// hand schedule's (written by the hand baseline as the reference), and
// times repeated calls.
//
// It runs in a child process (`cpq-tune --run-trial REQUEST.json`) so that
// a crash, a hang or an abort inside Halide or the kernel is the child's
// end, recorded by the study, never the study's. The child writes
// result.json atomically; no result.json means it did not finish.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>
#include <vector>

namespace cpq::tune {

struct TrialRequest {
  std::string input, function, pipeline; ///< the .mlir file, its function, a cpq-opt pipeline run first
  std::string schedule = "hand";         ///< hand, an autoscheduler, or a schedule file
  std::string dir;                       ///< the trial's folder: kernel.{so,json}, result.json
  std::string reference;                 ///< the hand schedule's outputs (safetensors)
  bool make_reference = false;           ///< write `reference` from this trial's outputs
  int batch = 64, repeats = 21, warmup = 2;
  std::string fault; ///< testing the study: "crash", "hang" or "wrong" (an output perturbed)
  /// Compile with Halide's profiler: the kernel's report of the time of
  /// each Func goes to the trial's log when the child exits.
  bool profile = false;
  /// Adams2019's beam (HL_BEAM_SIZE); 0: its default.
  int beam = 0;
};

/// The request as JSON, and back (false with `error` naming `what`).
std::string request_json(const TrialRequest &r);
bool parse_request(const std::string &text, const std::string &what, TrialRequest &r, std::string &error);

/// Runs a trial (in the child); writes dir/result.json with "status" (ok,
/// wrong, compile_error, error), "message", "compile_s", "ms" (every
/// timed call), "max_error" and "worst_output". Returns the exit code.
int run_trial(const TrialRequest &request);

/// The final comparison: the kernels (prefixes of .so/.json) loaded in one
/// process and timed in interleaved rounds (per round, each kernel called
/// twice and the second call timed), so that the machine's drift touches
/// all alike and none is timed on another's caches; writes `out` (JSON:
/// per kernel, every time). Returns the exit code.
int run_confirm(const std::vector<std::string> &kernels, int batch, int rounds, const std::string &out);

} // namespace cpq::tune
