//===- study.cpp - a schedule tuning study: baselines, search, confirmation ===//
#include "tune/study.h"

#include "codegen/aot.h"
#include "cpq/runtime/atomic_file.h"
#include "schedules/schedule.h"
#include "tune/child.h"
#include "tune/records.h"
#include "tune/stats.h"
#include "tune/strategy.h"
#include "tune/trial.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <sys/wait.h>

namespace cpq::tune {

namespace fs = std::filesystem;
using json = nlohmann::json;
using schedules::Point;
using schedules::Space;

bool parse_duration(const std::string &text, double &seconds) {
  if (text.empty()) return false;
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (...) {
    return false;
  }
  const std::string unit = text.substr(used);
  const double scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : -1;
  if (scale < 0 || !(v > 0) || !std::isfinite(v)) return false;
  seconds = v * scale;
  return true;
}

namespace {


} // namespace

bool split_beam(const std::string &name, std::string &autoscheduler, int &beam) {
  const std::string tail = "-beam";
  const auto at = name.rfind(tail);
  if (at == std::string::npos || name.compare(0, at, "Adams2019") != 0) return false;
  const std::string digits = name.substr(at + tail.size());
  if (digits.empty() || digits.size() > 4 || digits.find_first_not_of("0123456789") != std::string::npos) return false;
  beam = std::stoi(digits);
  if (beam < 1) return false;
  autoscheduler = "Adams2019";
  return true;
}

namespace {

class Study {
public:
  Study(const StudyOptions &o, const std::function<void(const std::string &)> &progress)
      : o_(o), progress_(progress) {}

  bool run(std::string &summary, std::string &error);

private:
  const StudyOptions &o_;
  std::function<void(const std::string &)> progress_;
  Space space_;
  std::vector<Record> records_;
  double search_s_ = 0; ///< search time used
  int best_ = -1;       ///< index in records_ of the best trial (hand at first)

  std::string path(const std::string &name) const { return (fs::path(o_.out) / name).string(); }
  std::string dir_of(int id) const { return path("trials/" + trial_name(id)); }
  std::string kernel_of(int id) const { return dir_of(id) + "/kernel"; }

  bool open(std::string &error);
  bool save(std::string &error);
  const Record *find_kind(const std::string &kind) const {
    for (const Record &r : records_)
      if (r.kind == kind) return &r;
    return nullptr;
  }
  Record trial(int id, const std::string &kind, const std::string &schedule, bool make_reference, double timeout_s,
               std::string &error, bool profile = false);
  bool read_profile(const Record &r, std::string &error);
  void judge(Record &r);
  void drop_kernel(int id);
  void report(const Record &r);
  bool plot(std::string &error);
  bool confirm(json &figures, std::string &error);
};

bool Study::open(std::string &error) {
  std::error_code ec;
  fs::create_directories(path("trials"), ec);
  if (ec) {
    error = o_.out + ": cannot create the study folder: " + ec.message();
    return false;
  }
  const json config = {{"input", fs::absolute(o_.input).string()},
                       {"function", o_.function},
                       {"pipeline", o_.pipeline},
                       {"strategy", o_.strategy},
                       {"seed", o_.seed},
                       {"batch", o_.batch},
                       {"repeats", o_.repeats},
                       {"autoschedulers", o_.autoschedulers}};
  const std::string config_path = path("study.json");
  if (fs::exists(config_path)) {
    json old;
    try {
      old = json::parse(read_text(config_path));
    } catch (const json::exception &e) {
      error = config_path + ": not JSON (" + e.what() + "); remove the folder or choose another -o";
      return false;
    }
    for (const auto &[key, value] : config.items())
      if (!old.contains(key) || old[key] != value) {
        error = o_.out + ": a study with other options (" + key + " was " +
                (old.contains(key) ? old[key].dump() : "unset") + ", now " + value.dump() +
                "); resume it with the same options or choose another -o";
        return false;
      }
  } else if (!runtime::write_atomically(config_path, config.dump(1) + "\n", error)) {
    return false;
  }
  const std::string db = path("trials.json");
  if (fs::exists(db)) {
    try {
      const json j = json::parse(read_text(db));
      for (const json &r : j.at("trials")) records_.push_back(record_from(r));
      search_s_ = j.at("search_s");
      best_ = j.at("best");
    } catch (const json::exception &e) {
      error = db + ": not a trial database (" + e.what() + ")";
      return false;
    }
  }
  // A trial folder without a record was running when the study stopped.
  for (const auto &entry : fs::directory_iterator(path("trials"))) {
    const int id = std::atoi(entry.path().filename().c_str());
    if (id >= int(records_.size())) fs::remove_all(entry.path(), ec);
  }
  return true;
}

bool Study::save(std::string &error) { return write_database(o_.out, records_, search_s_, best_, error); }

Record Study::trial(int id, const std::string &kind, const std::string &schedule, bool make_reference,
                    double timeout_s, std::string &error, bool profile) {
  Record r;
  r.id = id, r.kind = kind, r.schedule = schedule;
  const std::string dir = dir_of(id);
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::remove(dir + "/result.json", ec);
  TrialRequest q;
  q.input = o_.input, q.function = o_.function, q.pipeline = o_.pipeline, q.schedule = schedule, q.dir = dir;
  int beam = 0;
  if (split_beam(schedule, q.schedule, beam)) q.beam = beam; // Adams2019-beam1
  q.reference = path("reference.safetensors"), q.make_reference = make_reference;
  q.batch = o_.batch, q.repeats = o_.repeats, q.profile = profile;
  auto fault = o_.faults.find(id);
  if (fault != o_.faults.end()) q.fault = fault->second;
  const std::string request = dir + "/request.json";
  if (!runtime::write_atomically(request, request_json(q), error)) {
    r.status = "error", r.message = error;
    return r;
  }
  bool timed_out = false;
  const auto start = std::chrono::steady_clock::now();
  const int status = run_child({o_.self, "--run-trial", request}, dir + "/log.txt", timeout_s, timed_out, error);
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (status == -2) {
    r.status = "error", r.message = error;
    return r;
  }
  if (timed_out) {
    r.status = "timeout";
    r.message = "killed after " + number(timeout_s, 0) + " s";
    return r;
  }
  if (WIFSIGNALED(status)) {
    r.status = "crash";
    r.message = std::string("signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) +
                "); " + last_lines(dir + "/log.txt", 3);
    return r;
  }
  json result;
  try {
    result = json::parse(read_text(dir + "/result.json"));
  } catch (const json::exception &) {
    r.status = "crash";
    r.message = "exit code " + std::to_string(WEXITSTATUS(status)) + " without a result; " +
                last_lines(dir + "/log.txt", 3);
    return r;
  }
  r.status = result.value("status", "error");
  r.message = result.value("message", "");
  if (result.contains("compile_s") && result["compile_s"].is_number()) r.compile_s = result["compile_s"];
  if (result.contains("max_error") && result["max_error"].is_number()) r.max_error = result["max_error"];
  if (r.status == "ok") {
    const std::vector<double> ms = result.at("ms").get<std::vector<double>>();
    if (ms.empty()) {
      r.status = "error", r.message = "no timings";
    } else {
      r.timing = summarize(ms);
    }
  }
  return r;
}

void Study::drop_kernel(int id) {
  for (const char *suffix : {".so", ".json"}) std::remove((kernel_of(id) + suffix).c_str());
}

void Study::report(const Record &r) {
  std::ostringstream os;
  os << "trial " << r.id << " [" << (r.kind == "search" ? r.strategy : r.kind) << "] " << r.status;
  if (r.timing)
    os << " " << number(r.timing->median, 3) << " ms (" << number(r.timing->low, 3) << "-"
       << number(r.timing->high, 3) << ")";
  if (!r.verdict.empty()) os << " " << r.verdict;
  if (r.versus_ms > 0)
    os << " (against the best: " << number(r.versus_ms, 3) << " vs " << number(r.versus_best_ms, 3) << " ms)";
  if (r.status != "ok" && !r.message.empty()) os << ": " << r.message.substr(0, 300);
  if (best_ >= 0 && records_[best_].timing)
    os << "; best " << number(records_[best_].timing->median, 3) << " ms (trial " << records_[best_].id << ")";
  if (r.kind == "search" || r.kind == "given")
    os << "; search " << number(search_s_ / 60, 1) << "/" << number(o_.budget_s / 60, 1) << " min";
  progress_(os.str());
}

/// Search and given trials: compared with the best so far. A lower median
/// is not trusted by itself (the best was timed minutes earlier, and the
/// machine drifts): the two kernels are timed against each other in one
/// process, interleaved, and the trial is faster only when its interval
/// lies wholly below the best's there.
void Study::judge(Record &r) {
  if (!r.timing || best_ < 0 || !records_[best_].timing) return;
  const auto start = std::chrono::steady_clock::now();
  struct Clock { // the comparison's time is the trial's
    Record &r;
    std::chrono::steady_clock::time_point start;
    ~Clock() { r.wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
  } clock{r, start};
  const Timing &b = *records_[best_].timing;
  if (r.timing->median >= b.median) {
    r.verdict = faster(b, *r.timing) ? "slower" : "tie";
    return;
  }
  const std::string request = dir_of(r.id) + "/versus_request.json", out = dir_of(r.id) + "/versus.json";
  const json q = {{"kernels", {kernel_of(records_[best_].id), kernel_of(r.id)}},
                  {"batch", o_.batch},
                  {"rounds", o_.repeats},
                  {"out", out}};
  std::string error;
  bool timed_out = false;
  r.verdict = "tie";
  if (!runtime::write_atomically(request, q.dump() + "\n", error)) return;
  const int status =
      run_child({o_.self, "--run-confirm", request}, dir_of(r.id) + "/versus.log", o_.trial_timeout_s, timed_out, error);
  if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return;
  try {
    const json v = json::parse(read_text(out));
    const Timing incumbent = summarize(v.at("ms").at(0).get<std::vector<double>>());
    const Timing challenger = summarize(v.at("ms").at(1).get<std::vector<double>>());
    r.versus_ms = challenger.median, r.versus_best_ms = incumbent.median;
    if (faster(challenger, incumbent)) r.verdict = "faster";
  } catch (const json::exception &) {
  }
}

/// The profile trial's log: Halide's profiler report, one line per Func
/// ("  conv2d_7_acc:  1.515ms   (4%) ..."). Each Func's time goes to the
/// stage that placed it (or whose key or Func name prefixes it); the
/// shares go to the space and to profile.csv.
bool Study::read_profile(const Record &r, std::string &error) {
  const std::map<std::string, double> per_func = profiler_report(dir_of(r.id) + "/log.txt");
  if (per_func.empty()) {
    error = "no profile in " + dir_of(r.id) + "/log.txt";
    return false;
  }
  std::map<std::string, int> owner; // exact names
  for (int k = 0; k < int(space_.stages.size()); ++k) {
    owner[space_.stages[k].key] = k;
    for (const std::string &f : space_.stages[k].funcs) owner.emplace(f, k);
  }
  std::vector<double> ms(space_.stages.size(), 0.0);
  double total = 0, unattributed = 0;
  for (const auto &[name, t] : per_func) {
    if (name == "halide_malloc" || name == "halide_free") continue;
    total += t;
    int stage = -1;
    auto it = owner.find(name);
    if (it != owner.end()) {
      stage = it->second;
    } else {
      std::size_t longest = 0;
      for (const auto &[f, k] : owner)
        if (f.size() > longest && name.compare(0, f.size(), f) == 0 && name.size() > f.size() &&
            (name[f.size()] == '_' || name[f.size()] == '$'))
          longest = f.size(), stage = k;
    }
    if (stage < 0)
      unattributed += t;
    else
      ms[stage] += t;
  }
  std::ostringstream csv;
  csv << "stage,family,ms_per_call,share\n";
  for (std::size_t k = 0; k < space_.stages.size(); ++k) {
    space_.stages[k].share = total > 0 ? ms[k] / total : 0;
    if (ms[k] > 0)
      csv << space_.stages[k].key << ',' << space_.stages[k].family << ',' << number(ms[k]) << ','
          << number(space_.stages[k].share) << '\n';
  }
  csv << "(unattributed),," << number(unattributed) << ',' << number(total > 0 ? unattributed / total : 0) << '\n';
  return runtime::write_atomically(path("profile.csv"), csv.str(), error) &&
         runtime::write_atomically(path("space.json"), schedules::space_json(space_), error);
}

bool Study::plot(std::string &error) {
  const std::string title = "cpq-tune: " + o_.function + " of " + fs::path(o_.input).filename().string() + " (" +
                            o_.strategy + ", batch " + std::to_string(o_.batch) + ")";
  return write_progress_plot(o_.out, records_, title, error);
}

bool Study::confirm(json &figures, std::string &error) {
  std::vector<std::string> names, kernels;
  const Record &hand = *find_kind("hand");
  names.push_back("hand"), kernels.push_back(kernel_of(hand.id));
  if (records_[best_].id != hand.id) names.push_back("best"), kernels.push_back(kernel_of(records_[best_].id));
  for (const std::string &a : o_.autoschedulers) {
    const Record *r = find_kind(a);
    if (r && r->status == "ok") names.push_back(a), kernels.push_back(kernel_of(r->id));
  }
  const json request = {{"kernels", kernels}, {"batch", o_.batch}, {"rounds", o_.confirm_rounds},
                        {"out", path("confirm.json")}};
  if (!runtime::write_atomically(path("confirm_request.json"), request.dump() + "\n", error)) return false;
  bool timed_out = false;
  const int status = run_child({o_.self, "--run-confirm", path("confirm_request.json")}, path("confirm.log"),
                               o_.trial_timeout_s * 4, timed_out, error);
  if (status == -2) return false;
  if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    error = "the confirmation run failed: " + last_lines(path("confirm.log"), 3);
    return false;
  }
  try {
    const json out = json::parse(read_text(path("confirm.json")));
    for (std::size_t k = 0; k < names.size(); ++k) {
      const Timing t = summarize(out.at("ms").at(k).get<std::vector<double>>());
      figures[names[k]] = {{"median_ms", t.median}, {"ci_low_ms", t.low}, {"ci_high_ms", t.high}};
    }
  } catch (const std::exception &e) {
    error = path("confirm.json") + ": not the confirmation's times (" + e.what() + ")";
    return false;
  }
  if (!figures.contains("best")) figures["best"] = figures["hand"];
  return true;
}

bool Study::run(std::string &summary, std::string &error) {
  if (!open(error)) return false;
  {
    codegen::AotOptions a;
    a.input = o_.input, a.function = o_.function, a.pipeline = o_.pipeline, a.output = path("space");
    a.lowering.batch_estimate = o_.batch;
    a.space = &space_;
    if (!codegen::compile_aot(a, error)) return false;
    if (!runtime::write_atomically(path("space.json"), schedules::space_json(space_), error)) return false;
  }
  progress_("cpq-tune: " + o_.function + " of " + o_.input + ": " + std::to_string(space_.stages.size()) +
            " stages, " + std::to_string(space_.knobs()) + " knobs, 10^" + number(space_.log10_points(), 1) +
            " schedules; strategy " + o_.strategy + ", budget " + number(o_.budget_s / 60, 1) + " min" +
            (records_.empty() ? "" : "; resuming after " + std::to_string(records_.size()) + " trials"));

  auto add = [&](Record r) -> bool {
    records_.push_back(std::move(r));
    report(records_.back());
    std::string e;
    if (!save(e)) {
      error = e;
      return false;
    }
    plot(e); // a missing gnuplot costs the plot, not the study
    return true;
  };

  // 1. Baselines.
  if (!find_kind("hand")) {
    Record r = trial(int(records_.size()), "hand", "hand", true, o_.baseline_timeout_s, error);
    r.point = hand_point(space_);
    if (r.status != "ok") {
      error = "the hand schedule's trial failed (" + r.status + "): " + r.message + " (" + dir_of(r.id) + "/log.txt)";
      records_.push_back(r);
      std::string e;
      save(e);
      return false;
    }
    best_ = int(records_.size());
    if (!add(r)) return false;
  }
  // The hand schedule profiled (Halide's profiler): which stages take the
  // time, so that the strategies move their knobs more often.
  if (!find_kind("profile")) {
    Record r = trial(int(records_.size()), "profile", "hand", false, o_.baseline_timeout_s, error, true);
    if (!add(r)) return false;
  }
  {
    std::string e;
    const Record &p = *find_kind("profile");
    if (p.status != "ok" || !read_profile(p, e))
      progress_("cpq-tune: warning: no profile (" + (p.status != "ok" ? p.message : e) +
                "); the strategies weigh every stage alike");
    else
      progress_("cpq-tune: profile of the hand schedule in " + path("profile.csv"));
  }
  for (const std::string &a : o_.autoschedulers) {
    if (find_kind(a)) continue;
    Record r = trial(int(records_.size()), a, a, false, o_.baseline_timeout_s, error);
    if (r.status == "crash" && r.message.rfind("signal 9", 0) == 0)
      r.message += " (killed by the system: out of memory?)";
    if (!add(r)) return false;
  }

  // 2. Given schedules, then the search.
  std::vector<Observation> history;
  auto observe = [&](const Record &r) {
    if (r.point.empty()) return;
    history.push_back({r.point, r.timing ? std::optional<double>(r.timing->median) : std::nullopt, r.accepted});
  };
  for (const Record &r : records_) observe(r);
  int given = 0;
  for (const Record &r : records_) given += r.kind == "given";
  for (std::size_t k = std::size_t(given); k < o_.tries.size(); ++k) {
    Point point;
    std::string family, function;
    Record r;
    const int id = int(records_.size());
    if (!schedules::read_point(o_.tries[k], point, family, function, error)) return false;
    fs::create_directories(dir_of(id));
    const std::string file = dir_of(id) + "/schedule.json";
    std::error_code ec;
    fs::copy_file(o_.tries[k], file + ".given", fs::copy_options::overwrite_existing, ec);
    r = trial(id, "given", o_.tries[k], false, o_.trial_timeout_s, error);
    r.point = hand_point(space_);
    for (const auto &[stage, knobs] : point)
      for (const auto &[knob, value] : knobs) r.point[stage][knob] = value;
    judge(r);
    search_s_ += r.wall_s;
    r.search_s = search_s_;
    if (r.verdict == "faster") best_ = int(records_.size());
    observe(r);
    if (!add(r)) return false;
  }

  int searched = 0;
  for (const Record &r : records_) searched += r.kind == "search";
  while (search_s_ < o_.budget_s && (o_.max_trials == 0 || searched < o_.max_trials)) {
    const int id = int(records_.size());
    std::mt19937_64 rng(o_.seed * 0x9E3779B97F4A7C15ull + std::uint64_t(id));
    const double progress = std::min(1.0, search_s_ / o_.budget_s);
    std::optional<Proposal> p = propose(o_.strategy, space_, history, progress, rng);
    if (!p) {
      progress_("cpq-tune: the strategy has no untried schedule left; the search ends");
      break;
    }
    std::error_code ec;
    fs::create_directories(dir_of(id), ec);
    const std::string file = dir_of(id) + "/schedule.json";
    if (!runtime::write_atomically(file, schedules::point_json(p->point, space_.family, o_.function, &space_), error))
      return false;
    Record r = trial(id, "search", file, false, o_.trial_timeout_s, error);
    r.strategy = o_.strategy, r.point = p->point, r.parent = p->parent;
    judge(r);
    search_s_ += r.wall_s;
    r.search_s = search_s_;
    if (o_.strategy == "anneal" && r.timing) {
      // The current point: the last accepted (or the best).
      double current = records_[best_].timing->median;
      for (auto it = records_.rbegin(); it != records_.rend(); ++it)
        if (it->accepted && it->timing) {
          current = it->timing->median;
          break;
        }
      r.accepted = anneal_accepts(r.timing->median / current - 1, progress,
                                  std::uniform_real_distribution<double>(0, 1)(rng));
    }
    const int previous_best = best_;
    if (r.verdict == "faster") best_ = id;
    observe(r);
    ++searched;
    if (!add(r)) return false;
    if (best_ != previous_best && records_[previous_best].kind == "search") drop_kernel(records_[previous_best].id);
    if (best_ != id) drop_kernel(id);
  }

  // 3. The best schedule, the confirmation, the summary.
  const Record &best = records_[best_];
  if (!runtime::write_atomically(path("best_schedule.json"),
                                 schedules::point_json(best.point, space_.family, o_.function, &space_), error))
    return false;
  json figures = json::object();
  if (!confirm(figures, error)) return false;
  int failed = 0, trials = 0;
  json failures = json::object();
  for (const Record &r : records_) {
    if (r.kind != "search" && r.kind != "given") continue;
    ++trials;
    if (r.status != "ok") {
      ++failed;
      failures[r.status] = failures.value(r.status, 0) + 1;
    }
  }
  json autoschedulers = json::object(), status = json::object();
  double best_auto = 0;
  for (const std::string &a : o_.autoschedulers) {
    const Record *r = find_kind(a);
    status[a] = r ? r->status : "not run";
    if (figures.contains(a)) {
      autoschedulers[a] = figures[a]["median_ms"];
      const double ms = figures[a]["median_ms"];
      if (best_auto == 0 || ms < best_auto) best_auto = ms;
    } else {
      autoschedulers[a] = nullptr;
    }
  }
  const double best_ms = figures["best"]["median_ms"], hand_ms = figures["hand"]["median_ms"];
  json s = {{"best_ms", best_ms},
            {"hand_ms", hand_ms},
            {"autoscheduler_ms", autoschedulers},
            {"autoscheduler_status", status},
            {"trials", trials},
            {"failed_trials", failed},
            {"failures", failures},
            {"best_trial", best.id},
            {"best_schedule", path("best_schedule.json")},
            {"x_hand", best_ms > 0 ? hand_ms / best_ms : 0.0},
            {"x_best_autoscheduler", best_auto > 0 && best_ms > 0 ? json(best_auto / best_ms) : json(nullptr)},
            {"search_s", search_s_},
            {"confirm", figures},
            {"strategy", o_.strategy},
            {"function", o_.function},
            {"study", o_.out}};
  summary = s.dump();
  if (!runtime::write_atomically(path("summary.json"), s.dump(1) + "\n", error)) return false;
  std::string e;
  if (!plot(e)) progress_("cpq-tune: warning: no plot: " + e);
  std::ostringstream os;
  os << "cpq-tune: best " << number(best_ms, 3) << " ms (trial " << best.id << "), hand " << number(hand_ms, 3)
     << " ms: x" << number(hand_ms / best_ms, 3) << " the hand schedule";
  if (best_auto > 0) os << ", x" << number(best_auto / best_ms, 3) << " the best autoscheduler";
  os << "; " << trials << " trials, " << failed << " failed; " << path("best_schedule.json");
  progress_(os.str());
  return true;
}

} // namespace

bool run_study(const StudyOptions &options, const std::function<void(const std::string &)> &progress,
               std::string &summary, std::string &error) {
  const auto &names = strategy_names();
  if (std::find(names.begin(), names.end(), options.strategy) == names.end()) {
    error = "unknown strategy '" + options.strategy + "' (random, anneal, evolutionary or beam)";
    return false;
  }
  for (const std::string &a : options.autoschedulers) {
    const auto &known = schedules::autoscheduler_names();
    std::string base;
    int beam = 0;
    if (std::find(known.begin(), known.end(), a) == known.end() && !split_beam(a, base, beam)) {
      error = "unknown autoscheduler '" + a + "' (Adams2019, Adams2019-beamN, Li2018, Mullapudi2016, or none)";
      return false;
    }
  }
  Study study(options, progress);
  return study.run(summary, error);
}

} // namespace cpq::tune
