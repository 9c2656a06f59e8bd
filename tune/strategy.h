//===- strategy.h - how the tuner picks the next schedule to try ---*- C++ -*-===//
//
// A strategy proposes the next point of the schedule space from the
// trials so far. Strategies keep no state of their own: each proposal is a
// function of the study's history and a generator seeded by (study seed,
// trial number), so a study killed and resumed proposes what it would have.
//
//   random        every knob drawn uniformly from its values
//   anneal        simulated annealing: one to three knobs of the current
//                 point moved (mostly to a neighbouring value); a slower
//                 point is accepted with probability exp(-slowdown / T),
//                 T falling linearly from 5% to 0 over the budget
//   evolutionary  a population of the best 8 points: tournament selection
//                 of two parents, crossover stage by stage, one or two
//                 knobs mutated
//   beam          the best 4 points, each expanded by single-knob moves
//                 not yet tried, taken in turn (coordinate search from the
//                 best points)
//
// Anneal and evolutionary pick the knobs they move with a weight: the
// stage's share of the hand schedule's time (StageSpace::share, from the
// study's profile) plus an equal floor; beam tries the knobs in that order.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "schedules/space.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace cpq::tune {

/// What a strategy sees of a finished trial.
struct Observation {
  schedules::Point point;     ///< every knob of the space set
  std::optional<double> ms;   ///< median time; empty when the trial failed
  bool accepted = false;      ///< anneal: became the current point
};

const std::vector<std::string> &strategy_names();

/// The hand schedule as a point with every knob set.
schedules::Point hand_point(const schedules::Space &space);

/// The canonical text of a point (to recognise one already tried).
std::string point_key(const schedules::Point &point);

struct Proposal {
  schedules::Point point;
  int parent = -1; ///< the history index it was made from (-1: none)
};

/// The next point `strategy` proposes after `history`; `progress` is the
/// fraction of the budget used (0..1). Never a point already in `history`
/// unless the space holds no other (then empty).
std::optional<Proposal> propose(const std::string &strategy, const schedules::Space &space,
                                const std::vector<Observation> &history, double progress, std::mt19937_64 &rng);

/// Anneal's acceptance of a finished trial that is `slowdown` (ms / current
/// ms - 1) slower than the current point, at `progress`; `u` uniform in
/// [0, 1).
bool anneal_accepts(double slowdown, double progress, double u);

} // namespace cpq::tune
