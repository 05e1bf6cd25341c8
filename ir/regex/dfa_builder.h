// From the patterns of one HTTP field to its Dfa: parse each pattern
// (ir/regex_parser.h), build one Thompson NFA for the set, determinize it
// by subset construction (a DFA state remembers which set of patterns
// accepts there), minimize it (Moore's partition refinement; states with different
// accept sets never merge) and compute the byte classes of the result.
// Same patterns in, same table out, byte for byte.
#pragma once

#include <string>
#include <vector>

#include "ir/regex/dfa.h"
#include "ir/regex/ast.h"

namespace polc::ir {

// Bounds on the work, so a pattern like (a{1000}){1000} is refused with a
// clear error rather than eating the machine. The caller falls back (proxy)
// or rejects the policy.
struct DfaLimits {
  size_t max_nfa_states_per_pattern = 4096;
  // Before minimization. 1,000 literal-prefix paths ("/api/v1/item-123/.*")
  // need about 6,000; the cap stops exponential sets ((a|b)*a(a|b){20})
  // within a second or two rather than after the machine's memory.
  size_t max_dfa_states = 1u << 16;
  // Accept sets are ids, not bitmasks: no width limit, only a sanity cap.
  size_t max_patterns = 1u << 16;
};

regex::RegexResult<Dfa> build_dfa(const std::vector<std::string> &patterns, const DfaLimits &limits = {});

}  // namespace polc::ir
