// Test helper: a C++ model of the datapath's request-target walk
// (templates/http_target.h), byte by byte as the kernel does it: the
// forms, the escapes, the segment ring for "..". The reference evaluator
// normalizes whole strings instead (ir/http_request_check.cpp); the HTTP
// differential test holds the two to the same verdicts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace polc::test {

struct TargetWalk {
  bool refused = false;
  bool has_path = false;   // false for the asterisk and authority forms
  uint32_t path_state = 0; // the PATH DFA state at the end of the target
  std::optional<std::string> authority;
};

namespace target_model {

inline bool unreserved(unsigned c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}
inline bool authority_char(unsigned c) {
  return unreserved(c) || std::string_view("!$&'()*+,;=:[]").find(char(c)) != std::string_view::npos;
}
inline int hex(unsigned c) {
  if (c >= '0' && c <= '9') return int(c - '0');
  c |= 0x20;
  return c >= 'a' && c <= 'f' ? int(c - 'a' + 10) : -1;
}

}  // namespace target_model

// `step(state, byte)` is one PATH DFA step; `start` the PATH start state.
template <class Step>
TargetWalk walk_target(std::string_view method, std::string_view target, uint32_t start, Step step) {
  using namespace target_model;
  TargetWalk r;
  auto refuse = [&] {
    r.refused = true;
    return r;
  };
  if (target.empty()) return refuse();
  for (char ch : target)
    if (uint8_t(ch) < 0x21 || uint8_t(ch) >= 0x7f) return refuse();
  if (method == "CONNECT") {
    for (char ch : target)
      if (!authority_char(uint8_t(ch))) return refuse();
    r.authority = std::string(target);
    return r;
  }
  if (target[0] == '*') {
    if (method != "OPTIONS" || target.size() != 1) return refuse();
    return r;
  }
  std::string rest(target);
  if (target[0] != '/') {
    std::string scheme(target.substr(0, 7));
    for (size_t i = 0; i < scheme.size() && i < 4; ++i) scheme[i] = char(scheme[i] | 0x20);
    if (scheme != "http://") return refuse();
    size_t i = 7;
    std::string auth;
    while (i < target.size() && target[i] != '/' && target[i] != '?') {
      if (!authority_char(uint8_t(target[i]))) return refuse();
      auth += target[i++];
    }
    if (auth.empty()) return refuse();
    r.authority = auth;
    std::string_view tail = target.substr(i);  // "/x", "?q" or nothing
    rest = tail.empty() || tail[0] != '/' ? "/" + std::string(tail) : std::string(tail);
  }

  // The path: the kernel's ring of segment-start states.
  enum Seg { Empty, Dot, DotDot, Plain };
  constexpr unsigned kRing = 8;
  uint32_t ring[kRing] = {};
  unsigned top = 0, depth = 1;
  uint32_t state = step(start, '/');
  ring[0] = state;
  Seg seg = Empty;
  int pct = 0, hi = 0;
  bool query = false;
  auto seg_char = [&](uint8_t c) -> bool {
    if (c == '.' && seg < DotDot) seg = Seg(seg + 1);
    else if (c == ';' && (seg == Dot || seg == DotDot)) return false;
    else seg = Plain;
    state = step(state, c);
    return true;
  };
  auto seg_end = [&](bool slash) -> bool {
    switch (seg) {
      case Empty: return true;
      case Dot: break;
      case DotDot:
        if (depth <= 1) return false;
        --depth;
        top = (top + kRing - 1) % kRing;
        break;
      case Plain:
        if (!slash) return true;
        state = step(state, '/');
        top = (top + 1) % kRing;
        ring[top] = state;
        if (depth < kRing) ++depth;
        seg = Empty;
        return true;
    }
    state = ring[top];
    seg = Empty;
    return true;
  };
  for (size_t i = 1; i < rest.size(); ++i) {
    uint8_t b = uint8_t(rest[i]);
    if (query) {
      if (b == '#') return refuse();
      state = step(state, b);
      continue;
    }
    if (pct) {
      int h = hex(b);
      if (h < 0) return refuse();
      if (pct == 2) {
        hi = h;
        pct = 1;
        continue;
      }
      pct = 0;
      unsigned v = unsigned(hi * 16 + h);
      if (unreserved(v)) {
        if (!seg_char(uint8_t(v))) return refuse();
        continue;
      }
      if (v == '/' || v == '\\' || v < 0x20 || v == 0x7f) return refuse();
      seg = Plain;
      const char *digits = "0123456789ABCDEF";
      state = step(state, '%');
      state = step(state, uint8_t(digits[v >> 4]));
      state = step(state, uint8_t(digits[v & 15]));
      continue;
    }
    switch (b) {
      case '%': pct = 2; continue;
      case '\\':
      case '#': return refuse();
      case '/':
        if (!seg_end(true)) return refuse();
        continue;
      case '?':
        if (!seg_end(false)) return refuse();
        state = step(state, '?');
        query = true;
        continue;
    }
    if (!seg_char(b)) return refuse();
  }
  if (pct) return refuse();
  if (!query && !seg_end(false)) return refuse();
  r.has_path = true;
  r.path_state = state;
  return r;
}

}  // namespace polc::test
