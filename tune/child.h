//===- child.h - the processes a tuning study runs ------------------*- C++ -*-===//
//
// Trials and confirmations run as child processes (`cpq-tune --run-trial`,
// `--run-confirm`) in their own process group, with their output in a log
// and a time limit after which the whole group is killed.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <map>
#include <string>
#include <vector>

namespace cpq::tune {

/// Runs `argv` in a child process (its own process group, output to
/// `log`), killing the group after `timeout_s`. Returns the wait status,
/// -1 (with `timed_out`) after a kill for time, or -2 (with `error`) when it
/// cannot start.
int run_child(const std::vector<std::string> &argv, const std::string &log, double timeout_s, bool &timed_out,
              std::string &error);

/// The last `n` lines of a log that are not Halide's warnings, joined by
/// " | " (at most 600 characters).
std::string last_lines(const std::string &path, int n);

/// The ms per call of each Func in a log holding Halide's profiler report
/// ("  conv2d_7_acc:  1.515ms   (4%) ..."), summed by name.
std::map<std::string, double> profiler_report(const std::string &log);

/// A file's text ("" when it cannot be read).
std::string read_text(const std::string &path);

} // namespace cpq::tune
