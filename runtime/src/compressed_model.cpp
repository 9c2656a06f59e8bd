//===- compressed_model.cpp - entropy-coded model files ---------------------===//
#include "cpq/runtime/compressed_model.h"

#include "cpq/kernels/huffman.h"
#include "cpq/kernels/quantizer_reference.h"
#include "cpq/runtime/safetensors.h"

#include "json_message.h"

#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <map>
#include <set>

namespace cpq::runtime {

namespace cf = compressed_format;
namespace mf = model_format;
using Json = nlohmann::ordered_json;

namespace {

std::string crc_of(const std::vector<std::uint8_t> &bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  std::size_t done = 0;
  while (done < bytes.size()) { // crc32 takes at most uInt bytes at a time
    const uInt n = uInt(std::min<std::size_t>(bytes.size() - done, 1u << 30));
    crc = crc32(crc, bytes.data() + done, n);
    done += n;
  }
  char text[9];
  std::snprintf(text, sizeof text, "%08lx", static_cast<unsigned long>(crc & 0xffffffffu));
  return text;
}

std::int64_t elements_of(const std::vector<std::int64_t> &shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

/// The gap symbols of kept positions: s < escape skips s positions and
/// keeps one, `escape` skips `escape` positions and keeps none.
std::vector<std::uint32_t> gap_symbols(const std::vector<std::uint32_t> &positions, std::uint32_t escape) {
  std::vector<std::uint32_t> out;
  std::int64_t previous = -1;
  for (std::uint32_t p : positions) {
    std::int64_t skip = std::int64_t(p) - previous - 1;
    while (skip >= std::int64_t(escape)) out.push_back(escape), skip -= escape;
    out.push_back(std::uint32_t(skip));
    previous = p;
  }
  return out;
}

std::int64_t table_bits(const std::vector<std::uint8_t> &lengths) {
  std::int64_t b = 0;
  for (std::uint8_t l : lengths) b += l;
  return b;
}

std::vector<std::uint8_t> u8(const std::vector<float> &v) {
  std::vector<std::uint8_t> b(v.size() * 4);
  if (!v.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

} // namespace

std::int64_t CodedParameter::elements() const { return elements_of(shape); }

double CompressionAccount::bits_per_coded_value() const {
  const std::int64_t b = index_bits + index_table_bits + codebook_bits + gap_bits + gap_table_bits;
  return coded ? double(b) / double(coded) : 0;
}

bool is_compressed_model(const std::map<std::string, std::string> &metadata) {
  auto it = metadata.find(mf::format_key);
  return it != metadata.end() && (it->second == cf::tag || it->second == cf::scaled_tag);
}

namespace {
/// The plain F32 tensor `p.scale` names, checked against `p`; null with
/// `why` set when it is missing or of the wrong size.
const ModelFileTensor *scale_of(const CompressedModel &m, const CodedParameter &p, std::string &why) {
  for (const ModelFileTensor &t : m.plain)
    if (t.name == p.scale) {
      const std::int64_t rows = p.shape.empty() ? 1 : p.shape[0];
      if (t.dtype != "F32" || (t.elements != 1 && t.elements != rows) || t.bytes.size() != 4 * std::size_t(t.elements)) {
        why = "the scale '" + p.scale + "' of '" + p.name + "' is not F32 of 1 or " + std::to_string(rows) + " values";
        return nullptr;
      }
      return &t;
    }
  why = "'" + p.name + "' is scaled by '" + p.scale + "', which the model does not hold";
  return nullptr;
}
} // namespace

bool decode_packed(const CodedParameter &p, PackedWeight &out, std::vector<std::int32_t> &sums, std::string &error) {
  const std::optional<WeightLayout> layout = weight_layout_named(p.packing);
  if (!layout || p.shape.empty() || p.shape[0] <= 0)
    return error = "'" + p.name + "' has no packed layout named '" + p.packing + "' or no output axis", false;
  WeightLevels w;
  w.grid = p.grid, w.shape = p.shape, w.outputs = p.shape[0], w.k = p.elements() / p.shape[0];
  w.levels.assign(std::size_t(p.elements()), reference::quantize_level(p.grid, 0.0f, 1.0f));
  for (std::size_t i = 0; i < p.indices.size(); ++i) {
    if (p.indices[i] >= std::uint32_t(p.grid.num_points()))
      return error = "'" + p.name + "' has a code beyond its " + p.grid.name() + " grid", false;
    w.levels[p.dense ? i : p.positions[i]] = p.grid.level_of_code(int(p.indices[i]));
  }
  try {
    out = pack_weight(w, *layout);
  } catch (const std::invalid_argument &e) {
    return error = "'" + p.name + "': " + e.what(), false;
  }
  sums = p.level_sums.empty() ? std::vector<std::int32_t>{} : level_sums(w);
  return true;
}

std::vector<float> decode_values(const CompressedModel &model, const CodedParameter &p) {
  std::vector<float> out(std::size_t(p.elements()), 0.0f);
  const Codebook *book = nullptr;
  for (const Codebook &c : model.codebooks)
    if (c.name == p.codebook) book = &c;
  if (!book) return out;
  for (std::size_t i = 0; i < p.indices.size(); ++i)
    out[p.dense ? i : p.positions[i]] = book->centres.at(p.indices[i]);
  if (p.scale.empty()) return out;
  std::string why;
  const ModelFileTensor *scale = scale_of(model, p, why);
  if (!scale) return std::vector<float>(out.size(), 0.0f);
  std::vector<float> s(std::size_t(scale->elements));
  std::memcpy(s.data(), scale->bytes.data(), scale->bytes.size());
  const std::size_t slice = s.size() == 1 ? out.size() : out.size() / s.size();
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = out[i] * s[slice ? i / slice : 0];
  return out;
}

bool write_compressed_model(const std::string &path, const CompressedModel &m, CompressionAccount *account,
                            std::string &error) {
  auto fail = [&](const std::string &what) { return error = path + ": not written: " + what, false; };
  std::map<std::string, const Codebook *> books;
  for (const Codebook &c : m.codebooks) {
    if (c.centres.empty()) return fail("codebook '" + c.name + "' is empty");
    if (!books.emplace(c.name, &c).second) return fail("two codebooks are named '" + c.name + "'");
  }
  // Each codebook's index code, from the counts of every parameter using it.
  std::map<std::string, std::vector<std::uint64_t>> counts;
  for (const CodedParameter &p : m.coded) {
    auto book = books.find(p.codebook);
    if (book == books.end()) return fail("'" + p.name + "' uses no codebook of the model ('" + p.codebook + "')");
    const std::size_t k = book->second->centres.size();
    const std::size_t kept = p.dense ? std::size_t(p.elements()) : p.positions.size();
    if (p.indices.size() != kept)
      return fail("'" + p.name + "' has " + std::to_string(p.indices.size()) + " indices for " + std::to_string(kept) +
                  " kept values");
    for (std::size_t i = 0; i < p.positions.size(); ++i)
      if (p.positions[i] >= p.elements() || (i && p.positions[i] <= p.positions[i - 1]))
        return fail("'" + p.name + "' has positions out of order or outside its " + std::to_string(p.elements()) +
                    " values");
    if (!p.scale.empty()) {
      std::string why;
      if (!scale_of(m, p, why)) return fail(why);
    }
    if (!p.packing.empty()) {
      PackedWeight packed;
      std::vector<std::int32_t> sums;
      std::string why;
      if (k != std::size_t(p.grid.num_points()))
        return fail("'" + p.name + "' is packed on a " + p.grid.name() + " grid but its codebook has " +
                    std::to_string(k) + " entries");
      if (!decode_packed(p, packed, sums, why)) return fail(why);
    }
    auto &c = counts[p.codebook];
    c.resize(k, 0);
    for (std::uint32_t j : p.indices) {
      if (j >= k) return fail("'" + p.name + "' has an index beyond its codebook of " + std::to_string(k));
      ++c[j];
    }
  }
  std::map<std::string, std::vector<std::uint8_t>> index_lengths;
  for (const auto &[name, c] : counts) index_lengths[name] = huffman::code_lengths(c);
  // The gap code: the escape that costs the fewest bits.
  std::uint32_t escape = 0;
  std::vector<std::uint8_t> gap_lengths;
  bool pruned = false;
  for (const CodedParameter &p : m.coded) pruned |= !p.dense;
  if (pruned) {
    std::int64_t best = -1;
    for (std::uint32_t e : {7u, 15u, 31u, 63u, 127u, 255u, 511u}) {
      std::vector<std::uint64_t> c(e + 1, 0);
      for (const CodedParameter &p : m.coded)
        if (!p.dense)
          for (std::uint32_t s : gap_symbols(p.positions, e)) ++c[s];
      const std::vector<std::uint8_t> lengths = huffman::code_lengths(c);
      std::int64_t bits = table_bits(lengths);
      for (std::size_t s = 0; s < c.size(); ++s) bits += std::int64_t(c[s]) * lengths[s];
      if (best < 0 || bits < best) best = bits, escape = e, gap_lengths = lengths;
    }
  }

  safetensors::File file;
  Json coding;
  coding["codebooks"] = Json::object();
  coding["gap_escape"] = escape;
  coding["parameters"] = Json::object();
  CompressionAccount a;
  bool scaled = false;
  for (const Codebook &c : m.codebooks) {
    coding["codebooks"][c.name] = {{"size", c.centres.size()}};
    file.tensors.push_back({cf::codebook_prefix + c.name, "F32", {std::int64_t(c.centres.size())}, u8(c.centres)});
    std::vector<std::uint8_t> lengths = index_lengths.count(c.name) ? index_lengths[c.name]
                                                                     : std::vector<std::uint8_t>(c.centres.size(), 0);
    file.tensors.push_back({cf::index_code_prefix + c.name, "U8", {std::int64_t(lengths.size())}, lengths});
    a.codebook_bits += 32 * std::int64_t(c.centres.size());
    a.index_table_bits += table_bits(lengths);
  }
  if (pruned) {
    file.tensors.push_back({cf::gap_code, "U8", {std::int64_t(gap_lengths.size())}, gap_lengths});
    a.gap_table_bits = table_bits(gap_lengths);
  }
  for (const CodedParameter &p : m.coded) {
    huffman::BitWriter idx;
    if (!huffman::encode(index_lengths[p.codebook], p.indices.data(), p.indices.size(), idx))
      return fail("cannot code the indices of '" + p.name + "'");
    file.tensors.push_back({p.name + cf::indices_suffix, "U8", {std::int64_t(idx.bytes().size())}, idx.bytes()});
    Json entry = {{"shape", p.shape}, {"kept", p.indices.size()}, {"codebook", p.codebook}, {"index_bits", idx.bits()}};
    if (!p.scale.empty()) entry["scale"] = p.scale, scaled = true;
    if (!p.packing.empty()) {
      entry["packing"] = {{"layout", p.packing}, {"grid", to_string(p.grid.kind)}, {"bits", p.grid.bits}};
      if (!p.level_sums.empty()) entry["packing"]["level_sums"] = p.level_sums;
      scaled = true;
    }
    a.index_bits += std::int64_t(idx.bits());
    if (!p.dense) {
      const std::vector<std::uint32_t> symbols = gap_symbols(p.positions, escape);
      huffman::BitWriter gaps;
      if (!huffman::encode(gap_lengths, symbols.data(), symbols.size(), gaps))
        return fail("cannot code the positions of '" + p.name + "'");
      file.tensors.push_back({p.name + cf::gaps_suffix, "U8", {std::int64_t(gaps.bytes().size())}, gaps.bytes()});
      entry["gap_bits"] = gaps.bits();
      entry["gap_symbols"] = symbols.size();
      a.gap_bits += std::int64_t(gaps.bits());
    }
    coding["parameters"][p.name] = entry;
    a.parameters += p.elements(), a.coded += p.elements(), a.kept += std::int64_t(p.indices.size());
  }
  for (const ModelFileTensor &t : m.plain) {
    file.tensors.push_back({t.name, t.dtype, t.shape, t.bytes});
    const std::int64_t n = elements_of(t.shape);
    a.parameters += n, a.plain_bits += 32 * n;
  }
  for (const safetensors::Tensor &t : file.tensors) file.metadata[cf::crc_prefix + t.name] = crc_of(t.data);
  file.metadata[mf::format_key] = scaled ? cf::scaled_tag : cf::tag;
  file.metadata[mf::kernel_key] = kernel_reference(path, m.kernel_prefix);
  file.metadata[mf::function_key] = m.function;
  if (m.pin_kernel && !kernel_digest(m.kernel_prefix, file.metadata[mf::kernel_sha256_key], error)) return false;
  file.metadata[cf::coding_key] = coding.dump();
  if (!safetensors::write(path, file, error)) return false;
  if (account) *account = a;
  return true;
}

bool read_compressed_model(const std::string &path, CompressedModel &out, CompressionAccount *account,
                           std::string &error) {
  safetensors::File file;
  return safetensors::read(path, file, error) && read_compressed_model(path, file, out, account, error);
}

bool read_compressed_model(const std::string &path, const safetensors::File &read, CompressedModel &out,
                           CompressionAccount *account, std::string &error) {
  auto fail = [&](const std::string &what) { return error = path + ": " + what, false; };
  const safetensors::File &file = read;
  auto meta = [&](const std::string &key) {
    auto it = file.metadata.find(key);
    return it == file.metadata.end() ? std::string() : it->second;
  };
  if (!is_compressed_model(file.metadata))
    return fail(std::string("not a cpq compressed model (its metadata has no ") + mf::format_key + " \"" + cf::tag +
                "\" or \"" + cf::scaled_tag + "\")");
  for (const safetensors::Tensor &t : file.tensors) {
    auto crc = file.metadata.find(cf::crc_prefix + t.name);
    if (crc == file.metadata.end()) return fail("tensor '" + t.name + "' has no checksum");
    if (crc->second != crc_of(t.data)) return fail("tensor '" + t.name + "' does not match its checksum: damaged");
  }
  Json coding;
  try {
    coding = Json::parse(meta(cf::coding_key));
  } catch (const Json::exception &e) { // parse errors, and numbers beyond 64 bits (out_of_range)
    return fail(std::string(cf::coding_key) + " is not JSON: " + json_problem(e));
  }
  CompressedModel m;
  m.kernel_prefix = meta(mf::kernel_key);
  m.function = meta(mf::function_key);
  if (m.kernel_prefix.empty() || m.function.empty()) return fail("its metadata names no kernel or function");
  CompressionAccount a;
  std::set<std::string> used;
  auto tensor = [&](const std::string &name, const char *dtype) -> const safetensors::Tensor * {
    const safetensors::Tensor *t = file.find(name);
    if (!t || t->dtype != dtype || t->shape.size() != 1) return nullptr;
    used.insert(name);
    return t;
  };
  std::map<std::string, std::vector<std::uint8_t>> index_lengths;
  try {
    if (!coding.is_object() || !coding["codebooks"].is_object() || !coding["parameters"].is_object() ||
        !coding["gap_escape"].is_number_unsigned())
      return fail(std::string(cf::coding_key) + " lacks codebooks, parameters or gap_escape");
    for (const auto &[name, entry] : coding["codebooks"].items()) {
      const safetensors::Tensor *c = tensor(cf::codebook_prefix + name, "F32");
      const safetensors::Tensor *l = tensor(cf::index_code_prefix + name, "U8");
      const std::size_t k = json_integer<std::size_t>(entry.at("size"), "codebook '" + name + "' size");
      if (!c || !l || std::size_t(c->shape[0]) != k || std::size_t(l->shape[0]) != k || k == 0)
        return fail("codebook '" + name + "' lacks its centres or code, or their sizes differ from " + std::to_string(k));
      m.codebooks.push_back({name, c->as_f32()});
      index_lengths[name] = l->data;
      a.codebook_bits += 32 * std::int64_t(k), a.index_table_bits += table_bits(l->data);
    }
    const std::uint32_t escape = json_integer<std::uint32_t>(coding["gap_escape"], "gap_escape");
    std::vector<std::uint8_t> gap_lengths;
    huffman::Decoder gap_decoder;
    bool have_gaps = false;
    for (const auto &[name, entry] : coding["parameters"].items()) {
      CodedParameter p;
      p.name = name;
      p.shape = json_integers<std::int64_t>(entry.at("shape"), "parameter '" + name + "' shape");
      // Each extent positive and their product far below 2^63 (a model's
      // parameter has fewer than 2^40 values), before anything multiplies them.
      std::int64_t count = 1;
      for (std::int64_t d : p.shape)
        if (d < 1 || d > (std::int64_t(1) << 40) / count) return fail("parameter '" + name + "' has a bad shape");
        else count *= d;
      p.codebook = entry.at("codebook").get<std::string>();
      if (entry.contains("scale")) {
        if (meta(mf::format_key) != cf::scaled_tag)
          return fail("parameter '" + name + "' has a scale, which \"" + cf::tag + "\" files do not have");
        p.scale = entry.at("scale").get<std::string>();
      }
      if (entry.contains("packing")) {
        if (meta(mf::format_key) != cf::scaled_tag)
          return fail("parameter '" + name + "' is packed, which \"" + cf::tag + "\" files do not have");
        const Json &packing = entry.at("packing");
        p.packing = packing.at("layout").get<std::string>();
        const std::optional<GridKind> kind = parse_grid_kind(packing.at("grid").get<std::string>());
        const int bits = json_integer<int>(packing.at("bits"), "parameter '" + name + "' packing bits");
        if (!kind || bits < kMinBits || bits > kMaxBits || !weight_layout_named(p.packing))
          return fail("parameter '" + name + "' has a packing of no known layout or grid");
        p.grid = GridSpec{*kind, bits};
        if (packing.contains("level_sums")) p.level_sums = packing.at("level_sums").get<std::string>();
      }
      const std::uint64_t kept = json_integer<std::uint64_t>(entry.at("kept"), "parameter '" + name + "' kept");
      const std::uint64_t bits = json_integer<std::uint64_t>(entry.at("index_bits"), "parameter '" + name + "' index_bits");
      const std::int64_t n = p.elements();
      if (n < 0 || kept > std::uint64_t(n) || !index_lengths.count(p.codebook))
        return fail("parameter '" + name + "' has a bad shape, kept count or codebook");
      const safetensors::Tensor *idx = tensor(name + cf::indices_suffix, "U8");
      if (!idx || bits > 8 * std::uint64_t(idx->data.size())) return fail("parameter '" + name + "' lacks its indices");
      huffman::Decoder d;
      std::string why;
      if (!d.init(index_lengths[p.codebook], why)) return fail("codebook '" + p.codebook + "': " + why);
      p.indices.resize(std::size_t(kept));
      if (!d.decode(idx->data.data(), bits, p.indices.size(), p.indices.data(), why))
        return fail("'" + name + cf::indices_suffix + "': " + why);
      a.index_bits += std::int64_t(bits);
      p.index_bits = bits;
      p.dense = !entry.contains("gap_bits");
      if (p.dense) {
        if (kept != std::uint64_t(n)) return fail("parameter '" + name + "' keeps " + std::to_string(kept) +
                                                  " of " + std::to_string(n) + " values but has no gaps");
      } else {
        if (!have_gaps) {
          const safetensors::Tensor *g = tensor(cf::gap_code, "U8");
          if (!g || g->data.size() != std::size_t(escape) + 1) return fail("the gap code is missing or not of " +
                                                                           std::to_string(escape + 1) + " symbols");
          gap_lengths = g->data;
          if (!gap_decoder.init(gap_lengths, why)) return fail(std::string(cf::gap_code) + ": " + why);
          a.gap_table_bits = table_bits(gap_lengths);
          have_gaps = true;
        }
        const std::uint64_t gbits =
            json_integer<std::uint64_t>(entry.at("gap_bits"), "parameter '" + name + "' gap_bits");
        const safetensors::Tensor *g = tensor(name + cf::gaps_suffix, "U8");
        if (!g || gbits > 8 * std::uint64_t(g->data.size())) return fail("parameter '" + name + "' lacks its gaps");
        // The gap symbols, then the positions they make (escapes make none).
        const std::uint64_t symbols =
            json_integer<std::uint64_t>(entry.at("gap_symbols"), "parameter '" + name + "' gap_symbols");
        if (symbols > kept + std::uint64_t(n) / std::max<std::uint32_t>(escape, 1) + 1)
          return fail("'" + name + cf::gaps_suffix + "' claims more gap symbols than its values allow");
        std::vector<std::uint32_t> all(std::size_t(symbols), 0);
        const std::size_t count = all.size();
        if (!gap_decoder.decode(g->data.data(), gbits, all.size(), all.data(), why))
          return fail("'" + name + cf::gaps_suffix + "': " + why);
        std::int64_t at = -1;
        for (std::size_t s = 0; s < count && p.positions.size() < kept; ++s) {
          if (all[s] > escape) return fail("'" + name + cf::gaps_suffix + "' holds a gap beyond the escape");
          at += std::int64_t(all[s]);
          if (all[s] == escape) continue;
          at += 1;
          if (at >= n) return fail("'" + name + cf::gaps_suffix + "' reaches past its " + std::to_string(n) + " values");
          p.positions.push_back(std::uint32_t(at));
        }
        if (p.positions.size() != kept)
          return fail("'" + name + cf::gaps_suffix + "' gives " + std::to_string(p.positions.size()) + " positions for " +
                      std::to_string(kept) + " kept values");
        a.gap_bits += std::int64_t(gbits);
        p.gap_bits = gbits;
      }
      const std::size_t k = m.codebooks.empty() ? 0 : [&] {
        for (const Codebook &c : m.codebooks)
          if (c.name == p.codebook) return c.centres.size();
        return std::size_t(0);
      }();
      for (std::uint32_t j : p.indices)
        if (j >= k) return fail("parameter '" + name + "' has an index beyond its codebook");
      a.parameters += n, a.coded += n, a.kept += std::int64_t(kept);
      m.coded.push_back(std::move(p));
    }
  } catch (const nlohmann::json::exception &e) {
    return fail(std::string(cf::coding_key) + ": " + json_problem(e));
  }
  for (const safetensors::Tensor &t : file.tensors) {
    if (used.count(t.name)) continue;
    bool coded_part = false;
    for (const CodedParameter &p : m.coded)
      coded_part |= t.name == p.name + cf::indices_suffix || t.name == p.name + cf::gaps_suffix;
    if (coded_part || t.name == cf::gap_code) continue;
    ModelFileTensor plain;
    plain.name = t.name, plain.dtype = t.dtype, plain.shape = t.shape, plain.bytes = t.data;
    plain.elements = t.elements();
    a.parameters += plain.elements, a.plain_bits += 32 * plain.elements;
    m.plain.push_back(std::move(plain));
  }
  for (const CodedParameter &p : m.coded) {
    std::string why;
    if (!p.scale.empty() && !scale_of(m, p, why)) return fail(why);
    PackedWeight packed;
    std::vector<std::int32_t> sums;
    if (!p.packing.empty() && !decode_packed(p, packed, sums, why)) return fail(why);
  }
  out = std::move(m);
  if (account) *account = a;
  return true;
}

} // namespace cpq::runtime
