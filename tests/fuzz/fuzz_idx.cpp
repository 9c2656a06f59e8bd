//===- fuzz_idx.cpp - libFuzzer target: the IDX reader, plain and gzip ----===//
//
// The first byte chooses the path, the rest is the file:
//   even  the rest goes to cpq::idx::parse as it is (gzip when it starts
//         with 1f 8b: the .gz seeds take this path through zlib's inflate
//         with damaged streams, plain otherwise);
//   odd   the target also gzip-compresses the rest (level: the byte's other
//         bits) and parses both: a file and its gzip must read the same
//         (same result, same array, same message), so the mutations of plain
//         files also go through the inflate path.
// A success's array holds exactly the elements its dimensions announce; a
// failure names the source and leaves the array empty.
//
//===----------------------------------------------------------------------===//
#include "cpq/runtime/idx.h"

#include "fuzz_check.h"

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace {

std::vector<std::uint8_t> gzip(const std::vector<std::uint8_t> &in, int level) {
  z_stream zs{};
  FUZZ_CHECK(deflateInit2(&zs, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK, "deflateInit2");
  std::vector<std::uint8_t> out(deflateBound(&zs, uLong(in.size())) + 32);
  zs.next_in = const_cast<Bytef *>(in.data());
  zs.avail_in = uInt(in.size());
  zs.next_out = out.data();
  zs.avail_out = uInt(out.size());
  FUZZ_CHECK(deflate(&zs, Z_FINISH) == Z_STREAM_END, "deflate");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

void check(bool ok, const cpq::idx::Array &a, const std::string &error, const std::string &what) {
  if (!ok) {
    FUZZ_CHECK(names_source(error, what), error);
    FUZZ_CHECK(a.data.empty() && a.dims.empty(), "a failed read left data");
    return;
  }
  FUZZ_CHECK(!a.dims.empty() && a.dims.size() <= 4, "rank");
  std::int64_t n = 1;
  for (std::int64_t d : a.dims) {
    FUZZ_CHECK(d > 0, "dimension");
    n *= d;
  }
  FUZZ_CHECK(std::uint64_t(n) == a.data.size(), "element count");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  if (size == 0) return 0;
  const std::vector<std::uint8_t> rest(data + 1, data + size);
  cpq::idx::Array a;
  std::string error;
  const bool ok = cpq::idx::parse(rest, "input", a, error);
  check(ok, a, error, "input");
  if ((data[0] & 1) == 0) return 0;
  // Bytes that already start as gzip would be read as such, not as a plain file.
  if (rest.size() >= 2 && rest[0] == 0x1f && rest[1] == 0x8b) return 0;
  const std::vector<std::uint8_t> z = gzip(rest, (data[0] >> 1) % 10);
  cpq::idx::Array b;
  std::string zerror;
  const bool zok = cpq::idx::parse(z, "input", b, zerror);
  check(zok, b, zerror, "input");
  FUZZ_CHECK(zok == ok, "plain: " + (ok ? std::string("read") : error) + "; gzip: " + (zok ? "read" : zerror));
  FUZZ_CHECK(zerror == error, "plain: " + error + "; gzip: " + zerror);
  FUZZ_CHECK(b.dims == a.dims && b.data == a.data, "plain and gzip read differently");
  return 0;
}
