//===- records.h - the trial database of a tuning study ------------*- C++ -*-===//
//
// One trial as a study records it, and the study folder's files made from
// the records: trials.json (the database a resumed study reads back),
// trials.csv, and progress.png (gnuplot: best so far against search time,
// each trial a point, the baselines as lines). Every file is written to a
// temporary name and renamed.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "schedules/space.h"
#include "tune/stats.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace cpq::tune {

/// One trial as the database holds it.
using schedules::Point;

struct Record {
  int id = 0;
  std::string kind;     ///< hand, an autoscheduler's name, given (--try), search
  std::string strategy; ///< search trials: the strategy
  std::string status;   ///< ok, wrong, compile_error, error, crash, timeout
  std::string message;
  std::optional<Timing> timing;
  double compile_s = 0, wall_s = 0, search_s = 0; ///< search_s: search time used when it ended
  double max_error = 0;
  int parent = -1;
  bool accepted = false;
  std::string verdict; ///< search and given trials: faster, tie, slower (than the best then)
  /// A lower median than the best's: both medians when timed against each other.
  double versus_ms = 0, versus_best_ms = 0;
  std::string schedule; ///< the schedule given to the trial (a file for search trials)
  Point point;          ///< schedule files: the full point
};

nlohmann::json record_json(const Record &r);
/// Throws nlohmann::json::exception on a malformed record.
Record record_from(const nlohmann::json &j);

/// trials.json and trials.csv in `dir`, atomically.
bool write_database(const std::string &dir, const std::vector<Record> &records, double search_s, int best,
                    std::string &error);

/// progress.dat, progress.gp and progress.png in `dir` (gnuplot; a log
/// scale when a baseline is over 3x the fastest); false when gnuplot fails.
bool write_progress_plot(const std::string &dir, const std::vector<Record> &records, const std::string &title,
                         std::string &error);

/// `v` with `digits` decimals; a trial's folder name ("0007").
std::string number(double v, int digits = 4);
std::string trial_name(int id);

} // namespace cpq::tune
