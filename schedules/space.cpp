//===- space.cpp - the schedule space the tuner searches --------------------===//
#include "schedules/space.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace cpq::schedules {

std::size_t Space::knobs() const {
  std::size_t n = 0;
  for (const StageSpace &s : stages) n += s.knobs.size();
  return n;
}

double Space::log10_points() const {
  double l = 0;
  for (const StageSpace &s : stages)
    for (const Knob &k : s.knobs) l += std::log10(double(k.values.size()));
  return l;
}

void Choices::stage(const std::string &key, const std::string &family) {
  std::string unique = key;
  for (int k = 2; std::any_of(space_.stages.begin(), space_.stages.end(),
                              [&](const StageSpace &s) { return s.key == unique; });
       ++k)
    unique = key + "#" + std::to_string(k);
  space_.stages.push_back({unique, family, {}});
}

int Choices::choose(const std::string &knob, std::vector<int> values, int hand) {
  if (space_.stages.empty()) throw std::logic_error("a schedule asked for '" + knob + "' before naming its stage");
  StageSpace &s = space_.stages.back();
  values.push_back(hand);
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  s.knobs.push_back({knob, values, hand});
  auto st = point_.find(s.key);
  if (st == point_.end()) return hand;
  used_.insert(s.key);
  auto it = st->second.find(knob);
  if (it == st->second.end()) return hand;
  used_.insert(s.key + "." + knob);
  if (!std::binary_search(values.begin(), values.end(), it->second)) {
    std::string allowed;
    for (int v : values) allowed += (allowed.empty() ? "" : ", ") + std::to_string(v);
    throw std::invalid_argument("stage '" + s.key + "', knob '" + knob + "': " + std::to_string(it->second) +
                                " is not one of its values (" + allowed + ")");
  }
  return it->second;
}

void Choices::covers(const std::string &name) {
  if (!space_.stages.empty()) space_.stages.back().funcs.push_back(name);
}

std::vector<std::string> Choices::unused() const {
  std::vector<std::string> out;
  for (const auto &[stage, knobs] : point_) {
    if (!used_.count(stage)) {
      out.push_back(stage);
      continue;
    }
    for (const auto &kv : knobs)
      if (!used_.count(stage + "." + kv.first)) out.push_back(stage + "." + kv.first);
  }
  return out;
}

std::string point_json(const Point &point, const std::string &family, const std::string &function,
                       const Space *space) {
  // Written by hand, one stage a line, so that files diff well.
  std::map<std::string, std::map<std::string, int>> hand;
  if (space)
    for (const StageSpace &s : space->stages)
      for (const Knob &k : s.knobs) hand[s.key][k.name] = k.hand;
  std::ostringstream os;
  os << "{\"format\": \"cpq-schedule\", \"version\": 1, \"family\": " << nlohmann::json(family).dump()
     << ", \"function\": " << nlohmann::json(function).dump() << ",\n \"stages\": {";
  bool first_stage = true;
  for (const auto &[stage, knobs] : point) {
    nlohmann::json entries = nlohmann::json::object();
    for (const auto &[knob, value] : knobs) {
      auto hs = hand.find(stage);
      if (space && hs != hand.end()) {
        auto hk = hs->second.find(knob);
        if (hk != hs->second.end() && hk->second == value) continue;
      }
      entries[knob] = value;
    }
    if (entries.empty()) continue;
    os << (first_stage ? "\n  " : ",\n  ") << nlohmann::json(stage).dump() << ": " << entries.dump();
    first_stage = false;
  }
  os << (first_stage ? "}}\n" : "\n }}\n");
  return os.str();
}

bool parse_point(const std::string &text, const std::string &what, Point &point, std::string &family,
                 std::string &function, std::string &error) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception &e) {
    error = what + ": not JSON: " + e.what();
    return false;
  }
  if (!j.is_object() || j.value("format", "") != "cpq-schedule") {
    error = what + ": not a cpq schedule file (expected an object with \"format\": \"cpq-schedule\")";
    return false;
  }
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != 1) {
    error = what + ": schedule file version " + (j.contains("version") ? j["version"].dump() : "(none)") +
            " is not supported (this build reads version 1)";
    return false;
  }
  family = j.value("family", "");
  function = j.value("function", "");
  if (!j.contains("stages") || !j["stages"].is_object()) {
    error = what + ": \"stages\" must be an object of stage names";
    return false;
  }
  point.clear();
  for (const auto &[stage, knobs] : j["stages"].items()) {
    if (!knobs.is_object()) {
      error = what + ": stage '" + stage + "': expected an object of knobs";
      return false;
    }
    auto &out = point[stage];
    for (const auto &[knob, value] : knobs.items()) {
      if (!value.is_number_integer()) {
        error = what + ": stage '" + stage + "', knob '" + knob + "': expected an integer, got " + value.dump();
        return false;
      }
      const long long v = value.get<long long>();
      if (v < -1000000 || v > 1000000) {
        error = what + ": stage '" + stage + "', knob '" + knob + "': " + std::to_string(v) + " is out of range";
        return false;
      }
      out[knob] = int(v);
    }
  }
  return true;
}

bool read_point(const std::string &path, Point &point, std::string &family, std::string &function,
                std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot read";
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_point(text.str(), path, point, family, function, error);
}

std::string space_json(const Space &space) {
  nlohmann::json stages = nlohmann::json::array();
  for (const StageSpace &s : space.stages) {
    nlohmann::json knobs = nlohmann::json::array();
    for (const Knob &k : s.knobs) knobs.push_back({{"knob", k.name}, {"values", k.values}, {"hand", k.hand}});
    stages.push_back({{"stage", s.key}, {"family", s.family}, {"knobs", knobs}, {"funcs", s.funcs}, {"share", s.share}});
  }
  nlohmann::json j = {{"family", space.family},
                      {"stages", stages},
                      {"knobs", space.knobs()},
                      {"log10_points", space.log10_points()}};
  return j.dump(1) + "\n";
}

} // namespace cpq::schedules
