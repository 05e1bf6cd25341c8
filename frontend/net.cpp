// Strict address parsing: what a user writes in a policy must mean exactly
// one address, so leading zeros that some libc parsers read as octal,
// trailing garbage and short forms ("10.1") are refused with a reason.
#include "frontend/net.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace polc {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Four decimal octets into out[0..3]; returns an error reason or "".
std::string parse_v4_into(std::string_view text, uint8_t *out) {
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (pos >= text.size()) return "expected 4 octets";
      if (text[pos] != '.') return fmt::format("unexpected character '{}'", text[pos]);
      ++pos;
    }
    size_t start = pos;
    while (pos < text.size() && is_digit(text[pos]) && pos - start < 6) ++pos;
    if (pos == start) {
      if (pos >= text.size()) return "expected 4 octets";
      return fmt::format("unexpected character '{}'", text[pos]);
    }
    std::string_view digits = text.substr(start, pos - start);
    unsigned value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.size() > 3 || value > 255) return fmt::format("octet {} out of range", digits);
    if (digits.size() > 1 && digits[0] == '0')
      return fmt::format("octet {} has a leading zero", digits);
    out[i] = static_cast<uint8_t>(value);
  }
  if (pos != text.size()) {
    if (text[pos] == '.') return "more than 4 octets";
    return fmt::format("unexpected character '{}'", text[pos]);
  }
  return "";
}

std::string parse_v6_into(std::string_view text, uint8_t *out) {
  // Split on "::" first: groups before it fill from the left, groups after
  // it from the right, zeros in between.
  uint16_t head[8], tail[8];
  int nhead = 0, ntail = 0;
  bool compressed = false;
  bool v4_tail = false;
  uint8_t v4[4];
  size_t pos = 0;
  if (text.size() >= 2 && text[0] == ':' && text[1] == ':') {
    compressed = true;
    pos = 2;
  } else if (!text.empty() && text[0] == ':') {
    return "address cannot start with a single ':'";
  }
  while (pos < text.size()) {
    int &count = compressed ? ntail : nhead;
    uint16_t *groups = compressed ? tail : head;
    size_t start = pos;
    while (pos < text.size() && hex_value(text[pos]) >= 0) ++pos;
    if (pos < text.size() && text[pos] == '.') {
      // Embedded IPv4 in the last 32 bits.
      std::string reason = parse_v4_into(text.substr(start), v4);
      if (!reason.empty()) return "embedded IPv4: " + reason;
      v4_tail = true;
      pos = text.size();
      break;
    }
    if (pos == start) {
      if (pos < text.size()) return fmt::format("unexpected character '{}'", text[pos]);
      return "address cannot end with a single ':'";
    }
    if (pos - start > 4) return fmt::format("group {} has more than 4 hex digits", text.substr(start, pos - start));
    if (nhead + ntail >= 8) return "too many groups";
    uint16_t value = 0;
    for (size_t i = start; i < pos; ++i) value = static_cast<uint16_t>(value * 16 + hex_value(text[i]));
    groups[count++] = value;
    if (pos == text.size()) break;
    if (text[pos] != ':') return fmt::format("unexpected character '{}'", text[pos]);
    ++pos;
    if (pos < text.size() && text[pos] == ':') {
      if (compressed) return "\"::\" may appear only once";
      compressed = true;
      ++pos;
    } else if (pos == text.size()) {
      return "address cannot end with a single ':'";
    }
  }
  int total = nhead + ntail + (v4_tail ? 2 : 0);
  if (compressed ? total > 7 : total != 8)
    return compressed ? "too many groups" : "expected 8 groups";
  std::array<uint16_t, 8> all{};
  for (int i = 0; i < nhead; ++i) all[i] = head[i];
  int tail_start = 8 - ntail - (v4_tail ? 2 : 0);
  for (int i = 0; i < ntail; ++i) all[tail_start + i] = tail[i];
  for (int i = 0; i < 8; ++i) {
    out[2 * i] = static_cast<uint8_t>(all[i] >> 8);
    out[2 * i + 1] = static_cast<uint8_t>(all[i]);
  }
  if (v4_tail)
    for (int i = 0; i < 4; ++i) out[12 + i] = v4[i];
  return "";
}

void clear_host_bits(IpAddr &a, size_t len, bool *had_bits) {
  for (size_t i = len; i < a.width_bits(); ++i) {
    if (a.bit(i)) {
      *had_bits = true;
      a.bytes[i / 8] &= static_cast<uint8_t>(~(1u << (7 - i % 8)));
    }
  }
}

}  // namespace

Parsed<IpAddr> parse_ip(std::string_view text) {
  Parsed<IpAddr> r;
  if (text.empty()) {
    r.error = "empty address";
    return r;
  }
  IpAddr a;
  std::string reason;
  if (text.find(':') != std::string_view::npos) {
    a.family = Family::V6;
    reason = parse_v6_into(text, a.bytes.data());
  } else {
    a.family = Family::V4;
    reason = parse_v4_into(text, a.bytes.data());
  }
  if (!reason.empty()) {
    r.error = std::move(reason);
    return r;
  }
  r.value = a;
  return r;
}

Parsed<Prefix> parse_prefix(std::string_view text) {
  Parsed<Prefix> r;
  size_t slash = text.find('/');
  Parsed<IpAddr> addr = parse_ip(text.substr(0, slash));
  if (!addr.value) {
    r.error = std::move(addr.error);
    return r;
  }
  Prefix p;
  p.addr = *addr.value;
  size_t width = p.addr.width_bits();
  if (slash == std::string_view::npos) {
    p.len = static_cast<uint8_t>(width);
    r.value = p;
    return r;
  }
  std::string_view len_text = text.substr(slash + 1);
  const char *family = p.addr.family == Family::V4 ? "IPv4" : "IPv6";
  if (len_text.empty()) {
    r.error = "missing prefix length after '/'";
    return r;
  }
  for (char c : len_text) {
    if (!is_digit(c)) {
      r.error = fmt::format("prefix length \"{}\" is not a number", len_text);
      return r;
    }
  }
  unsigned len = 0;
  auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
  if (ec != std::errc() || len > width || len_text.size() > 3) {
    r.error = fmt::format("prefix length {} out of range for {}", len_text, family);
    return r;
  }
  if (len_text.size() > 1 && len_text[0] == '0') {
    r.error = fmt::format("prefix length {} has a leading zero", len_text);
    return r;
  }
  p.len = static_cast<uint8_t>(len);
  clear_host_bits(p.addr, len, &r.host_bits);
  r.value = p;
  return r;
}

std::string IpAddr::str() const {
  if (family == Family::V4)
    return fmt::format("{}.{}.{}.{}", bytes[0], bytes[1], bytes[2], bytes[3]);
  // RFC 5952: lowercase, no leading zeros, the longest run (first on a tie)
  // of two or more zero groups becomes "::".
  uint16_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = static_cast<uint16_t>(bytes[2 * i] << 8 | bytes[2 * i + 1]);
  // IPv4-mapped addresses keep the dotted quad (RFC 5952 section 5).
  if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff)
    return fmt::format("::ffff:{}.{}.{}.{}", bytes[12], bytes[13], bytes[14], bytes[15]);
  int best_start = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best_start = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += fmt::format("{:x}", g[i]);
  }
  return out;
}

bool Prefix::contains(const IpAddr &a) const {
  if (a.family != addr.family) return false;
  size_t whole = len / 8;  // bytes that must be equal, then the bits of a partial one
  if (!std::equal(addr.bytes.begin(), addr.bytes.begin() + whole, a.bytes.begin())) return false;
  if (len % 8 == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF00u >> (len % 8));
  return (a.bytes[whole] & mask) == (addr.bytes[whole] & mask);
}

std::string Prefix::str() const { return fmt::format("{}/{}", addr.str(), len); }

}  // namespace polc
