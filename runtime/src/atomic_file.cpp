//===- atomic_file.cpp - files written whole or not at all ------------------===//
#include "cpq/runtime/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace cpq::runtime {

namespace {

/// Where CPQ_CRASH_AT_WRITE asks the process to kill itself (0: nowhere).
struct CrashPoint {
  long write = 0;
  bool partial = false;
};

const CrashPoint &crash_point() {
  static const CrashPoint point = [] {
    CrashPoint p;
    if (const char *v = std::getenv("CPQ_CRASH_AT_WRITE"); v && *v) {
      char *end = nullptr;
      p.write = std::strtol(v, &end, 10);
      p.partial = end && std::strcmp(end, ":partial") == 0;
    }
    return p;
  }();
  return point;
}

std::atomic<long> writes{0};

void crash() {
  ::raise(SIGKILL);
  std::_Exit(137); // not reached
}

/// The folder of `path` and its file name.
std::pair<std::string, std::string> split(const std::string &path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

/// Makes the rename of a file in `folder` durable. False with errno set;
/// file systems that cannot sync a directory (EINVAL) count as success.
bool sync_folder(const std::string &folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0 || errno == EINVAL;
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return ok;
}

/// Whether process `pid` still runs. A killed process whose parent has
/// not reaped it yet (a zombie: an orphan in a container whose init reaps
/// late) still answers kill(pid, 0) but will never write again.
bool running(long pid) {
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
  std::FILE *f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return true; // no /proc: assume it runs, and keep its file
  char buffer[512];
  const std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, f);
  std::fclose(f);
  buffer[n] = 0;
  const char *close_paren = std::strrchr(buffer, ')'); // "pid (comm) state ..."
  return !(close_paren && close_paren[1] == ' ' && (close_paren[2] == 'Z' || close_paren[2] == 'X'));
}

/// Removes the `name.tmp.PID` files in `folder` that writers killed while
/// writing left behind: those of processes that no longer run.
void remove_abandoned_temporaries(const std::string &folder, const std::string &name) {
  DIR *dir = ::opendir(folder.c_str());
  if (!dir) return;
  const std::string prefix = name + ".tmp.";
  const long self = static_cast<long>(::getpid());
  while (const dirent *e = ::readdir(dir)) {
    const std::string entry = e->d_name;
    if (entry.size() <= prefix.size() || entry.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = entry.substr(prefix.size());
    if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    const long pid = std::strtol(digits.c_str(), nullptr, 10);
    if (pid <= 0 || pid == self || running(pid)) continue;
    ::unlink((folder + "/" + entry).c_str());
  }
  ::closedir(dir);
}

} // namespace

bool write_atomically(const std::string &path, const std::vector<std::pair<const void *, std::size_t>> &pieces,
                      std::string &error) {
  const long index = ++writes;
  const CrashPoint &crash_at = crash_point();
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = path + ": cannot create " + temporary + ": " + std::strerror(errno);
    return false;
  }
  std::size_t budget = static_cast<std::size_t>(-1); // bytes before a crash test's kill
  if (crash_at.write == index && crash_at.partial) {
    budget = 0;
    for (const auto &piece : pieces) budget += piece.second;
    budget /= 2;
  }
  int err = 0;
  const char *failed = "cannot write";
  auto put = [&](const void *p, std::size_t n) {
    const char *c = static_cast<const char *>(p);
    while (n > 0) {
      if (budget == 0) crash();
      const ssize_t w = ::write(fd, c, std::min(n, budget));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return err = errno, false;
      if (w == 0) return err = EIO, false; // no progress: do not loop forever
      c += w, n -= std::size_t(w), budget -= std::size_t(w);
    }
    return true;
  };
  bool ok = true;
  for (const auto &[p, n] : pieces)
    if (!(ok = put(p, n))) break;
  // A full disk or an exceeded quota may only show at fsync or close
  // (delayed allocation, network file systems): both are checked.
  if (ok && ::fsync(fd) != 0) ok = false, err = errno;
  if (::close(fd) != 0 && ok) ok = false, err = errno;
  if (ok && std::rename(temporary.c_str(), path.c_str()) != 0)
    ok = false, err = errno, failed = "cannot rename the temporary file into place";
  if (!ok) {
    ::unlink(temporary.c_str());
    const bool kept = ::access(path.c_str(), F_OK) == 0;
    error = path + ": " + failed + ": " + std::strerror(err) + (kept ? " (the previous file is kept)" : "");
    return false;
  }
  // Without this, a power cut soon after could bring back the old file (or
  // none) although the write reported success.
  const auto [folder, name] = split(path);
  if (!sync_folder(folder)) {
    error = path + ": written, but its folder " + folder + " cannot be synced: " + std::strerror(errno);
    return false;
  }
  remove_abandoned_temporaries(folder, name);
  if (crash_at.write == index) crash();
  return true;
}

} // namespace cpq::runtime
