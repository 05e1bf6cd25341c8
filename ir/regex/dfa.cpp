#include "ir/regex/dfa.h"

namespace polc::ir {

uint32_t Dfa::walk(std::string_view value) const {
  uint32_t state = start;
  for (char c : value) {
    if (state == dead) break;  // nothing can match any more
    state = step(state, uint8_t(c));
  }
  return state;
}

uint64_t Dfa::accept_mask(std::string_view value) const {
  uint64_t mask = 0;
  for (uint32_t i : match(value))
    if (i < 64) mask |= uint64_t(1) << i;
  return mask;
}

}  // namespace polc::ir
