//===- idx.cpp - IDX data files (MNIST, Fashion-MNIST) ----------------------===//
#include "cpq/runtime/idx.h"

#include "file_bytes.h"

#include <sys/stat.h>

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

namespace cpq::idx {

namespace {

/// The decompressed bytes of an IDX file held in memory: the bytes
/// themselves, or the gzip stream they hold (inflated as it is read, so
/// that nothing is decompressed past what the header asks for). As gzread
/// does, a gzip stream may be several members one after another, and bytes
/// after the last member that do not start another one are ignored.
class Source {
public:
  explicit Source(const std::vector<std::uint8_t> &bytes) : bytes_(bytes) {
    gzip_ = bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
    if (gzip_) {
      zs_.next_in = const_cast<Bytef *>(bytes.data());
      zs_.avail_in = 0;
      ok_ = inflateInit2(&zs_, 16 + MAX_WBITS) == Z_OK;
    }
  }
  ~Source() {
    if (gzip_ && ok_) inflateEnd(&zs_);
  }
  Source(const Source &) = delete;
  Source &operator=(const Source &) = delete;

  /// Reads exactly `n` bytes; false when the data ends early (`got` says
  /// how many came, `why` is empty) or the gzip stream is bad (`why` says
  /// what zlib found).
  bool read_exactly(void *into, std::size_t n, std::size_t &got, std::string &why) {
    got = 0;
    why.clear();
    auto *p = static_cast<unsigned char *>(into);
    if (!gzip_) {
      got = std::min(n, bytes_.size() - pos_);
      if (got) std::memcpy(p, bytes_.data() + pos_, got);
      pos_ += got;
      return got == n;
    }
    if (!ok_) return why = "bad gzip data (zlib could not start: out of memory)", false;
    while (got < n && !ended_) {
      const std::size_t at = std::size_t(zs_.next_in - bytes_.data()) + zs_.avail_in;
      if (zs_.avail_in == 0 && at < bytes_.size())
        zs_.avail_in = uInt(std::min<std::size_t>(bytes_.size() - at, 1u << 30));
      const uInt want = uInt(std::min<std::size_t>(n - got, 1u << 30));
      zs_.next_out = p + got;
      zs_.avail_out = want;
      const int r = inflate(&zs_, Z_NO_FLUSH);
      got += want - zs_.avail_out;
      if (r == Z_STREAM_END) {
        // Another member, or the end (anything else after it is ignored).
        const std::size_t next = std::size_t(zs_.next_in - bytes_.data());
        if (bytes_.size() - next >= 2 && bytes_[next] == 0x1f && bytes_[next + 1] == 0x8b) {
          if (inflateReset(&zs_) != Z_OK) return why = "bad gzip data (cannot restart zlib)", false;
        } else {
          ended_ = true;
        }
      } else if (r == Z_BUF_ERROR) {
        // No progress possible: without input left, the stream is cut short.
        if (zs_.avail_in == 0 && std::size_t(zs_.next_in - bytes_.data()) >= bytes_.size())
          return why = "bad gzip data (unexpected end of file)", false;
      } else if (r != Z_OK) {
        why = std::string("bad gzip data (") + (zs_.msg ? zs_.msg : "unknown zlib error") + ")";
        return false;
      }
    }
    return got == n;
  }

private:
  const std::vector<std::uint8_t> &bytes_;
  bool gzip_ = false, ok_ = false, ended_ = false;
  std::size_t pos_ = 0; // plain: the next byte
  z_stream zs_{};
};

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

bool parse(const std::vector<std::uint8_t> &bytes, const std::string &what, Array &out, std::string &error) {
  out = Array{};
  auto fail = [&](const std::string &problem) {
    out = Array{};
    error = what + ": " + problem;
    return false;
  };
  Source f(bytes);
  unsigned char magic[4];
  std::size_t got = 0;
  std::string why;
  if (!f.read_exactly(magic, 4, got, why))
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
  if (!f.read_exactly(header, 4 * rank, got, why))
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
  // The body in growing pieces: a header may announce far more than the
  // file holds, and memory should follow what is there.
  const std::size_t size = std::size_t(total);
  std::size_t have = 0;
  while (have < size) {
    const std::size_t piece = std::min(size - have, std::max<std::size_t>(have, std::size_t(1) << 16));
    out.data.resize(have + piece);
    if (!f.read_exactly(out.data.data() + have, piece, got, why))
      return fail(why.empty() ? "truncated: " + std::to_string(have + got) + " of " + std::to_string(total) +
                                    " bytes of elements"
                              : why);
    have += piece;
  }
  unsigned char extra;
  if (!f.read_exactly(&extra, 1, got, why) && !why.empty()) return fail(why);
  if (got != 0) return fail("bytes after the " + std::to_string(total) + " elements its header announces");
  return true;
}

bool read(const std::string &path, Array &out, std::string &error) {
  out = Array{};
  std::vector<std::uint8_t> bytes;
  return runtime::read_file_bytes(path, bytes, error) && parse(bytes, path, out, error);
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
