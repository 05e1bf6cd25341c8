// Header names and values are literals, not regexes: they become patterns
// for the DFA builder with every byte spelled so the regex parser
// (ir/regex_parser.h) reads it as itself. ASCII letters and digits stay;
// other ASCII bytes become \xHH (punctuation, space and controls alike);
// a non-ASCII character becomes \x{code point}, which the NFA encodes back
// into the very same UTF-8 bytes. Invalid UTF-8 is refused rather than
// guessed at: `\xHH` above 0x7F would mean a code point, not a byte.
#include <fmt/format.h>

#include <optional>

#include "ir/http_plan.h"

namespace polc::ir {
namespace {

bool is_alnum(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// One well-formed UTF-8 character at text[i] (RFC 3629: shortest form, no
// surrogates, at most U+10FFFF): its code point, with `length` set.
std::optional<uint32_t> decode_strict(std::string_view text, size_t i, size_t &length) {
  auto byte = [&](size_t k) -> int { return i + k < text.size() ? uint8_t(text[i + k]) : -1; };
  int c = byte(0);
  int lo = 0x80, hi = 0xBF;  // the range of the second byte
  uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) length = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) length = 3, cp = c & 0x0F, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
  else if (c >= 0xF0 && c <= 0xF4) length = 4, cp = c & 0x07, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
  else return std::nullopt;
  for (size_t k = 1; k < length; ++k) {
    int b = byte(k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return std::nullopt;
    cp = (cp << 6) | uint32_t(b & 0x3F);
  }
  return cp;
}

}  // namespace

Result<std::string> literal_pattern(std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size();) {
    unsigned char c = value[i];
    if (c < 0x80) {
      out += is_alnum(c) ? std::string(1, char(c)) : fmt::format("\\x{:02X}", c);
      ++i;
      continue;
    }
    size_t length = 0;
    std::optional<uint32_t> cp = decode_strict(value, i, length);
    if (!cp)
      return Error{fmt::format("header value \"{}\" is not valid UTF-8 at byte {}; the datapath matches it as text",
                               value, i + 1),
                   1};
    out += fmt::format("\\x{{{:X}}}", *cp);
    i += length;
  }
  return out;
}

Result<std::string> header_name_pattern(std::string_view name) {
  // [hH] rather than (?i)h: header names compare by ASCII letter case
  // (the evaluator's tolower), and RE2's (?i) would also let U+212A KELVIN
  // SIGN stand for k.
  std::string out;
  for (unsigned char c : name) {
    if (c >= 0x80) return Error{fmt::format("header name \"{}\" is not an ASCII token", name), 1};
    char lower = c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : char(c);
    if (lower >= 'a' && lower <= 'z') out += fmt::format("[{}{}]", lower, char(lower - 'a' + 'A'));
    else if (is_alnum(c)) out += char(c);
    else out += fmt::format("\\x{:02X}", c);
  }
  return out;
}

}  // namespace polc::ir
