//===- huffman.h - length-limited canonical Huffman codes -------*- C++ -*-===//
//
// Huffman codes of the symbols of a compressed weight tensor (cluster
// indices, and the gaps between unpruned positions), as compressed model
// files store them (cpq-method.md section 6):
//   - code_lengths: a Huffman code of given symbol counts, limited to
//     `max_length` bits (JPEG's adjustment of the length counts, Annex K.3,
//     then the shortest codes to the most frequent symbols);
//   - canonical codes from the lengths alone, so a file stores only the
//     lengths (one byte a symbol);
//   - a bit writer and a table-driven decoder, codes MSB first in bytes
//     filled from their most significant bit.
// The decoder refuses what cannot be: lengths that break Kraft's
// inequality, a stream that ends early, or a code that is not one.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <queue>
#include <string>
#include <vector>

namespace cpq::huffman {

/// The longest code the coder makes and accepts.
inline constexpr int kMaxLength = 24;

/// Code lengths of a Huffman code for symbols 0..counts.size()-1 occurring
/// counts[s] times: 0 for symbols that never occur; a code of one used
/// symbol gets length 1. Lengths are at most `max_length` (<= kMaxLength),
/// which needs 2^max_length >= the number of used symbols.
inline std::vector<std::uint8_t> code_lengths(const std::vector<std::uint64_t> &counts, int max_length = kMaxLength) {
  const std::size_t n = counts.size();
  std::vector<std::uint8_t> lengths(n, 0);
  std::vector<std::size_t> used;
  for (std::size_t s = 0; s < n; ++s)
    if (counts[s]) used.push_back(s);
  if (used.empty()) return lengths;
  if (used.size() == 1) {
    lengths[used[0]] = 1;
    return lengths;
  }
  // The Huffman tree: leaves 0..m-1, inner nodes after; depth of each leaf.
  const std::size_t m = used.size();
  std::vector<std::size_t> parent(2 * m - 1, 0);
  using Node = std::pair<std::uint64_t, std::size_t>; // weight, node (ties: lower node first: deterministic)
  std::priority_queue<Node, std::vector<Node>, std::greater<Node>> queue;
  for (std::size_t i = 0; i < m; ++i) queue.push({counts[used[i]], i});
  std::size_t next = m;
  while (queue.size() > 1) {
    const Node a = queue.top();
    queue.pop();
    const Node b = queue.top();
    queue.pop();
    parent[a.second] = parent[b.second] = next;
    queue.push({a.first + b.first, next++});
  }
  std::vector<int> depth(2 * m - 1, 0);
  for (std::size_t v = 2 * m - 2; v-- > 0;) depth[v] = depth[parent[v]] + 1;
  // Counts of codes per length, limited (JPEG Annex K.3's adjustment: move
  // pairs of the longest codes up, splitting a shorter code).
  std::vector<int> per_length(std::max<std::size_t>(m, 64) + 1, 0);
  for (std::size_t i = 0; i < m; ++i) ++per_length[std::size_t(depth[i])];
  for (std::size_t l = per_length.size() - 1; l > std::size_t(max_length); --l)
    while (per_length[l] > 0) {
      std::size_t j = l - 2;
      while (per_length[j] == 0) --j;
      per_length[l] -= 2;
      per_length[l - 1] += 1;
      per_length[j + 1] += 2;
      per_length[j] -= 1;
    }
  // The shortest lengths to the most frequent symbols (ties: lower symbol).
  std::vector<std::size_t> order = used;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return counts[a] > counts[b]; });
  std::size_t k = 0;
  for (std::size_t l = 1; l < per_length.size(); ++l)
    for (int c = 0; c < per_length[l]; ++c) lengths[order[k++]] = std::uint8_t(l);
  return lengths;
}

/// Canonical codes of `lengths` (codes of one length consecutive, in symbol
/// order, shorter codes first); false when the lengths break Kraft's
/// inequality or exceed kMaxLength.
inline bool canonical_codes(const std::vector<std::uint8_t> &lengths, std::vector<std::uint32_t> &codes) {
  std::vector<std::uint32_t> per_length(kMaxLength + 1, 0);
  for (std::uint8_t l : lengths) {
    if (l > kMaxLength) return false;
    if (l) ++per_length[l];
  }
  // Kraft: sum 2^-l <= 1.
  std::uint64_t kraft = 0;
  for (int l = 1; l <= kMaxLength; ++l) kraft += std::uint64_t(per_length[std::size_t(l)]) << (kMaxLength - l);
  if (kraft > (std::uint64_t(1) << kMaxLength)) return false;
  std::vector<std::uint32_t> next(kMaxLength + 2, 0);
  std::uint32_t code = 0;
  for (int l = 1; l <= kMaxLength; ++l) {
    code = (code + per_length[std::size_t(l - 1)]) << 1;
    next[std::size_t(l)] = code;
  }
  codes.assign(lengths.size(), 0);
  for (std::size_t s = 0; s < lengths.size(); ++s)
    if (lengths[s]) codes[s] = next[lengths[s]]++;
  return true;
}

/// Bits into bytes, most significant bit first.
class BitWriter {
public:
  /// Appends the low `bits` (<= 32) bits of `value`, most significant
  /// first, up to a byte at a time.
  void put(std::uint32_t value, int bits) {
    while (bits > 0) {
      if (count_ % 8 == 0) bytes_.push_back(0);
      const int room = 8 - int(count_ % 8), take = std::min(room, bits);
      const std::uint32_t chunk = (value >> (bits - take)) & ((1u << take) - 1u);
      bytes_.back() |= std::uint8_t(chunk << (room - take));
      count_ += std::uint64_t(take), bits -= take;
    }
  }
  std::uint64_t bits() const { return count_; }
  const std::vector<std::uint8_t> &bytes() const { return bytes_; }

private:
  std::vector<std::uint8_t> bytes_;
  std::uint64_t count_ = 0;
};

/// Encodes `symbols` with the code of `lengths`; false (nothing written)
/// for a symbol without a code or lengths that are not a code.
inline bool encode(const std::vector<std::uint8_t> &lengths, const std::uint32_t *symbols, std::size_t n,
                   BitWriter &out) {
  std::vector<std::uint32_t> codes;
  if (!canonical_codes(lengths, codes)) return false;
  for (std::size_t i = 0; i < n; ++i)
    if (symbols[i] >= lengths.size() || !lengths[symbols[i]]) return false;
  for (std::size_t i = 0; i < n; ++i) out.put(codes[symbols[i]], lengths[symbols[i]]);
  return true;
}

/// A table-driven decoder of the canonical code of `lengths`: codes of up
/// to kTableBits bits in one lookup, longer ones by their first code per
/// length.
class Decoder {
public:
  static constexpr int kTableBits = 11;

  /// False with `error` set when the lengths are not a code.
  bool init(const std::vector<std::uint8_t> &lengths, std::string &error) {
    lengths_ = lengths;
    if (!canonical_codes(lengths, codes_)) {
      error = "the code lengths break Kraft's inequality or exceed " + std::to_string(kMaxLength) + " bits";
      return false;
    }
    max_length_ = 0;
    for (std::uint8_t l : lengths) max_length_ = std::max<int>(max_length_, l);
    table_.assign(std::size_t(1) << kTableBits, Entry{0, 0});
    for (std::size_t s = 0; s < lengths.size(); ++s) {
      const int l = lengths[s];
      if (!l || l > kTableBits) continue;
      const std::uint32_t first = codes_[s] << (kTableBits - l), span = 1u << (kTableBits - l);
      for (std::uint32_t k = 0; k < span; ++k) table_[first + k] = Entry{std::uint32_t(s), std::uint8_t(l)};
    }
    // Long codes: per length, the first code and the symbols in code order.
    first_code_.assign(kMaxLength + 2, 0);
    first_index_.assign(kMaxLength + 2, 0);
    count_.assign(kMaxLength + 2, 0);
    by_code_.clear();
    for (int l = 1; l <= kMaxLength; ++l) {
      first_index_[std::size_t(l)] = std::uint32_t(by_code_.size());
      bool first = true;
      for (std::size_t s = 0; s < lengths.size(); ++s)
        if (lengths[s] == l) {
          if (first) first_code_[std::size_t(l)] = codes_[s], first = false;
          by_code_.push_back(std::uint32_t(s));
          ++count_[std::size_t(l)];
        }
    }
    return true;
  }

  /// Decodes `n` symbols from `bytes` (of which `bits` are the stream);
  /// false with `error` set when the stream ends early or holds a bit
  /// pattern that is no code.
  bool decode(const std::uint8_t *bytes, std::uint64_t bits, std::size_t n, std::uint32_t *out,
              std::string &error) const {
    const std::uint64_t nbytes = (bits + 7) / 8;
    std::uint64_t pos = 0;
    // The next `count` (<= 24) bits from `pos`, zero past the end.
    auto peek = [&](int count) {
      const std::uint64_t byte = pos >> 3;
      std::uint32_t w = 0;
      for (std::uint64_t j = 0; j < 4; ++j) w = (w << 8) | (byte + j < nbytes ? bytes[byte + j] : 0u);
      return (w << (pos & 7)) >> (32 - count);
    };
    for (std::size_t i = 0; i < n; ++i) {
      const Entry e = table_[peek(kTableBits)];
      std::uint32_t symbol = 0;
      int length = 0;
      if (e.length) {
        symbol = e.symbol, length = e.length;
      } else {
        for (int l = kTableBits + 1; l <= max_length_ && !length; ++l) {
          const std::uint32_t code = peek(l), c = count_[std::size_t(l)], first = first_code_[std::size_t(l)];
          if (c && code >= first && code - first < c)
            symbol = by_code_[first_index_[std::size_t(l)] + (code - first)], length = l;
        }
        if (!length)
          return error = pos >= bits ? "the stream ends before symbol " + std::to_string(i)
                                     : "symbol " + std::to_string(i) + " is not a code of the table",
                 false;
      }
      if (pos + std::uint64_t(length) > bits) return error = "the stream ends inside symbol " + std::to_string(i), false;
      out[i] = symbol;
      pos += std::uint64_t(length);
    }
    return true;
  }

private:
  struct Entry {
    std::uint32_t symbol;
    std::uint8_t length;
  };
  std::vector<std::uint8_t> lengths_;
  std::vector<std::uint32_t> codes_, first_code_, first_index_, count_, by_code_;
  std::vector<Entry> table_;
  int max_length_ = 0;
};

/// Shannon entropy of the counts, bits per symbol.
inline double entropy(const std::vector<std::uint64_t> &counts) {
  const double total = double(std::accumulate(counts.begin(), counts.end(), std::uint64_t(0)));
  double h = 0;
  for (std::uint64_t c : counts)
    if (c) h -= double(c) / total * std::log2(double(c) / total);
  return h;
}

/// Mean code length of the code of `lengths` on the counts, bits per symbol.
inline double mean_length(const std::vector<std::uint64_t> &counts, const std::vector<std::uint8_t> &lengths) {
  double total = 0, bits = 0;
  for (std::size_t s = 0; s < counts.size(); ++s) total += double(counts[s]), bits += double(counts[s]) * lengths[s];
  return total > 0 ? bits / total : 0;
}

} // namespace cpq::huffman
