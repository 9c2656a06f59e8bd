//===- idx.cpp - IDX data files (MNIST, Fashion-MNIST) ----------------------===//
#include "cpq/runtime/idx.h"

#include <sys/stat.h>

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>

namespace cpq::idx {

namespace {

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using Gz = std::unique_ptr<gzFile_s, GzCloser>;

/// Reads exactly `n` bytes; false (with the reason) when the stream ends
/// early or zlib reports an error.
bool read_exactly(gzFile f, void *into, std::size_t n, std::size_t &got, std::string &why) {
  got = 0;
  auto *p = static_cast<unsigned char *>(into);
  while (got < n) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - got, 1u << 30));
    const int r = gzread(f, p + got, chunk);
    if (r < 0) {
      int code = 0;
      const char *msg = gzerror(f, &code);
      why = std::string("bad gzip data (") + (msg ? msg : "unknown zlib error") + ")";
      return false;
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  if (got < n) {
    int code = 0;
    const char *msg = gzerror(f, &code);
    // A truncated gzip stream reads as an early end with Z_BUF_ERROR.
    why = code != Z_OK && code != Z_STREAM_END && msg && *msg ? std::string("bad gzip data (") + msg + ")" : "";
    return false;
  }
  return true;
}

const char *type_name(unsigned code) {
  switch (code) {
  case 0x08: return "unsigned byte";
  case 0x09: return "signed byte";
  case 0x0B: return "int16";
  case 0x0C: return "int32";
  case 0x0D: return "float32";
  case 0x0E: return "float64";
  default: return nullptr;
  }
}

} // namespace

bool read(const std::string &path, Array &out, std::string &error) {
  out = Array{};
  auto fail = [&](const std::string &what) {
    error = path + ": " + what;
    return false;
  };
  errno = 0;
  Gz f(gzopen(path.c_str(), "rb"));
  if (!f) return fail(std::string("cannot open (") + (errno ? std::strerror(errno) : "out of memory") + ")");
  unsigned char magic[4];
  std::size_t got = 0;
  std::string why;
  if (!read_exactly(f.get(), magic, 4, got, why))
    return fail(why.empty() ? "truncated: " + std::to_string(got) + " of the 4 bytes of the IDX magic number" : why);
  if (magic[0] != 0 || magic[1] != 0)
    return fail("not an IDX file (the magic number must start with two zero bytes)");
  const char *type = type_name(magic[2]);
  if (!type) return fail("not an IDX file (unknown element type code " + std::to_string(magic[2]) + ")");
  if (magic[2] != 0x08)
    return fail(std::string("elements are ") + type + "; cpq reads IDX files of unsigned bytes");
  const unsigned rank = magic[3];
  if (rank < 1 || rank > 4) return fail("unsupported number of dimensions " + std::to_string(rank) + " (1..4)");
  unsigned char header[16];
  if (!read_exactly(f.get(), header, 4 * rank, got, why))
    return fail(why.empty() ? "truncated header: " + std::to_string(got) + " of " + std::to_string(4 * rank) +
                                  " bytes of dimension sizes"
                            : why);
  std::int64_t total = 1;
  for (unsigned k = 0; k < rank; ++k) {
    const std::uint32_t d = (std::uint32_t(header[4 * k]) << 24) | (std::uint32_t(header[4 * k + 1]) << 16) |
                            (std::uint32_t(header[4 * k + 2]) << 8) | std::uint32_t(header[4 * k + 3]);
    if (d == 0 || d > std::uint32_t(std::numeric_limits<std::int32_t>::max()))
      return fail("dimension " + std::to_string(k) + " has size " + std::to_string(d));
    if (total > (std::int64_t(1) << 40) / std::int64_t(d))
      return fail("more than 2^40 elements; not a data set cpq can hold");
    total *= std::int64_t(d);
    out.dims.push_back(std::int64_t(d));
  }
  out.data.resize(std::size_t(total));
  if (!read_exactly(f.get(), out.data.data(), out.data.size(), got, why)) {
    out = Array{};
    return fail(why.empty() ? "truncated: " + std::to_string(got) + " of " + std::to_string(total) +
                                  " bytes of elements"
                            : why);
  }
  unsigned char extra;
  if (!read_exactly(f.get(), &extra, 1, got, why) && !why.empty()) {
    out = Array{};
    return fail(why);
  }
  if (got != 0) {
    out = Array{};
    return fail("bytes after the " + std::to_string(total) + " elements its header announces");
  }
  return true;
}

std::string split_file(const std::string &dir, const std::string &stem) {
  const std::string gz = dir + "/" + stem + ".gz", plain = dir + "/" + stem;
  struct stat st {};
  return ::stat(gz.c_str(), &st) == 0 || ::stat(plain.c_str(), &st) != 0 ? gz : plain;
}

bool read_labelled(const std::string &images_path, const std::string &labels_path, int classes,
                   LabelledImages &out, std::string &error) {
  out = LabelledImages{};
  Array images, labels;
  if (!read(images_path, images, error) || !read(labels_path, labels, error)) return false;
  if (images.dims.size() != 3)
    return error = images_path + ": expected images [count, rows, cols], got " + std::to_string(images.dims.size()) +
                   " dimensions",
           false;
  if (labels.dims.size() != 1)
    return error = labels_path + ": expected labels [count], got " + std::to_string(labels.dims.size()) +
                   " dimensions",
           false;
  if (labels.dims[0] != images.dims[0])
    return error = labels_path + ": " + std::to_string(labels.dims[0]) + " labels for the " +
                   std::to_string(images.dims[0]) + " images of " + images_path,
           false;
  for (std::size_t k = 0; k < labels.data.size(); ++k)
    if (labels.data[k] >= classes)
      return error = labels_path + ": label " + std::to_string(labels.data[k]) + " of image " + std::to_string(k) +
                     " is not below the " + std::to_string(classes) + " classes",
             false;
  out.count = images.dims[0], out.rows = images.dims[1], out.cols = images.dims[2];
  out.images = std::move(images.data), out.labels = std::move(labels.data);
  return true;
}

} // namespace cpq::idx
