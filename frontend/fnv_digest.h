// FNV-1a, 64 bits: a stable digest (same bytes on every host and every
// run, unlike std::hash) for what must be compared across processes: the
// policy in force, a rule's content.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace polc {

struct FnvDigest {
  uint64_t h = 1469598103934665603ull;
  void byte(unsigned char c) { h = (h ^ c) * 1099511628211ull; }
  // A separator after each string: ("ab", "c") and ("a", "bc") differ.
  void add(std::string_view s) {
    for (unsigned char c : s) byte(c);
    byte(0xff);
  }
  void add(uint64_t v) {
    for (int i = 0; i < 8; ++i) byte(static_cast<unsigned char>(v >> (8 * i)));
  }
  std::string hex() const { return fmt::format("{:016x}", h); }
};

}  // namespace polc
