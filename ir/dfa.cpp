#include "ir/dfa.h"

namespace polc::ir {

uint16_t Dfa::walk(std::string_view value) const {
  uint16_t state = start;
  for (char c : value) {
    if (state == dead) break;  // nothing can match any more
    state = step(state, uint8_t(c));
  }
  return state;
}

std::vector<uint32_t> Dfa::match(std::string_view value) const {
  std::vector<uint32_t> out;
  uint64_t mask = accept_mask(value);
  for (uint32_t i = 0; i < num_patterns && i < kMaxPatterns; ++i)
    if (mask >> i & 1) out.push_back(i);
  return out;
}

}  // namespace polc::ir
