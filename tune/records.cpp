//===- records.cpp - the trial database of a tuning study -------------------===//
#include "tune/records.h"

#include "cpq/runtime/atomic_file.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace cpq::tune {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {
std::string csv_field(const std::string &s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out + "\"";
}
} // namespace


json record_json(const Record &r) {
  json j = {{"id", r.id},           {"kind", r.kind},         {"strategy", r.strategy},
            {"status", r.status},   {"message", r.message},   {"compile_s", r.compile_s},
            {"wall_s", r.wall_s},   {"search_s", r.search_s}, {"max_error", r.max_error},
            {"parent", r.parent},   {"accepted", r.accepted}, {"verdict", r.verdict},
            {"schedule", r.schedule}, {"versus_ms", r.versus_ms}, {"versus_best_ms", r.versus_best_ms}};
  if (r.timing) {
    j["median_ms"] = r.timing->median, j["ci_low_ms"] = r.timing->low, j["ci_high_ms"] = r.timing->high;
    j["ms"] = r.timing->ms;
  } else {
    j["median_ms"] = nullptr, j["ci_low_ms"] = nullptr, j["ci_high_ms"] = nullptr;
  }
  j["point"] = r.point;
  return j;
}

Record record_from(const json &j) {
  Record r;
  r.id = j.at("id"), r.kind = j.at("kind"), r.strategy = j.at("strategy"), r.status = j.at("status");
  r.message = j.at("message"), r.compile_s = j.at("compile_s"), r.wall_s = j.at("wall_s");
  r.search_s = j.at("search_s"), r.max_error = j.at("max_error"), r.parent = j.at("parent");
  r.accepted = j.at("accepted"), r.verdict = j.at("verdict"), r.schedule = j.at("schedule");
  r.versus_ms = j.value("versus_ms", 0.0), r.versus_best_ms = j.value("versus_best_ms", 0.0);
  if (!j.at("median_ms").is_null()) r.timing = summarize(j.at("ms").get<std::vector<double>>());
  r.point = j.at("point").get<Point>();
  return r;
}


std::string number(double v, int digits) {
  std::ostringstream os;
  os.precision(digits);
  os << std::fixed << v;
  return os.str();
}

std::string trial_name(int id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d", id);
  return buf;
}
bool write_database(const std::string &dir, const std::vector<Record> &records, double search_s, int best,
                    std::string &error) {
  json trials = json::array();
  std::ostringstream csv;
  csv << "trial,kind,strategy,status,median_ms,ci_low_ms,ci_high_ms,noise,verdict,versus_ms,versus_best_ms,"
         "compile_s,wall_s,search_s,parent,accepted,max_error,schedule,message\n";
  for (const Record &r : records) {
    trials.push_back(record_json(r));
    csv << r.id << ',' << r.kind << ',' << r.strategy << ',' << r.status << ','
        << (r.timing ? number(r.timing->median) : "") << ',' << (r.timing ? number(r.timing->low) : "") << ','
        << (r.timing ? number(r.timing->high) : "") << ',' << (r.timing ? number(r.timing->noise()) : "") << ','
        << r.verdict << ',' << (r.versus_ms > 0 ? number(r.versus_ms) : "") << ','
        << (r.versus_best_ms > 0 ? number(r.versus_best_ms) : "") << ',' << number(r.compile_s, 2) << ',' << number(r.wall_s, 2) << ',' << number(r.search_s, 1)
        << ',' << r.parent << ',' << (r.accepted ? 1 : 0) << ',' << r.max_error << ',' << csv_field(r.schedule)
        << ',' << csv_field(r.message) << '\n';
  }
  const json db = {{"trials", trials}, {"search_s", search_s}, {"best", best}};
  return runtime::write_atomically((fs::path(dir) / "trials.json").string(), db.dump() + "\n", error) &&
         runtime::write_atomically((fs::path(dir) / "trials.csv").string(), csv.str(), error);
}

bool write_progress_plot(const std::string &dir, const std::vector<Record> &records, const std::string &title,
                         std::string &error) {
  auto path = [&](const std::string &name) { return (fs::path(dir) / name).string(); };
  // Data: search time (minutes) against each ok trial and the best so far.
  std::ostringstream data;
  double best = 0;
  bool have = false;
  for (const Record &r : records)
    if (r.kind == "hand" && r.timing) best = r.timing->median, have = true;
  data << "0 " << (have ? number(best) : "NaN") << " NaN\n";
  for (const Record &r : records) {
    if (r.kind != "search" && r.kind != "given") continue;
    if (r.timing && r.verdict == "faster") best = r.timing->median, have = true;
    data << number(r.search_s / 60, 3) << ' ' << (have ? number(best) : "NaN") << ' '
         << (r.timing ? number(r.timing->median) : "NaN") << '\n';
  }
  if (!runtime::write_atomically(path("progress.dat"), data.str(), error)) return false;
  std::ostringstream gp;
  gp << "set terminal pngcairo size 900,560 noenhanced\nset output '" << path("progress.png.tmp") << "'\n"
     << "set title '" << title << "'\n"
     << "set xlabel 'search time (min)'\nset ylabel 'time per call (ms, median)'\nset key outside right\n"
     << "set grid\n";
  // Autoschedulers several times slower than the hand schedule: a log
  // scale keeps the trials' range readable.
  double low = 0, high = 0;
  for (const Record &r : records)
    if (r.timing && r.kind != "profile") {
      low = low == 0 ? r.timing->median : std::min(low, r.timing->median);
      high = std::max(high, r.timing->median);
    }
  if (low > 0 && high > 3 * low) gp << "set logscale y\n";
  std::string lines;
  for (const Record &r : records) {
    if (r.kind == "search" || r.kind == "given" || r.kind == "profile" || !r.timing) continue;
    lines += ", " + number(r.timing->median) + " with lines dt 2 lw 2 title '" + r.kind + " " +
             number(r.timing->median, 2) + " ms'";
  }
  for (const Record &r : records)
    if (r.kind != "search" && r.kind != "given" && r.kind != "hand" && r.kind != "profile" && !r.timing)
      lines += ", NaN title '" + r.kind + ": " + r.status + "'";
  gp << "plot '" << path("progress.dat") << "' using 1:3 with points pt 7 ps 0.6 lc rgb '#9999cc' title 'trials', "
     << "'' using 1:2 with steps lw 2 lc rgb '#cc2222' title 'best so far'" << lines << "\n";
  if (!runtime::write_atomically(path("progress.gp"), gp.str(), error)) return false;
  const std::string command = "gnuplot '" + path("progress.gp") + "' > '" + path("progress.log") + "' 2>&1";
  if (std::system(command.c_str()) != 0) {
    error = "gnuplot failed (is gnuplot installed? " + path("progress.log") + ")";
    return false;
  }
  if (std::rename(path("progress.png.tmp").c_str(), path("progress.png").c_str()) != 0) {
    error = path("progress.png") + ": cannot write";
    return false;
  }
  return true;
}

} // namespace cpq::tune
