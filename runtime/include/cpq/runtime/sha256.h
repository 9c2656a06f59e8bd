//===- sha256.h - SHA-256 digests (FIPS 180-4) ----------------------*- C++ -*-===//
//
// This file declares the SHA-256 digest the model-file loader uses to pin a
// kernel: a model file may record its kernel's digest (cpq.kernel_sha256),
// and the loader hashes the shared object's bytes and loads exactly those
// bytes, so the file checked is the file loaded. Written from the standard
// (FIPS 180-4, section 6.2); the tests check the standard's examples.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace cpq::runtime {

/// An incremental SHA-256: `update` any number of times, then `hex` once.
class Sha256 {
public:
  Sha256();
  void update(const void *data, std::size_t size);
  /// The digest as 64 lowercase hexadecimal digits (finishes the hash).
  std::string hex();

private:
  void block(const std::uint8_t *p);
  std::array<std::uint32_t, 8> h_;
  std::array<std::uint8_t, 64> pending_{};
  std::size_t used_ = 0;
  std::uint64_t length_ = 0; ///< bytes hashed so far
};

/// The SHA-256 of `size` bytes at `data`, in hexadecimal.
std::string sha256_hex(const void *data, std::size_t size);

/// Whether `text` is a digest as sha256_hex writes it (64 lowercase hex digits).
bool is_sha256_hex(const std::string &text);

} // namespace cpq::runtime
