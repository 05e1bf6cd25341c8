// Minimization and final byte classes, for a DFA fresh out of subset
// construction. Separate from the builder so it can be tested on tables
// written by hand.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "ir/regex/dfa.h"

namespace polc::ir {

// A complete DFA over provisional byte classes; state 0 must be dead
// (accepts nothing, loops to itself).
struct RawDfa {
  std::array<uint8_t, 256> byte_class{};
  uint32_t num_classes = 1;
  uint32_t start = 0;
  std::vector<uint32_t> next;    // next[state * num_classes + class]
  std::vector<uint32_t> accept;  // one accept-set id per state (into accept_sets)
  std::vector<std::vector<uint32_t>> accept_sets{{}};  // [0] must be the empty set
  uint32_t num_patterns = 0;
};

// The minimal equivalent DFA: states numbered dead (0), then breadth-first
// from the start; byte classes merged until no two classes behave alike in
// every state, numbered by their smallest byte; accept sets renumbered by
// the first state that accepts them (only the sets some state reaches kept).
Dfa minimize(const RawDfa &raw);

}  // namespace polc::ir
