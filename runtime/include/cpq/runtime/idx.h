//===- idx.h - IDX data files (MNIST, Fashion-MNIST) --------------*- C++ -*-===//
//
// This file declares the reader of IDX files, the format of the MNIST family
// of data sets (LeCun et al.): two zero bytes, a type code (0x08: unsigned
// bytes), the number of dimensions, each dimension as a big-endian 32-bit
// count, then the elements, row-major. Files may be gzip-compressed (as
// Debian's dataset-fashion-mnist ships them) or not; zlib reads both.
//
// Every problem comes back as a message naming the file: a missing or
// unreadable file, a bad gzip stream, a wrong magic number, an element type
// other than unsigned bytes, a truncated header or body, bytes after the
// body, and (for a data set) images and labels that disagree.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cpq::idx {

/// An IDX array of unsigned bytes.
struct Array {
  std::vector<std::int64_t> dims;
  std::vector<std::uint8_t> data;
};

/// Reads `path` (plain or gzip); false with `error` set on any problem.
bool read(const std::string &path, Array &out, std::string &error);

/// Parses a whole file's bytes (as `read`, for data already in memory):
/// gzip when they start with gzip's magic bytes 1f 8b, plain otherwise;
/// `what` names the source in error messages. Memory grows with the bytes
/// actually there, never with what a header merely announces.
bool parse(const std::vector<std::uint8_t> &bytes, const std::string &what, Array &out, std::string &error);

/// Images [count, rows, cols] and their labels [count], each label below
/// `classes`.
struct LabelledImages {
  std::int64_t count = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> images, labels;
};

/// Reads an image file and its label file and checks that they agree.
bool read_labelled(const std::string &images_path, const std::string &labels_path, int classes,
                   LabelledImages &out, std::string &error);

/// The file of `stem` (e.g. "t10k-images-idx3-ubyte") in folder `dir`: the
/// gzip one (`stem`.gz) unless only the plain one exists. A missing file is
/// reported by whoever reads it, with this name.
std::string split_file(const std::string &dir, const std::string &stem);

/// Where Debian's dataset-fashion-mnist installs the data set.
inline const char *kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

} // namespace cpq::idx
