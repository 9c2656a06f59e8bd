//===- study.h - a schedule tuning study: baselines, search, database -*- C++ -*-===//
//
// A study tunes the schedule of one function of a network (cpq-tune):
//
//   1. the schedule space of the function (schedules/space.h), space.json;
//   2. the baselines, each a trial: the hand schedule first (its outputs
//      become the reference every other trial is checked against), the
//      hand schedule again under Halide's profiler (each stage's share of
//      the time: profile.csv; the strategies move the knobs of the costly
//      stages more often), then each autoscheduler asked for;
//   3. schedule files given with --try, then the search: the strategy
//      proposes points (strategy.h) until the budget of search time is
//      spent; every trial runs in a child process (trial.h) with a time
//      limit, and a crash, a hang, a compile error or a wrong output is
//      recorded as its status;
//   4. the confirmation: the hand, the best and each correct
//      autoscheduler's kernels timed in interleaved rounds in one process;
//      its medians are the study's figures.
//
// A trial is the best so far only when it is faster beyond noise (its 95%
// interval of the median wholly below the best's, stats.h); a faster median
// inside the noise is recorded as a tie and does not replace the best.
//
// Everything is in the study folder: study.json (the options, which a
// resumed study must repeat), space.json, trials.json and trials.csv (the
// database, rewritten atomically after every trial), trials/NNNN/ (each
// trial's schedule.json, request.json, log.txt, result.json; the kernels
// of the baselines and of the best kept), reference.safetensors,
// best_schedule.json, confirm.json, summary.json, profile.csv, progress.png (gnuplot:
// best so far against search time, the baselines as lines). A study killed
// at any point resumes where it stopped when run again with the same
// options; a trial that was running is run again.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cpq::tune {

struct StudyOptions {
  std::string input, function, pipeline; ///< what cpq-compile would be given
  std::string out;                       ///< the study folder
  std::string strategy = "anneal";
  double budget_s = 600;                 ///< search time (the baselines are not counted)
  std::uint64_t seed = 1;
  int batch = 64, repeats = 21, confirm_rounds = 31;
  /// Baselines: Adams2019, Adams2019-beamN, Li2018, Mullapudi2016.
  std::vector<std::string> autoschedulers = {"Adams2019", "Li2018", "Mullapudi2016"};
  double trial_timeout_s = 600, baseline_timeout_s = 1800;
  std::vector<std::string> tries; ///< schedule files to try before searching
  int max_trials = 0;             ///< search trials at most (0: the budget decides)
  /// Testing the study itself: trial number -> crash, hang or wrong.
  std::map<int, std::string> faults;
  /// The executable run as the child (`--run-trial`, `--run-confirm`).
  std::string self;
};

/// Runs or resumes the study; `progress` hears one line per trial. Returns
/// false with `error` set when the study cannot go on (bad options, a
/// folder of another study, the hand schedule itself failing); failed
/// trials are not errors. `summary` is the one-line JSON summary.
bool run_study(const StudyOptions &options, const std::function<void(const std::string &)> &progress,
               std::string &summary, std::string &error);

/// "Adams2019-beamN": Adams2019 with a beam of N (HL_BEAM_SIZE in its trial;
/// its default beam of 32 ran out of 24 GB on LeNet-5's train_step).
bool split_beam(const std::string &name, std::string &autoscheduler, int &beam);

/// "10m", "90s", "1.5h", "600" (seconds) in seconds; false when not a duration.
bool parse_duration(const std::string &text, double &seconds);

} // namespace cpq::tune
