//===- child.cpp - the processes a tuning study runs ------------------------===//
#include "tune/child.h"

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace cpq::tune {

std::string read_text(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int run_child(const std::vector<std::string> &argv, const std::string &log, double timeout_s, bool &timed_out,
              std::string &error) {
  timed_out = false;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<char *> args;
  for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    error = "cannot start " + argv[0] + ": " + std::strerror(rc);
    return -2;
  }
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return status;
    if (done < 0) {
      error = "waiting for the trial failed";
      return -2;
    }
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout_s) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      timed_out = true;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string last_lines(const std::string &path, int n) {
  const std::string text = read_text(path);
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line.rfind("Warning:", 0) != 0) lines.push_back(line);
  std::string out;
  for (std::size_t i = lines.size() > std::size_t(n) ? lines.size() - n : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : " | ") + lines[i];
  return out.size() > 600 ? out.substr(out.size() - 600) : out;
}

std::map<std::string, double> profiler_report(const std::string &log) {
  std::ifstream in(log);
  std::map<std::string, double> per_func;
  for (std::string line; std::getline(in, line);) {
    std::size_t at = line.find_first_not_of(' ');
    if (at == std::string::npos || at < 2) continue;
    const std::size_t colon = line.find(':', at);
    if (colon == std::string::npos || line.find(' ', at) < colon) continue;
    const std::string name = line.substr(at, colon - at);
    const std::size_t ms_at = line.find("ms", colon);
    if (ms_at == std::string::npos) continue;
    try {
      per_func[name] += std::stod(line.substr(colon + 1, ms_at - colon - 1));
    } catch (...) {
    }
  }
  return per_func;
}

} // namespace cpq::tune
