//===- atomic_file.cpp - files written whole or not at all ------------------===//
#include "cpq/runtime/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace cpq::runtime {

bool write_atomically(const std::string &path, const std::vector<std::pair<const void *, std::size_t>> &pieces,
                      std::string &error) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    error = path + ": cannot create " + temporary + ": " + std::strerror(errno);
    return false;
  }
  auto put = [&](const void *p, std::size_t n) {
    const char *c = static_cast<const char *>(p);
    while (n > 0) {
      const ssize_t w = ::write(fd, c, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      c += w, n -= std::size_t(w);
    }
    return true;
  };
  bool ok = true;
  for (const auto &[p, n] : pieces) ok = ok && put(p, n);
  ok = ok && ::fsync(fd) == 0;
  const int saved = errno;
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    error = path + ": cannot write: " + std::strerror(ok ? errno : saved);
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

} // namespace cpq::runtime
