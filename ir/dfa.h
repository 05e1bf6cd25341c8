// The table the datapath walks to match one HTTP field (method, path or
// host) against all the patterns of a port at once. docs/http_dfa.md tells
// how the kernel uses it.
//
// Whole-value matching: feed every byte of the value, then read the accept
// mask of the state reached; bit i set means pattern i matches the WHOLE
// value (RE2::FullMatch). Bytes are first mapped to classes (bytes no state
// tells apart share a class), so a row has num_classes entries, not 256.
// State 0 is the dead state: it loops on every class and accepts nothing,
// so a walk may stop as soon as it gets there.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace polc::ir {

struct Dfa {
  // Accept sets are 64-bit masks of pattern indices: the kernel ANDs them
  // with a rule bitmask, so a field holds at most this many patterns.
  static constexpr size_t kMaxPatterns = 64;
  static constexpr uint16_t kDead = 0;

  std::array<uint8_t, 256> byte_class{};  // byte -> class, classes 0..num_classes-1
  uint16_t num_classes = 1;
  uint16_t num_states = 1;
  uint16_t start = kDead;
  uint16_t dead = kDead;
  uint32_t num_patterns = 0;
  std::vector<uint16_t> next;    // next[state * num_classes + class]
  std::vector<uint64_t> accept;  // accept[state]: patterns matching a value that ends here

  uint16_t step(uint16_t state, uint8_t byte) const {
    return next[size_t(state) * num_classes + byte_class[byte]];
  }
  // The state after the whole value (what the kernel's bounded loop computes).
  uint16_t walk(std::string_view value) const;
  // Bit i: pattern i matches the whole value.
  uint64_t accept_mask(std::string_view value) const { return accept[walk(value)]; }
  // The indices of the matching patterns, ascending.
  std::vector<uint32_t> match(std::string_view value) const;
};

}  // namespace polc::ir
