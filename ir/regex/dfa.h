// The table the datapath walks to match one HTTP field (method, path, host,
// header names or values) against all the patterns of a policy at once.
// docs/http_dfa.md tells how the kernel uses it.
//
// Whole-value matching: feed every byte of the value, then read what the
// state reached accepts: an accept-set id, naming the set of patterns that
// match the WHOLE value (RE2::FullMatch). Ids, not bitmasks, so that a field
// may hold any number of patterns (1,000 paths is a realistic policy): the
// kernel turns the id into a verdict with one hash lookup. Bytes are first
// mapped to classes (bytes no state tells apart share a class), so a row has
// num_classes entries, not 256. State 0 is the dead state: it loops on every
// class and accepts nothing, so a walk may stop as soon as it gets there.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace polc::ir {

struct Dfa {
  static constexpr uint32_t kDead = 0;
  static constexpr uint32_t kNoMatch = 0;  // the accept-set id of the empty set

  std::array<uint8_t, 256> byte_class{};  // byte -> class, classes 0..num_classes-1
  uint32_t num_classes = 1;
  uint32_t num_states = 1;
  uint32_t start = kDead;
  uint32_t dead = kDead;
  uint32_t num_patterns = 0;
  std::vector<uint32_t> next;    // next[state * num_classes + class]
  std::vector<uint32_t> accept;  // accept[state]: accept-set id of a value that ends here
  // accept_sets[id]: the indices of the patterns matching, ascending.
  // accept_sets[0] is empty; ids are numbered by their first state.
  std::vector<std::vector<uint32_t>> accept_sets{{}};

  uint32_t step(uint32_t state, uint8_t byte) const {
    return next[size_t(state) * num_classes + byte_class[byte]];
  }
  // The state after the whole value (what the kernel's bounded loop computes).
  uint32_t walk(std::string_view value) const;
  // The indices of the patterns matching the whole value, ascending.
  const std::vector<uint32_t> &match(std::string_view value) const { return accept_sets[accept[walk(value)]]; }
  // The same as a bitmask of the first 64 patterns (tests against small sets).
  uint64_t accept_mask(std::string_view value) const;
};

}  // namespace polc::ir
