// A Thompson NFA over bytes for a set of patterns. Code point sets become
// UTF-8 byte sequences exactly as RE2 compiles them (including RE2's loose
// encoding of U+0080..U+10FFFF, which admits some overlong and out-of-range
// sequences), so the DFA accepts the same byte strings as RE2::FullMatch.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/regex/ast.h"

namespace polc::ir::regex {

struct NfaState {
  enum class Kind : uint8_t {
    Byte,       // consume one byte in [lo, hi], go to out
    Fork,       // epsilon to every state of outs
    BeginText,  // epsilon to out, only at offset 0
    EndText,    // epsilon to out, only at the end of the value
    Match,      // the value matches pattern `pattern` (if the value ends here)
  };
  Kind kind = Kind::Fork;
  uint8_t lo = 0, hi = 0;
  uint32_t out = 0;
  uint32_t pattern = 0;
  std::vector<uint32_t> outs;
};

struct Nfa {
  std::vector<NfaState> states;
  std::vector<uint32_t> starts;  // one per pattern, in pattern order
};

// One UTF-8 byte sequence: byte i in [lo[i], hi[i]] for i < length.
struct Utf8Sequence {
  uint8_t length = 0;
  uint8_t lo[4] = {}, hi[4] = {};
};

// The byte sequences RE2 matches for the code points lo..hi.
std::vector<Utf8Sequence> utf8_sequences(uint32_t lo, uint32_t hi);

// Adds pattern number `pattern` (its Match state and its graph) to `nfa`.
// Fails when the pattern would need more than `max_states` states.
RegexResult<uint32_t> add_to_nfa(Nfa &nfa, const Node &root, uint32_t pattern, size_t max_states);

}  // namespace polc::ir::regex
