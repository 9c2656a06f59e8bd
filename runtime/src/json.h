//===- json.h - the small JSON reader of the runtime's file formats -*- C++ -*-===//
//
// This file implements the JSON reader shared by the safetensors reader
// (headers) and the kernel loader (manifests written by cpq-compile): a
// strict parser into a small value tree, with the byte offset of the first
// problem; no exceptions. Internal to runtime/src.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace cpq::json {

/// A JSON value, as far as safetensors headers and kernel manifests need one.
struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool boolean = false;
  bool integral = false;
  std::int64_t integer = 0;
  std::string text;
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  const Json *member(const std::string &key) const {
    for (const auto &[k, v] : members)
      if (k == key) return &v;
    return nullptr;
  }
};

class JsonParser {
public:
  JsonParser(const char *begin, const char *end) : p(begin), begin(begin), end(end) {}

  /// `what` names the text in messages ("JSON header", "JSON manifest").
  bool parse(Json &out, std::string &error, const std::string &what = "JSON header") {
    if (!value(out, 0)) {
      error = "invalid " + what + " at byte " + std::to_string(p - begin) + ": " + problem;
      return false;
    }
    skipSpace();
    if (p != end) {
      error = "invalid " + what + ": trailing characters at byte " + std::to_string(p - begin);
      return false;
    }
    return true;
  }

private:
  bool fail(const char *what) {
    problem = what;
    return false;
  }
  void skipSpace() {
    while (p != end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) ++p;
  }
  bool literal(const char *word) {
    const std::size_t n = std::strlen(word);
    if (std::size_t(end - p) < n || std::memcmp(p, word, n) != 0) return fail("unexpected character");
    p += n;
    return true;
  }
  bool value(Json &out, int depth) {
    if (depth > 16) return fail("nested too deeply");
    skipSpace();
    if (p == end) return fail("unexpected end");
    switch (*p) {
    case '{': return object(out, depth);
    case '[': return array(out, depth);
    case '"': out.kind = Json::String; return string(out.text);
    case 't': out.kind = Json::Bool, out.boolean = true; return literal("true");
    case 'f': out.kind = Json::Bool, out.boolean = false; return literal("false");
    case 'n': out.kind = Json::Null; return literal("null");
    default: return number(out);
    }
  }
  bool object(Json &out, int depth) {
    out.kind = Json::Object;
    ++p;
    skipSpace();
    if (p != end && *p == '}') return ++p, true;
    for (;;) {
      skipSpace();
      std::string key;
      if (p == end || *p != '"' || !string(key)) return fail("expected a string key");
      skipSpace();
      if (p == end || *p != ':') return fail("expected ':'");
      ++p;
      Json v;
      if (!value(v, depth + 1)) return false;
      out.members.emplace_back(std::move(key), std::move(v));
      skipSpace();
      if (p != end && *p == ',') {
        ++p;
        continue;
      }
      if (p != end && *p == '}') return ++p, true;
      return fail("expected ',' or '}'");
    }
  }
  bool array(Json &out, int depth) {
    out.kind = Json::Array;
    ++p;
    skipSpace();
    if (p != end && *p == ']') return ++p, true;
    for (;;) {
      Json v;
      if (!value(v, depth + 1)) return false;
      out.items.push_back(std::move(v));
      skipSpace();
      if (p != end && *p == ',') {
        ++p;
        continue;
      }
      if (p != end && *p == ']') return ++p, true;
      return fail("expected ',' or ']'");
    }
  }
  bool string(std::string &out) {
    ++p; // opening quote
    while (p != end && *p != '"') {
      const unsigned char c = static_cast<unsigned char>(*p++);
      if (c < 0x20) return fail("control character in a string");
      if (c != '\\') {
        out.push_back(char(c));
        continue;
      }
      if (p == end) return fail("unterminated escape");
      const char e = *p++;
      switch (e) {
      case '"': case '\\': case '/': out.push_back(e); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        if (end - p < 4) return fail("short \\u escape");
        unsigned code = 0;
        for (int k = 0; k < 4; ++k) {
          const char h = *p++;
          code <<= 4;
          if (h >= '0' && h <= '9') code |= unsigned(h - '0');
          else if (h >= 'a' && h <= 'f') code |= unsigned(h - 'a' + 10);
          else if (h >= 'A' && h <= 'F') code |= unsigned(h - 'A' + 10);
          else return fail("bad \\u escape");
        }
        // UTF-8 of a code point of the basic plane (names are ASCII in practice).
        if (code < 0x80) {
          out.push_back(char(code));
        } else if (code < 0x800) {
          out.push_back(char(0xC0 | (code >> 6)));
          out.push_back(char(0x80 | (code & 0x3F)));
        } else {
          out.push_back(char(0xE0 | (code >> 12)));
          out.push_back(char(0x80 | ((code >> 6) & 0x3F)));
          out.push_back(char(0x80 | (code & 0x3F)));
        }
        break;
      }
      default: return fail("unknown escape");
      }
    }
    if (p == end) return fail("unterminated string");
    ++p;
    return true;
  }
  bool number(Json &out) {
    out.kind = Json::Number;
    const char *start = p;
    if (p != end && *p == '-') ++p;
    bool digits = false, fraction = false;
    while (p != end && ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' ||
                        (*p == '-' && p != start))) {
      digits |= (*p >= '0' && *p <= '9');
      fraction |= !(*p >= '0' && *p <= '9');
      ++p;
    }
    if (!digits) return fail("unexpected character");
    out.integral = !fraction && (p - start) <= 18;
    if (out.integral) out.integer = std::strtoll(std::string(start, p).c_str(), nullptr, 10);
    return true;
  }

  const char *p, *begin, *end;
  const char *problem = "";
};

} // namespace cpq::json
