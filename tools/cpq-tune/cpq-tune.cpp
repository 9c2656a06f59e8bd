//===- cpq-tune.cpp - schedule autotuning studies -------------------------===//
//
//   cpq-tune NET.mlir --function train_step|inference|... [--pipeline P] -o STUDY/
//            [--budget 10m] [--strategy random|anneal|evolutionary|beam] [--seed S]
//            [--batch 64] [--repeats 21] [--autoschedulers Adams2019,Adams2019-beamN,Li2018,Mullapudi2016|none]
//            [--try FILE]... [--max-trials N] [--trial-timeout 10m] [--baseline-timeout 30m] [--json]
//   cpq-tune NET.mlir --function F [--pipeline P] --list-space
//
// A thin main over tune/study.h: a study of the schedules of one function
// (baselines, search, confirmation), resumable by running it again with the
// same options. Also the child processes the study runs its trials in
// (--run-trial, --run-confirm; internal).
//
//===----------------------------------------------------------------------===//
#include "codegen/aot.h"
#include "schedules/schedule.h"
#include "tune/study.h"
#include "tune/trial.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/prctl.h>
#include <csignal>

namespace cl = llvm::cl;

static cl::OptionCategory tuneOptions("cpq-tune options");
static cl::opt<std::string> inputOpt(cl::Positional, cl::desc("<network.mlir>"), cl::cat(tuneOptions));
static cl::opt<std::string> functionOpt("function", cl::desc("the function to tune (train_step, inference, ...)"),
                                        cl::cat(tuneOptions));
static cl::opt<std::string> pipelineOpt("pipeline", cl::desc("cpq-opt pass pipeline run first, as cpq-compile's"),
                                        cl::cat(tuneOptions));
static cl::opt<std::string> outOpt("o", cl::desc("the study folder (created; resumed when it holds this study)"),
                                   cl::value_desc("STUDY"), cl::cat(tuneOptions));
static cl::opt<std::string> budgetOpt("budget", cl::desc("search time: 90s, 10m, 1.5h (baselines not counted)"),
                                      cl::init("10m"), cl::cat(tuneOptions));
static cl::opt<std::string> strategyOpt("strategy", cl::desc("random, anneal, evolutionary or beam"),
                                        cl::init("anneal"), cl::cat(tuneOptions));
static cl::opt<unsigned long long> seedOpt("seed", cl::desc("seed of the strategy's choices"), cl::init(1),
                                           cl::cat(tuneOptions));
static cl::opt<int> batchOpt("batch", cl::desc("batch size the kernels are timed (and autoscheduled) at"),
                             cl::init(64), cl::cat(tuneOptions));
static cl::opt<int> repeatsOpt("repeats", cl::desc("timed calls per trial"), cl::init(21), cl::cat(tuneOptions));
static cl::opt<int> roundsOpt("confirm-rounds", cl::desc("interleaved rounds of the final comparison"), cl::init(31),
                              cl::cat(tuneOptions));
static cl::opt<std::string> autoOpt("autoschedulers", cl::desc("baselines: a comma list of Adams2019, Adams2019-beamN (a beam of N), Li2018, Mullapudi2016; or none"),
                                    cl::init("Adams2019,Li2018,Mullapudi2016"), cl::cat(tuneOptions));
static cl::list<std::string> tryOpt("try", cl::desc("a schedule file to try before searching (repeatable)"),
                                    cl::cat(tuneOptions));
static cl::opt<int> maxTrialsOpt("max-trials", cl::desc("search trials at most (0: the budget decides)"), cl::init(0),
                                 cl::cat(tuneOptions));
static cl::opt<std::string> trialTimeoutOpt("trial-timeout", cl::desc("a trial is killed after this"), cl::init("10m"),
                                            cl::cat(tuneOptions));
static cl::opt<std::string> baselineTimeoutOpt("baseline-timeout",
                                               cl::desc("a baseline (hand, an autoscheduler) is killed after this"),
                                               cl::init("30m"), cl::cat(tuneOptions));
static cl::opt<std::string> faultOpt("inject-fault",
                                     cl::desc("testing the study: trial:kind,... (kind crash, hang or wrong)"),
                                     cl::cat(tuneOptions));
static cl::opt<bool> jsonOpt("json", cl::desc("print the summary as JSON on the last line"), cl::cat(tuneOptions));
static cl::opt<bool> quietOpt("quiet", cl::desc("no progress lines"), cl::cat(tuneOptions));
static cl::opt<bool> listSpaceOpt("list-space", cl::desc("print the function's schedule space (JSON) and exit"),
                                  cl::cat(tuneOptions));
static cl::opt<std::string> runTrialOpt("run-trial", cl::desc("internal: run the trial of this request"), cl::Hidden);
static cl::opt<std::string> runConfirmOpt("run-confirm", cl::desc("internal: run this confirmation"), cl::Hidden);

[[noreturn]] static void fail(const std::string &message) {
  std::fprintf(stderr, "cpq-tune: error: %s\n", message.c_str());
  std::exit(1);
}

static std::string read_text(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path + ": cannot read");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(tuneOptions);
  cl::ParseCommandLineOptions(argc, argv,
                              "cpq-tune: schedule autotuning studies of a function of a cpq network (baselines: the "
                              "hand schedule and Halide's autoschedulers; search; confirmation)\n");
  if (!runTrialOpt.empty() || !runConfirmOpt.empty()) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL); // a killed study takes its trial with it
    if (!runTrialOpt.empty()) {
      cpq::tune::TrialRequest request;
      std::string error;
      if (!cpq::tune::parse_request(read_text(runTrialOpt), runTrialOpt, request, error)) fail(error);
      return cpq::tune::run_trial(request);
    }
    try {
      const nlohmann::json j = nlohmann::json::parse(read_text(runConfirmOpt));
      return cpq::tune::run_confirm(j.at("kernels").get<std::vector<std::string>>(), j.at("batch"), j.at("rounds"),
                                    j.at("out"));
    } catch (const nlohmann::json::exception &e) {
      fail(runConfirmOpt + ": not a confirmation request: " + e.what());
    }
  }
  if (inputOpt.empty()) fail("no network given (cpq-tune NET.mlir --function F -o STUDY)");
  if (functionOpt.empty()) fail("--function is required (train_step, eval_step, inference, ...)");
  if (!std::filesystem::is_regular_file(inputOpt.getValue())) fail(inputOpt + ": no such file");

  if (listSpaceOpt) {
    cpq::schedules::Space space;
    cpq::codegen::AotOptions a;
    a.input = inputOpt, a.function = functionOpt, a.pipeline = pipelineOpt, a.output = "space";
    a.lowering.batch_estimate = batchOpt;
    a.space = &space;
    std::string error;
    if (!cpq::codegen::compile_aot(a, error)) fail(error);
    std::fputs(cpq::schedules::space_json(space).c_str(), stdout);
    return 0;
  }
  if (outOpt.empty()) fail("-o STUDY (the study folder) is required");
  cpq::tune::StudyOptions o;
  o.input = inputOpt, o.function = functionOpt, o.pipeline = pipelineOpt, o.out = outOpt;
  o.strategy = strategyOpt, o.seed = seedOpt, o.batch = batchOpt, o.repeats = repeatsOpt, o.confirm_rounds = roundsOpt;
  o.max_trials = maxTrialsOpt;
  o.tries.assign(tryOpt.begin(), tryOpt.end());
  if (!cpq::tune::parse_duration(budgetOpt, o.budget_s)) fail("--budget: not a duration: '" + budgetOpt + "' (90s, 10m, 1.5h)");
  if (!cpq::tune::parse_duration(trialTimeoutOpt, o.trial_timeout_s))
    fail("--trial-timeout: not a duration: '" + trialTimeoutOpt + "'");
  if (!cpq::tune::parse_duration(baselineTimeoutOpt, o.baseline_timeout_s))
    fail("--baseline-timeout: not a duration: '" + baselineTimeoutOpt + "'");
  if (batchOpt < 1) fail("--batch must be at least 1");
  if (repeatsOpt < 1 || roundsOpt < 1) fail("--repeats and --confirm-rounds must be at least 1");
  if (maxTrialsOpt < 0) fail("--max-trials must be 0 or more");
  o.autoschedulers.clear();
  if (autoOpt != "none") {
    std::stringstream list(autoOpt);
    for (std::string name; std::getline(list, name, ',');)
      if (!name.empty()) o.autoschedulers.push_back(name);
  }
  if (!faultOpt.empty()) {
    std::stringstream list(faultOpt);
    for (std::string item; std::getline(list, item, ',');) {
      const auto colon = item.find(':');
      const std::string kind = colon == std::string::npos ? "" : item.substr(colon + 1);
      if (colon == std::string::npos || (kind != "crash" && kind != "hang" && kind != "wrong"))
        fail("--inject-fault: expected trial:crash|hang|wrong, got '" + item + "'");
      o.faults[std::atoi(item.substr(0, colon).c_str())] = kind;
    }
  }
  std::error_code ec;
  o.self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) fail("cannot find this executable (/proc/self/exe)");

  std::string summary, error;
  auto progress = [](const std::string &line) {
    if (!quietOpt) std::fprintf(stderr, "%s\n", line.c_str());
  };
  if (!cpq::tune::run_study(o, progress, summary, error)) fail(error);
  if (jsonOpt) std::printf("%s\n", summary.c_str());
  return 0;
}
