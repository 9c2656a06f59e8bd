//===- strategy.cpp - how the tuner picks the next schedule to try ----------===//
#include "tune/strategy.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>

namespace cpq::tune {

using schedules::Knob;
using schedules::Point;
using schedules::Space;

const std::vector<std::string> &strategy_names() {
  static const std::vector<std::string> names = {"random", "anneal", "evolutionary", "beam"};
  return names;
}

Point hand_point(const Space &space) {
  Point p;
  for (const auto &s : space.stages)
    for (const Knob &k : s.knobs) p[s.key][k.name] = k.hand;
  return p;
}

std::string point_key(const Point &point) {
  std::ostringstream os;
  for (const auto &[stage, knobs] : point)
    for (const auto &[knob, value] : knobs) os << stage << '.' << knob << '=' << value << ';';
  return os.str();
}

namespace {

struct KnobRef {
  const std::string *stage;
  const Knob *knob;
  double weight; ///< how often it is moved, relative to the others
};

/// The knobs that can move, weighted by their stage's share of the time
/// (profile) plus an equal floor, so that every knob keeps some chance.
std::vector<KnobRef> all_knobs(const Space &space) {
  std::vector<KnobRef> out;
  std::size_t stages = 0;
  for (const auto &s : space.stages) stages += !s.knobs.empty();
  for (const auto &s : space.stages)
    for (const Knob &k : s.knobs)
      if (k.values.size() > 1) out.push_back({&s.key, &k, 0.1 / double(std::max<std::size_t>(1, stages)) + s.share});
  return out;
}

const KnobRef &weighted_pick(const std::vector<KnobRef> &knobs, std::mt19937_64 &rng) {
  double total = 0;
  for (const KnobRef &k : knobs) total += k.weight;
  double u = std::uniform_real_distribution<double>(0, total)(rng);
  for (const KnobRef &k : knobs) {
    if (u < k.weight) return k;
    u -= k.weight;
  }
  return knobs.back();
}

int uniform_index(std::mt19937_64 &rng, std::size_t n) {
  return int(std::uniform_int_distribution<std::size_t>(0, n - 1)(rng));
}

/// Another value of `k` than `current`: a neighbour (one index away) with
/// probability 0.7, else any other.
int moved(const Knob &k, int current, std::mt19937_64 &rng) {
  const auto it = std::find(k.values.begin(), k.values.end(), current);
  const int at = it == k.values.end() ? 0 : int(it - k.values.begin());
  const int n = int(k.values.size());
  if (std::uniform_real_distribution<double>(0, 1)(rng) < 0.7) {
    if (at == 0) return k.values[1];
    if (at == n - 1) return k.values[n - 2];
    return k.values[std::uniform_int_distribution<int>(0, 1)(rng) ? at + 1 : at - 1];
  }
  int other = uniform_index(rng, n - 1);
  if (other >= at) ++other;
  return k.values[other];
}

/// Indices of successful observations, fastest first.
std::vector<int> ranked(const std::vector<Observation> &history) {
  std::vector<int> ok;
  for (int i = 0; i < int(history.size()); ++i)
    if (history[i].ms) ok.push_back(i);
  std::stable_sort(ok.begin(), ok.end(), [&](int a, int b) { return *history[a].ms < *history[b].ms; });
  return ok;
}

Point mutate(const Space &space, Point p, int moves, std::mt19937_64 &rng) {
  const std::vector<KnobRef> knobs = all_knobs(space);
  if (knobs.empty()) return p;
  for (int m = 0; m < moves; ++m) {
    const KnobRef &r = weighted_pick(knobs, rng);
    int &v = p[*r.stage][r.knob->name];
    v = moved(*r.knob, v, rng);
  }
  return p;
}

std::optional<Proposal> propose_once(const std::string &strategy, const Space &space,
                                     const std::vector<Observation> &history, double /*progress*/,
                                     std::mt19937_64 &rng, const std::set<std::string> &tried) {
  const std::vector<int> best = ranked(history);
  if (strategy == "random" || best.empty()) {
    Point p = hand_point(space);
    for (const auto &s : space.stages)
      for (const Knob &k : s.knobs) p[s.key][k.name] = k.values[uniform_index(rng, k.values.size())];
    return Proposal{p, -1};
  }
  if (strategy == "anneal") {
    // The current point: the last accepted, else the best.
    int current = best.front();
    for (int i = int(history.size()) - 1; i >= 0; --i)
      if (history[i].accepted && history[i].ms) {
        current = i;
        break;
      }
    const int moves = 1 + uniform_index(rng, 3);
    return Proposal{mutate(space, history[current].point, moves, rng), current};
  }
  if (strategy == "evolutionary") {
    const int population = std::min<int>(8, int(best.size()));
    auto tournament = [&]() {
      int pick = uniform_index(rng, population);
      for (int t = 1; t < 3; ++t) pick = std::min(pick, uniform_index(rng, population));
      return best[pick];
    };
    const int a = tournament(), b = tournament();
    Point child;
    for (const auto &s : space.stages) {
      const Point &from = std::uniform_int_distribution<int>(0, 1)(rng) ? history[a].point : history[b].point;
      auto it = from.find(s.key);
      for (const Knob &k : s.knobs)
        child[s.key][k.name] = it != from.end() && it->second.count(k.name) ? it->second.at(k.name) : k.hand;
    }
    // One or two mutations, knobs picked by their weight.
    child = mutate(space, child, 1 + uniform_index(rng, 2), rng);
    return Proposal{child, a};
  }
  if (strategy == "beam") {
    // Beam members in turn; from each, the single-knob moves not yet tried,
    // the knobs of the stages that take the most time first (in the order
    // of the space where no profile tells them apart).
    const int width = std::min<int>(4, int(best.size()));
    std::vector<KnobRef> knobs = all_knobs(space);
    if (knobs.empty()) return std::nullopt;
    std::stable_sort(knobs.begin(), knobs.end(), [](const KnobRef &x, const KnobRef &y) { return x.weight > y.weight; });
    const int first_member = int(history.size()) % width;
    for (int m = 0; m < width; ++m) {
      const int member = best[(first_member + m) % width];
      for (std::size_t j = 0; j < knobs.size(); ++j) {
        const KnobRef &r = knobs[j];
        for (int value : r.knob->values) {
          Point p = history[member].point;
          int &v = p[*r.stage][r.knob->name];
          if (v == value) continue;
          v = value;
          if (!tried.count(point_key(p))) return Proposal{p, member};
        }
      }
    }
    return std::nullopt; // every neighbour of the beam was tried
  }
  throw std::invalid_argument("unknown strategy '" + strategy + "' (random, anneal, evolutionary or beam)");
}

} // namespace

std::optional<Proposal> propose(const std::string &strategy, const Space &space,
                                const std::vector<Observation> &history, double progress, std::mt19937_64 &rng) {
  std::set<std::string> tried;
  for (const Observation &o : history) tried.insert(point_key(o.point));
  for (int attempt = 0; attempt < 200; ++attempt) {
    std::optional<Proposal> p = propose_once(strategy, space, history, progress, rng, tried);
    if (!p) break;
    if (!tried.count(point_key(p->point))) return p;
  }
  // Stuck (a small space, or a beam whose neighbours were all tried): a
  // random point not tried yet, if one turns up.
  for (int attempt = 0; attempt < 200; ++attempt) {
    std::optional<Proposal> p = propose_once("random", space, history, progress, rng, tried);
    if (p && !tried.count(point_key(p->point))) return p;
  }
  return std::nullopt;
}

bool anneal_accepts(double slowdown, double progress, double u) {
  if (slowdown <= 0) return true;
  const double t = 0.05 * std::max(0.0, 1.0 - progress);
  if (t <= 0) return false;
  return u < std::exp(-slowdown / t);
}

} // namespace cpq::tune
