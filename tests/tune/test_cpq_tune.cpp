// cpq-tune: the statistics, the strategies, schedule files, and a tiny study
// run end to end with the tool (baselines, a deliberately crashing, hanging
// and wrong trial, a kill and a resume, the best schedule compiled again
// and checked against the reference).
#define BOOST_TEST_MODULE cpq_tune
#include <boost/test/unit_test.hpp>

#include "schedules/space.h"
#include "tune/child.h"
#include "tune/stats.h"
#include "tune/strategy.h"
#include "tune/study.h"
#include "tune/trial.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

namespace fs = std::filesystem;
using namespace cpq;
using json = nlohmann::json;

namespace {

std::string read_text(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Runs a shell command; its exit code, its output in `out`.
int shell(const std::string &command, std::string &out) {
  out.clear();
  FILE *p = ::popen((command + " 2>&1").c_str(), "r");
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string last_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const auto nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

schedules::Space small_space() {
  schedules::Space s;
  s.family = "x86";
  s.stages.push_back({"a", "dense", {{"tile", {1, 2, 4, 8}, 4}, {"vec", {8, 16}, 16}}, {"a"}, 0.8});
  s.stages.push_back({"b", "elementwise", {{"inline", {0, 1}, 0}}, {"b"}, 0.2});
  return s;
}

const std::string kTool = CPQ_TUNE_EXE;
const std::string kCompile = CPQ_COMPILE_EXE;
const std::string kNet = CPQ_TUNE_NET;
const std::string kTiny = CPQ_TUNE_TINY;
const std::string kScratch = CPQ_TUNE_SCRATCH;

std::string tune_command(const std::string &study, const std::string &extra) {
  return "'" + kTool + "' '" + kNet + "' --function one_dense -o '" + study +
         "' --batch 16 --repeats 7 --confirm-rounds 7 " + extra;
}

} // namespace

BOOST_AUTO_TEST_CASE(median_interval_covers_by_order_statistics) {
  // 21 values 1..21: the median 11, the interval [x_(6), x_(14)] 0-based = [7, 15].
  std::vector<double> v;
  for (int i = 21; i >= 1; --i) v.push_back(i);
  const tune::Timing t = tune::summarize(v);
  BOOST_TEST(t.median == 11);
  BOOST_TEST(t.low == 7);
  BOOST_TEST(t.high == 15);
  BOOST_TEST(t.ms.size() == 21u);
  // Few values: [min, max]; an even count's median is the midpoint.
  const tune::Timing few = tune::summarize({3, 1, 2, 10});
  BOOST_TEST(few.median == 2.5);
  BOOST_TEST(few.low == 1);
  BOOST_TEST(few.high == 10);
  // Trusted only without overlap.
  // 7 values: the interval is [x_(1), x_(5)].
  tune::Timing a = tune::summarize({1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6}), b = tune::summarize({1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2});
  BOOST_TEST(a.low == 1.1);
  BOOST_TEST(a.high == 1.5);
  BOOST_TEST(!tune::faster(a, b)); // a's 1.5 is not below b's 1.5: a tie
  b = tune::summarize({1.7, 1.8, 1.9, 2, 2.1, 2.2, 2.3});
  BOOST_TEST(tune::faster(a, b));
  BOOST_TEST(!tune::faster(b, a));
  BOOST_CHECK_THROW(tune::summarize({}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(durations) {
  double s = 0;
  BOOST_TEST(tune::parse_duration("10m", s));
  BOOST_TEST(s == 600);
  BOOST_TEST(tune::parse_duration("90s", s));
  BOOST_TEST(s == 90);
  BOOST_TEST(tune::parse_duration("1.5h", s));
  BOOST_TEST(s == 5400);
  BOOST_TEST(tune::parse_duration("42", s));
  BOOST_TEST(s == 42);
  for (const char *bad : {"", "m", "10x", "-5m", "0", "nan"}) BOOST_TEST(!tune::parse_duration(bad, s), bad);
}

BOOST_AUTO_TEST_CASE(profiler_reports_are_read_per_func) {
  // Lines as Halide 14's profiler prints them at exit (a train_step's).
  fs::create_directories(kScratch);
  const std::string log = kScratch + "/profile.log";
  std::ofstream(log) << "tuned\n"
                        " total time: 454.227295 ms  samples: 420  runs: 12  time/run: 37.852276 ms\n"
                        " heap allocations: 996  peak heap usage: 33629184 bytes\n"
                        "  halide_malloc:         0.448ms   (1%)    threads: 1.000 \n"
                        "  conv2d_7_acc:          1.515ms   (4%)    threads: 2.000  stack: 1024\n"
                        "  quantize_train_12_in_dense_13_weight_t$0: 0.089ms(0%)threads: 2.000 stack: 256\n"
                        "Warning: not a profile line: 3.0ms\n";
  const std::map<std::string, double> f = tune::profiler_report(log);
  BOOST_TEST(f.size() == 3u);
  BOOST_TEST(f.at("conv2d_7_acc") == 1.515);
  BOOST_TEST(f.at("quantize_train_12_in_dense_13_weight_t$0") == 0.089);
  BOOST_TEST(f.at("halide_malloc") == 0.448);
  BOOST_TEST(tune::profiler_report(kScratch + "/missing.log").empty());
}

BOOST_AUTO_TEST_CASE(adams_beam_names) {
  std::string name;
  int beam = 0;
  BOOST_TEST(tune::split_beam("Adams2019-beam1", name, beam));
  BOOST_TEST(name == "Adams2019");
  BOOST_TEST(beam == 1);
  BOOST_TEST(tune::split_beam("Adams2019-beam16", name, beam));
  BOOST_TEST(beam == 16);
  for (const char *bad : {"Adams2019", "Adams2019-beam", "Adams2019-beam0", "Adams2019-beamx", "Li2018-beam2"})
    BOOST_TEST(!tune::split_beam(bad, name, beam), bad);
}

BOOST_AUTO_TEST_CASE(every_strategy_proposes_untried_points_of_the_space_reproducibly) {
  const schedules::Space space = small_space();
  for (const std::string &strategy : tune::strategy_names()) {
    BOOST_TEST_CHECKPOINT(strategy);
    std::vector<tune::Observation> history = {{tune::hand_point(space), 10.0, false}};
    std::set<std::string> seen = {tune::point_key(history[0].point)};
    for (int trial = 1; trial < 16; ++trial) { // the space has 16 points
      std::mt19937_64 rng(1000 + trial), again(1000 + trial);
      auto p = tune::propose(strategy, space, history, trial / 16.0, rng);
      auto q = tune::propose(strategy, space, history, trial / 16.0, again);
      BOOST_REQUIRE(p);
      BOOST_REQUIRE(q);
      BOOST_TEST(tune::point_key(p->point) == tune::point_key(q->point), strategy << ": not reproducible");
      BOOST_TEST(seen.insert(tune::point_key(p->point)).second, strategy << " proposed a point twice");
      for (const auto &st : space.stages)
        for (const auto &k : st.knobs) {
          const int v = p->point.at(st.key).at(k.name);
          BOOST_TEST((std::find(k.values.begin(), k.values.end(), v) != k.values.end()), strategy << ": " << v);
        }
      // Faster with smaller tiles, and trial 5 fails: strategies must cope.
      const double ms = 1.0 + p->point.at("a").at("tile");
      history.push_back({p->point, trial == 5 ? std::nullopt : std::optional<double>(ms), trial % 3 == 0});
    }
    std::mt19937_64 rng(7);
    BOOST_TEST(!tune::propose(strategy, space, history, 1.0, rng), strategy << ": the space is exhausted");
  }
  BOOST_CHECK_THROW(
      {
        std::mt19937_64 rng(1);
        tune::propose("greedy", space, {{tune::hand_point(space), 1.0, false}}, 0, rng);
      },
      std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(beam_moves_one_knob_from_the_best) {
  const schedules::Space space = small_space();
  schedules::Point fast = tune::hand_point(space);
  fast["a"]["tile"] = 2;
  std::vector<tune::Observation> history = {{tune::hand_point(space), 10.0, false}, {fast, 5.0, false}};
  std::mt19937_64 rng(3);
  auto p = tune::propose("beam", space, history, 0.5, rng);
  BOOST_REQUIRE(p);
  int differences = 0;
  const schedules::Point &from = history.at(p->parent).point;
  for (const auto &[stage, knobs] : from)
    for (const auto &[knob, value] : knobs) differences += p->point.at(stage).at(knob) != value;
  BOOST_TEST(differences == 1);
}

BOOST_AUTO_TEST_CASE(anneal_acceptance) {
  BOOST_TEST(tune::anneal_accepts(-0.1, 0.5, 0.99)); // faster: always
  BOOST_TEST(!tune::anneal_accepts(0.2, 0.0, 0.5));  // exp(-0.2 / 0.05) = 0.018
  BOOST_TEST(tune::anneal_accepts(0.01, 0.0, 0.5));  // exp(-0.2) = 0.82
  BOOST_TEST(!tune::anneal_accepts(0.001, 1.0, 0.0)); // cold at the end
}

BOOST_AUTO_TEST_CASE(schedule_files_round_trip_and_refuse_bad_values) {
  const schedules::Space space = small_space();
  schedules::Point p = tune::hand_point(space);
  p["a"]["tile"] = 8;
  const std::string text = schedules::point_json(p, "x86", "f", &space);
  BOOST_TEST(text.find("\"tile\":8") != std::string::npos, text);
  BOOST_TEST(text.find("vec") == std::string::npos, "hand values are left out: " << text);
  schedules::Point back;
  std::string family, function, error;
  BOOST_REQUIRE(schedules::parse_point(text, "s.json", back, family, function, error));
  BOOST_TEST(back.at("a").at("tile") == 8);
  BOOST_TEST(family == "x86");
  BOOST_TEST(function == "f");
  const std::pair<const char *, const char *> bad[] = {
      {"[]", "not a cpq schedule file"},
      {"{\"format\": \"cpq-schedule\", \"version\": 2, \"stages\": {}}", "version 2 is not supported"},
      {"{\"format\": \"cpq-schedule\", \"version\": 1}", "\"stages\" must be an object"},
      {"{\"format\": \"cpq-schedule\", \"version\": 1, \"stages\": {\"a\": {\"tile\": \"big\"}}}",
       "stage 'a', knob 'tile': expected an integer"},
      {"{\"format\": \"cpq-schedule\", \"version\": 1, \"stages\": {\"a\": 3}}", "expected an object of knobs"},
      {"{nope", "not JSON"}};
  for (const auto &[input, message] : bad) {
    BOOST_TEST(!schedules::parse_point(input, "s.json", back, family, function, error), input);
    BOOST_TEST(error.find("s.json: ") == 0, error);
    BOOST_TEST(error.find(message) != std::string::npos, error);
  }
  // A value the knob does not take is refused where the schedule asks.
  schedules::Choices c({{"a", {{"tile", 5}}}});
  c.stage("a", "dense");
  BOOST_CHECK_EXCEPTION(c.choose("tile", {1, 2, 4, 8}, 4), std::invalid_argument, [](const std::invalid_argument &e) {
    return std::string(e.what()).find("stage 'a', knob 'tile': 5 is not one of its values (1, 2, 4, 8)") !=
           std::string::npos;
  });
  schedules::Choices unused({{"zz", {{"tile", 1}}}, {"a", {{"nope", 1}}}});
  unused.stage("a", "dense");
  BOOST_TEST(unused.choose("tile", {1, 2}, 2) == 2);
  const std::vector<std::string> names = unused.unused();
  BOOST_TEST(names.size() == 2u);
}

BOOST_AUTO_TEST_CASE(cpq_compile_takes_schedule_files_and_names_their_errors) {
  const std::string dir = kScratch + "/compile";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string out;
  auto write = [&](const std::string &name, const std::string &text) {
    std::ofstream(dir + "/" + name) << text;
    return dir + "/" + name;
  };
  const std::string base = "'" + kCompile + "' '" + kNet + "' --function one_dense -o '" + dir + "/k' --schedule ";
  const std::string good = write("good.json", "{\"format\": \"cpq-schedule\", \"version\": 1, \"stages\": "
                                              "{\"dense_2\": {\"register_tile\": 4, \"vectors_per_block\": 2}}}");
  BOOST_TEST(shell(base + "'" + good + "'", out) == 0, out);
  BOOST_TEST(fs::exists(dir + "/k.so"));
  const std::pair<std::string, std::string> bad[] = {
      {"{\"format\": \"cpq-schedule\", \"version\": 1, \"stages\": {\"dense_9\": {}}}",
       "dense_9: no such stage or knob in this function"},
      {"{\"format\": \"cpq-schedule\", \"version\": 1, \"stages\": {\"dense_2\": {\"register_tile\": 7}}}",
       "stage 'dense_2', knob 'register_tile': 7 is not one of its values"},
      {"{\"format\": \"cpq-schedule\", \"version\": 1, \"stages\": {\"dense_2\": {\"unroll\": 2}}}",
       "dense_2.unroll: no such stage or knob"},
      {"garbage", "not JSON"}};
  int n = 0;
  for (const auto &[text, message] : bad) {
    const std::string file = write("bad" + std::to_string(n++) + ".json", text);
    BOOST_TEST(shell(base + "'" + file + "'", out) == 1, out);
    BOOST_TEST(out.find(file) != std::string::npos, out);
    BOOST_TEST(out.find(message) != std::string::npos, out);
  }
  BOOST_TEST(shell(base + "'" + dir + "/missing.json'", out) == 1);
  BOOST_TEST(out.find("no such file") != std::string::npos, out);

  // An inlined stage keeps its other knobs (they take no effect): a point
  // names the same knobs whatever their values. A study once proposed
  // relu_grad_40 {"inline":1,"vector_width":8} and it was refused.
  const std::string inlined = write("inlined.json", "{\"format\": \"cpq-schedule\", \"version\": 1, \"stages\": "
                                                    "{\"relu_2\": {\"inline\": 1, \"vector_width\": 8, \"parallel\": 0}, "
                                                    "\"maxpool2d_3\": {\"inline\": 1}}}");
  BOOST_TEST(shell("'" + kCompile + "' '" + kTiny + "' --function tiny -o '" + dir + "/tiny' --schedule '" + inlined + "'",
                   out) == 0,
             out);
}

BOOST_AUTO_TEST_CASE(a_tiny_study_runs_records_failures_resumes_after_a_kill_and_its_best_matches) {
  const std::string study = kScratch + "/study";
  fs::remove_all(study);
  fs::create_directories(kScratch);
  // Trial 0 is the hand schedule, 1 its profile, 2 Li2018; the search
  // trials from 3: the 4th crashes, the 5th hangs (killed at the time
  // limit), the 6th gives a wrong output.
  const std::string faults = "--inject-fault 4:crash,5:hang,6:wrong --trial-timeout 20s";
  const std::string first = tune_command(study, "--autoschedulers Li2018 --strategy evolutionary --seed 5 --max-trials 4 " + faults);

  // Started in the background and killed (SIGKILL) once four trials are
  // in the database: the one running then is redone on resume.
  pid_t pid = 0;
  const std::string command = first + " --quiet > '" + kScratch + "/first.log' 2>&1";
  const char *argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  BOOST_REQUIRE(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char **>(argv), environ) == 0);
  bool killed = false;
  for (int waited = 0; waited < 600 * 10; ++waited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) break; // finished first: no kill to test
    try {
      const json db = json::parse(read_text(study + "/trials.json"));
      if (db.at("trials").size() >= 4) {
        std::string out;
        shell("pkill -KILL -f -- '-o " + study + "'", out); // the study and its trial
        ::waitpid(pid, &status, 0);
        killed = true;
        break;
      }
    } catch (...) {
    }
  }
  BOOST_TEST(killed, "the study finished before it could be killed");
  const std::size_t before = json::parse(read_text(study + "/trials.json")).at("trials").size();

  // Other options are refused for this folder.
  std::string out;
  BOOST_TEST(shell(tune_command(study, "--autoschedulers Li2018 --strategy random --seed 5 --max-trials 4"), out) == 1);
  BOOST_TEST(out.find("a study with other options (strategy was \"evolutionary\", now \"random\")") != std::string::npos, out);

  // Resumed: the same command ends the study.
  BOOST_TEST(shell(first + " --json", out) == 0, out);
  const json summary = json::parse(last_line(out));
  BOOST_TEST(summary.at("trials").get<int>() == 4);
  BOOST_TEST(summary.at("failed_trials").get<int>() == 3);
  for (const char *key : {"best_ms", "hand_ms", "autoscheduler_ms", "trials", "failed_trials", "best_schedule"})
    BOOST_TEST(summary.contains(key), key);
  BOOST_TEST(summary.at("autoscheduler_ms").at("Li2018").is_number());
  BOOST_TEST(summary.at("best_ms").get<double>() > 0);

  const json db = json::parse(read_text(study + "/trials.json"));
  const json &trials = db.at("trials");
  BOOST_TEST(trials.size() >= before);
  BOOST_TEST(trials.size() == 7u); // hand, profile, Li2018, 4 search trials
  std::map<int, std::string> status;
  for (const json &t : trials) {
    status[t.at("id").get<int>()] = t.at("status");
    BOOST_TEST(t.at("id").get<int>() == int(status.size()) - 1, "ids in order, none twice");
  }
  BOOST_TEST(status[0] == "ok");
  BOOST_TEST(status[1] == "ok");
  BOOST_TEST(status[2] == "ok");
  BOOST_TEST(trials.at(1).at("kind") == "profile");
  BOOST_TEST(status[4] == "crash");
  BOOST_TEST(status[5] == "timeout");
  BOOST_TEST(status[6] == "wrong");
  BOOST_TEST(trials.at(6).at("message").get<std::string>().find("the hand schedule's") != std::string::npos);
  BOOST_TEST(trials.at(4).at("message").get<std::string>().find("signal 11") != std::string::npos);
  const std::string csv = read_text(study + "/trials.csv");
  BOOST_TEST(std::count(csv.begin(), csv.end(), '\n') == 8); // header + 7
  for (const char *file : {"space.json", "study.json", "reference.safetensors", "best_schedule.json", "summary.json",
                           "confirm.json", "profile.csv"})
    BOOST_TEST(fs::exists(study + "/" + file), file);
  BOOST_TEST(read_text(study + "/profile.csv").find("\ndense_2,dense,") != std::string::npos,
             read_text(study + "/profile.csv"));
  std::string gnuplot;
  if (shell("command -v gnuplot", gnuplot) == 0) BOOST_TEST(fs::file_size(study + "/progress.png") > 1000u);

  // The best schedule compiles and matches the reference, as a trial of
  // its own (in this process).
  tune::TrialRequest q;
  q.input = kNet, q.function = "one_dense", q.schedule = study + "/best_schedule.json";
  q.dir = kScratch + "/again", q.reference = study + "/reference.safetensors", q.batch = 16, q.repeats = 3;
  fs::remove_all(q.dir);
  fs::create_directories(q.dir);
  BOOST_TEST(tune::run_trial(q) == 0, read_text(q.dir + "/result.json"));
  const json result = json::parse(read_text(q.dir + "/result.json"));
  BOOST_TEST(result.at("status") == "ok");
  BOOST_TEST(result.at("max_error").get<double>() < 1e-3);

  // Run again when finished: nothing is redone; the figures are confirmed again.
  BOOST_TEST(shell(first + " --json", out) == 0, out);
  BOOST_TEST(json::parse(read_text(study + "/trials.json")).at("trials").size() == 7u);
}
