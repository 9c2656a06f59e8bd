//===- fuzz_check.h - properties the fuzz targets check --------*- C++ -*-===//
//
// A reader of untrusted bytes must not crash, leak, trip a sanitizer or
// throw; the targets also check what it promises about its result (an error
// names the source, a success is self-consistent). A broken promise aborts,
// which libFuzzer reports as a crash with the input that broke it.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#define FUZZ_CHECK(cond, detail)                                                                                       \
  do {                                                                                                                 \
    if (!(cond)) {                                                                                                     \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n  %s\n", __FILE__, __LINE__, #cond,                         \
                   std::string(detail).c_str());                                                                       \
      std::abort();                                                                                                    \
    }                                                                                                                  \
  } while (0)

/// CPQ_FUZZ_VERBOSE=1 in the environment: the targets say what became of
/// each input (to see which seeds get how far; never while fuzzing).
inline void fuzz_note(const std::string &what) {
  static const bool verbose = std::getenv("CPQ_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "%s\n", what.c_str());
}

/// Whether `error` is a message "<what>: <problem>".
inline bool names_source(const std::string &error, const std::string &what) {
  return error.size() > what.size() + 2 && error.compare(0, what.size() + 2, what + ": ") == 0;
}
