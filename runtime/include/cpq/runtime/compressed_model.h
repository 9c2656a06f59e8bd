//===- compressed_model.h - entropy-coded model files -------------*- C++ -*-===//
//
// This file declares the compressed model format (`cpq-compress` writes it,
// cpq::runtime::Model and the C API load and run it). A compressed model is
// a safetensors file, so any safetensors reader can list it, whose metadata
// says:
//   cpq.format    "compressed-model 1", or "compressed-model 2" when a coded
//                 parameter has a scale (below; a version-1 reader would
//                 decode it wrongly, so it refuses version 2)
//   cpq.kernel    the kernel that runs it (a prefix, relative to the file's
//                 folder unless absolute) and cpq.function its C function:
//                 the network compiled with its parameters as inputs
//   cpq.coding    JSON: {"codebooks": {NAME: {"size": k}, ...},
//                        "gap_escape": E,
//                        "parameters": {T: {"shape": [...], "kept": n,
//                          "codebook": NAME, "index_bits": b,
//                          "gap_bits": g, "gap_symbols": s,
//                          "scale": S (version 2, optional),
//                          "packing": {"layout": L, "grid": G, "bits": b,
//                            "level_sums": N} (version 2, optional)}}}
//   cpq.crc32.X   the CRC-32 of tensor X's bytes (8 hex digits), every tensor
// and whose tensors are:
//   codebook.NAME    F32 [k]  the shared values (cluster centres)
//   index_code.NAME  U8 [k]   the Huffman code lengths of their indices
//                             (canonical codes, huffman.h)
//   gap_code         U8 [E+1] the Huffman code lengths of the position gaps
//   T.indices        U8       the Huffman-coded indices of T's kept values,
//                             in position order (index_bits bits)
//   T.gaps           U8       for a pruned T, the coded gaps between its
//                             kept positions (gap_bits bits): symbol s < E
//                             skips s positions then keeps one; E skips E
//                             positions and keeps none
//   other tensors    the kernel's parameters stored as they are (F32)
// A coded parameter's values are its codebook's centres at its kept
// positions and 0 elsewhere; with a scale S (a plain F32 tensor of 1 value,
// or of one value per slice along the parameter's first axis) the centre at
// position i is multiplied by S's value of i's slice, in float32: a CPQ
// run's weights are its grid's levels times its per-channel alpha.
// With a packing, T names a packed weight input of the kernel (a frozen
// integer network's; layouts of cpq/kernels/packed_weights.h: rows, panels,
// bit_rows): its indices are the codes of grid G's levels (b bits), the
// positions not kept hold the level rounding gives 0, and decoding lays the
// levels out in layout L as the kernel's U8 bytes, and their sums per output
// as the I32 tensor N when one is named.
// Decoding gives exactly the values encoded.
// Reading checks every checksum, size, code and count, and refuses a file
// with a message naming it and the tensor.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/packed_weights.h"
#include "cpq/runtime/model_file.h"
#include "cpq/runtime/safetensors.h"

#include <map>

#include <cstdint>
#include <string>
#include <vector>

namespace cpq::runtime {

namespace compressed_format {
inline constexpr char tag[] = "compressed-model 1";
inline constexpr char scaled_tag[] = "compressed-model 2"; ///< a coded parameter has a scale or packing
inline constexpr char coding_key[] = "cpq.coding";
inline constexpr char crc_prefix[] = "cpq.crc32.";
inline constexpr char codebook_prefix[] = "codebook.";
inline constexpr char index_code_prefix[] = "index_code.";
inline constexpr char gap_code[] = "gap_code";
inline constexpr char indices_suffix[] = ".indices";
inline constexpr char gaps_suffix[] = ".gaps";
} // namespace compressed_format

struct Codebook {
  std::string name;
  std::vector<float> centres;
};

/// A kernel parameter stored as codebook indices at kept positions.
struct CodedParameter {
  std::string name; ///< the kernel's parameter input (its C name)
  std::vector<std::int64_t> shape;
  /// Kept positions (row-major), ascending; all positions when `dense`.
  std::vector<std::uint32_t> positions;
  bool dense = true;
  std::vector<std::uint32_t> indices; ///< per kept position, into the codebook
  std::string codebook;
  /// Empty, or the plain F32 tensor whose value per slice along axis 0 (or
  /// single value) multiplies the centres.
  std::string scale;
  /// Empty, or the layout ("rows", "panels", "bit_rows") of the packed
  /// weight the indices (codes of `grid`) decode to.
  std::string packing;
  GridSpec grid{GridKind::Signed, 2};
  std::string level_sums; ///< with packing: the I32 input of each output's level sum, or ""
  /// Read from a file: the bits of its coded indices and gaps.
  std::uint64_t index_bits = 0, gap_bits = 0;
  std::int64_t elements() const;
};

struct CompressedModel {
  std::string kernel_prefix; ///< as recorded (writing: made relative to the file)
  std::string function;
  /// Writing: record the kernel's SHA-256 (PREFIX.so, hashed when written)
  /// in cpq.kernel_sha256, checked by the loader before loading it.
  bool pin_kernel = false;
  std::vector<Codebook> codebooks;
  std::vector<CodedParameter> coded;
  std::vector<ModelFileTensor> plain; ///< parameters stored as they are
};

/// What a compressed model costs, counted as Choi et al. count it (eq. 1):
/// every parameter at 32 bits against the coded indices, the code tables
/// (one length a used symbol: sum of the codeword lengths), the codebooks
/// at 32 bits a centre, the coded gaps and their table, and the parameters
/// stored as they are.
struct CompressionAccount {
  std::int64_t parameters = 0; ///< every value the model gives its kernel
  std::int64_t coded = 0, kept = 0;
  std::int64_t index_bits = 0, index_table_bits = 0, codebook_bits = 0, gap_bits = 0, gap_table_bits = 0,
               plain_bits = 0;
  std::int64_t total_bits() const {
    return index_bits + index_table_bits + codebook_bits + gap_bits + gap_table_bits + plain_bits;
  }
  double ratio() const { return total_bits() ? 32.0 * double(parameters) / double(total_bits()) : 0; }
  /// Bits per coded value, everything of the coded parameters included.
  double bits_per_coded_value() const;
};

/// Writes `model` to `path` atomically (Huffman codes made from the
/// indices' and gaps' counts); `account`, when given, gets its cost.
bool write_compressed_model(const std::string &path, const CompressedModel &model, CompressionAccount *account,
                            std::string &error);

/// Reads and checks `path` (format, checksums, codes, counts); false with
/// `error` naming the file and the tensor.
bool read_compressed_model(const std::string &path, CompressedModel &out, CompressionAccount *account,
                           std::string &error);
/// The same for a file already read as `file` (from `path`, for messages).
bool read_compressed_model(const std::string &path, const safetensors::File &file, CompressedModel &out,
                           CompressionAccount *account, std::string &error);

/// Whether the safetensors file `file` holds a compressed model (its metadata's format).
bool is_compressed_model(const std::map<std::string, std::string> &metadata);

/// A packed coded parameter decoded: its levels laid out in its layout, and
/// (when it names a level-sums tensor) each output's level sum; false with
/// `error` set when the levels cannot be laid out so.
bool decode_packed(const CodedParameter &p, PackedWeight &out, std::vector<std::int32_t> &sums, std::string &error);

/// The dense values of a coded parameter: its codebook's centres (times
/// its scale) at its kept positions, 0 elsewhere.
std::vector<float> decode_values(const CompressedModel &model, const CodedParameter &p);

} // namespace cpq::runtime
