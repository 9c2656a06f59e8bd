//===- profile.cpp - a profiled kernel's time per op and pass --------------===//
#include "cpq/runtime/profile.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

namespace cpq::runtime {

namespace {

/// The op a Func belongs to: the name up to its first counter, a run of
/// digits after '_' that ends the name or is followed by '_' or '$'
/// ("conv2d_3_acc" -> "conv2d_3"; the digit of "conv2d" follows no '_').
/// Halide's suffix of a repeated name ("fc1_weight_out$1") is not part of
/// it: such a Func is the op's own.
std::string op_of(const std::string &name) {
  const std::string func = name.substr(0, name.find('$'));
  std::string best;
  for (std::size_t i = 1; i < func.size(); ++i) {
    if (func[i - 1] != '_' || !std::isdigit(static_cast<unsigned char>(func[i]))) continue;
    std::size_t j = i;
    while (j < func.size() && std::isdigit(static_cast<unsigned char>(func[j]))) ++j;
    if (j == func.size() || func[j] == '_' || func[j] == '$') {
      best = func.substr(0, j);
      break; // the first counter names the op; later ones are the op's own Funcs
    }
  }
  return best.empty() ? func : best;
}

std::string kind_of(const std::string &op) {
  const std::size_t u = op.rfind('_');
  if (u == std::string::npos || u + 1 >= op.size()) return op;
  for (std::size_t k = u + 1; k < op.size(); ++k)
    if (!std::isdigit(static_cast<unsigned char>(op[k]))) return op;
  return op.substr(0, u);
}

std::string pass_of(const std::string &kind) {
  if (kind == "overhead" || kind.rfind("halide_", 0) == 0) return "overhead";
  // The results written out: the updated parameters and optimizer states.
  if (kind.size() > 4 && kind.compare(kind.size() - 4, 4, "_out") == 0) return "update";
  if (kind.find("_update") != std::string::npos) return "update";
  if (kind.find("_grad") != std::string::npos || kind == "bias_grad") return "backward";
  return "forward";
}

} // namespace

std::vector<OpProfile> profile_by_op(const KernelProfile &p) {
  std::map<std::string, OpProfile> ops;
  const double runs = std::max(1, p.runs);
  for (const FuncProfile &f : p.funcs) {
    const std::string op = op_of(f.name);
    OpProfile &o = ops[op];
    o.op = op;
    o.kind = kind_of(op);
    o.pass = pass_of(o.kind);
    o.ms += f.ms / runs;
    ++o.funcs;
  }
  std::vector<OpProfile> out;
  for (auto &[name, o] : ops)
    if (o.ms > 0) out.push_back(o);
  std::stable_sort(out.begin(), out.end(), [](const OpProfile &a, const OpProfile &b) { return a.ms > b.ms; });
  return out;
}

std::string profile_table(const KernelProfile &p, const std::string &title, std::size_t top) {
  const std::vector<OpProfile> ops = profile_by_op(p);
  double total = 0;
  std::map<std::string, double> passes;
  for (const OpProfile &o : ops) total += o.ms, passes[o.pass] += o.ms;
  char line[256];
  std::string out;
  std::snprintf(line, sizeof line, "%s: %d calls, %.3f ms a call (each stage computed at root timed)\n",
                title.c_str(), p.runs, p.ms / std::max(1, p.runs));
  out += line;
  std::snprintf(line, sizeof line, "  %-34s %-9s %10s %7s\n", "op", "pass", "ms/call", "share");
  out += line;
  auto share = [&](double ms) { return total > 0 ? 100.0 * ms / total : 0.0; };
  double rest = 0;
  std::size_t rest_ops = 0;
  for (std::size_t k = 0; k < ops.size(); ++k) {
    if (top > 0 && k >= top) {
      rest += ops[k].ms, ++rest_ops;
      continue;
    }
    std::snprintf(line, sizeof line, "  %-34s %-9s %10.3f %6.1f%%\n", ops[k].op.c_str(), ops[k].pass.c_str(),
                  ops[k].ms, share(ops[k].ms));
    out += line;
  }
  if (rest_ops) {
    std::snprintf(line, sizeof line, "  %-34s %-9s %10.3f %6.1f%%\n", ("(" + std::to_string(rest_ops) + " more ops)").c_str(),
                  "", rest, share(rest));
    out += line;
  }
  std::string by_pass;
  for (const char *name : {"forward", "backward", "update", "overhead"})
    if (passes.count(name)) {
      std::snprintf(line, sizeof line, "%s%s %.3f ms (%.0f%%)", by_pass.empty() ? "" : ", ", name, passes[name],
                    share(passes[name]));
      by_pass += line;
    }
  out += "  by pass: " + by_pass + "\n";
  return out;
}

std::string profile_csv(const KernelProfile &p, const std::string &kernel, bool header) {
  std::string out = header ? "kernel,op,kind,pass,ms_per_call,share\n" : "";
  const std::vector<OpProfile> ops = profile_by_op(p);
  double total = 0;
  for (const OpProfile &o : ops) total += o.ms;
  char line[256];
  for (const OpProfile &o : ops) {
    std::snprintf(line, sizeof line, "%s,%s,%s,%s,%.6f,%.6f\n", kernel.c_str(), o.op.c_str(), o.kind.c_str(),
                  o.pass.c_str(), o.ms, total > 0 ? o.ms / total : 0.0);
    out += line;
  }
  return out;
}

} // namespace cpq::runtime
