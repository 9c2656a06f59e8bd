//===- space.h - the schedule space the tuner searches --------------*- C++ -*-===//
//
// This file declares the schedule space of a lowered cpq function: for each
// stage (a Func, or an op's group of Funcs, named by its first Func), the
// knobs its family's hand schedule reads (vector width, register tile,
// vectors per block, parallel axis, chunk sizes, channel tiles, inlining or
// fusing a quantizer into its consumers), each with the values it may take
// and the value the hand schedule picks. The hand schedule is the point
// where every knob takes its hand value.
//
// The space is not written down twice: the family's schedule asks a
// Choices object for each knob as it schedules (`choose`), so running it
// records the space and, given a point, applies it. A point is a small
// JSON file (`cpq-compile --schedule FILE`, `cpq-train --schedule FILE`,
// what `cpq-tune` writes):
//
//   {"format": "cpq-schedule", "version": 1, "family": "x86",
//    "function": "train_step",
//    "stages": {"conv2d_3": {"register_tile": 8, "vectors_per_block": 2}}}
//
// Stages and knobs it leaves out take their hand values.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace cpq::schedules {

/// One decision of a stage's schedule.
struct Knob {
  std::string name;
  std::vector<int> values; ///< ascending
  int hand = 0;            ///< the hand schedule's value (one of values)
};

/// A stage of the space: its key (the first Func's name), the op family,
/// its knobs in the order the schedule asks for them.
struct StageSpace {
  std::string key, family;
  std::vector<Knob> knobs;
  /// The Funcs the stage's schedule placed (its results, accumulators,
  /// operand copies, helpers), to attribute a profile's times to stages.
  std::vector<std::string> funcs;
  /// The stage's share of the function's time under the hand schedule
  /// (from a profile; 0 when unknown). Strategies move the knobs of stages
  /// that take time more often.
  double share = 0;
};

struct Space {
  std::string family; ///< the target family ("x86")
  std::vector<StageSpace> stages;
  /// Knobs in all; the number of points (log10, as it overflows).
  std::size_t knobs() const;
  double log10_points() const;
};

/// A point of a space: per stage key, per knob, a value. What it leaves out
/// is the hand schedule's.
using Point = std::map<std::string, std::map<std::string, int>>;

/// Asked by a family's schedule for each decision; records the space and
/// returns the point's value or the hand value.
class Choices {
public:
  explicit Choices(Point point = {}) : point_(std::move(point)) {}
  /// The stage the next knobs belong to.
  void stage(const std::string &key, const std::string &family);
  /// The value of `knob` for the current stage: the point's, else `hand`.
  /// `hand` is added to `values` if missing. Throws std::invalid_argument
  /// when the point gives a value the knob does not take.
  int choose(const std::string &knob, std::vector<int> values, int hand);
  /// Records that the current stage's schedule placed Func `name`.
  void covers(const std::string &name);

  Space &space() { return space_; }
  const Space &space() const { return space_; }
  /// Entries of the point that no stage asked for ("stage" or "stage.knob").
  std::vector<std::string> unused() const;

private:
  Point point_;
  Space space_;
  std::set<std::string> used_;
};

/// The text of a schedule file for `point` (only its entries that differ
/// from the hand values when `space` is given).
std::string point_json(const Point &point, const std::string &family, const std::string &function,
                       const Space *space = nullptr);
/// Reads a schedule file's text; false with `error` = "<what>: <problem>".
bool parse_point(const std::string &text, const std::string &what, Point &point, std::string &family,
                 std::string &function, std::string &error);
/// Reads a schedule file; false with `error` naming it.
bool read_point(const std::string &path, Point &point, std::string &family, std::string &function,
                std::string &error);
/// The space as JSON (the stages, their families, knobs, values and hand
/// values), for `cpq-tune --list-space`.
std::string space_json(const Space &space);

} // namespace cpq::schedules
