// Subset construction over the NFA of the whole pattern set. A DFA state is
// the set of NFA states that consume a byte, match, or wait for the end of
// the value ($), reached after the bytes read so far. Anchors are decided
// by position: ^ is followed only while building the start state, $ only
// when computing what accepts once the value ends.
#include "ir/regex/dfa_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "ir/regex/dfa_minimize.h"
#include "ir/regex/nfa.h"
#include "ir/regex/parser.h"

namespace polc::ir {
namespace {

using regex::Nfa;
using regex::NfaState;
using regex::RegexError;
using Kind = regex::NfaState::Kind;

class SubsetBuilder {
 public:
  SubsetBuilder(const Nfa &nfa, uint32_t num_patterns, size_t max_states)
      : nfa_(nfa), max_states_(max_states), mark_(nfa.states.size(), 0) {
    raw_.num_patterns = num_patterns;
  }

  regex::RegexResult<RawDfa> run() {
    provisional_classes();
    std::vector<uint32_t> dead_key;
    intern(dead_key);  // state 0: the empty set, dead
    std::vector<uint32_t> start_key = closure(nfa_.starts, /*at_begin=*/true);
    start_key.push_back(kStartMarker);  // the start alone may follow ^ at the end ($^)
    raw_.start = intern(start_key);
    size_t k = raw_.num_classes;
    for (size_t s = 0; s < keys_.size(); ++s) {
      if (keys_.size() > max_states_)
        return RegexError{0, 0, fmt::format("the patterns need more than {} DFA states", max_states_)};
      for (size_t c = 0; c < k; ++c) {
        std::vector<uint32_t> seeds;
        for (uint32_t id : keys_[s]) {
          if (id == kStartMarker) continue;
          const NfaState &st = nfa_.states[id];
          if (st.kind == Kind::Byte && st.lo <= representative_[c] && representative_[c] <= st.hi)
            seeds.push_back(st.out);
        }
        uint32_t target = intern(closure(seeds, /*at_begin=*/false));
        raw_.next[s * k + c] = target;
      }
    }
    return std::move(raw_);
  }

 private:
  static constexpr uint32_t kStartMarker = UINT32_MAX;

  // Bytes between two boundaries of the NFA's byte ranges act alike.
  void provisional_classes() {
    std::array<bool, 257> boundary{};
    for (const NfaState &s : nfa_.states)
      if (s.kind == Kind::Byte) boundary[s.lo] = boundary[s.hi + 1] = true;
    int cls = -1;
    for (int b = 0; b < 256; ++b) {
      if (b == 0 || boundary[b]) representative_.push_back(uint8_t(b)), ++cls;
      raw_.byte_class[b] = uint8_t(cls);
    }
    raw_.num_classes = uint32_t(representative_.size());
  }

  // The states reachable from `seeds` without consuming a byte; kept are
  // those that consume, match or wait for the end. Sorted: a set's key.
  std::vector<uint32_t> closure(const std::vector<uint32_t> &seeds, bool at_begin) {
    ++generation_;
    std::vector<uint32_t> stack(seeds.rbegin(), seeds.rend()), kept;
    while (!stack.empty()) {
      uint32_t id = stack.back();
      stack.pop_back();
      if (mark_[id] == generation_) continue;
      mark_[id] = generation_;
      const NfaState &st = nfa_.states[id];
      switch (st.kind) {
        case Kind::Byte:
        case Kind::Match:
        case Kind::EndText: kept.push_back(id); break;
        case Kind::Fork: stack.insert(stack.end(), st.outs.rbegin(), st.outs.rend()); break;
        case Kind::BeginText:
          if (at_begin) stack.push_back(st.out);
          break;
      }
    }
    std::sort(kept.begin(), kept.end());
    return kept;
  }

  // The patterns that match if the value ends in the state `key`, as an
  // id into raw_.accept_sets.
  uint32_t accept_set(const std::vector<uint32_t> &key) {
    bool at_begin = !key.empty() && key.back() == kStartMarker;
    ++generation_;
    std::vector<uint32_t> stack;
    for (uint32_t id : key)
      if (id != kStartMarker) stack.push_back(id);
    std::vector<uint32_t> set;
    while (!stack.empty()) {
      uint32_t id = stack.back();
      stack.pop_back();
      if (mark_[id] == generation_) continue;
      mark_[id] = generation_;
      const NfaState &st = nfa_.states[id];
      switch (st.kind) {
        case Kind::Byte: break;
        case Kind::Match: set.push_back(st.pattern); break;
        case Kind::EndText: stack.push_back(st.out); break;
        case Kind::Fork: stack.insert(stack.end(), st.outs.begin(), st.outs.end()); break;
        case Kind::BeginText:
          if (at_begin) stack.push_back(st.out);
          break;
      }
    }
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    auto [it, fresh] = set_ids_.try_emplace(set, uint32_t(raw_.accept_sets.size()));
    if (fresh) raw_.accept_sets.push_back(std::move(set));
    return it->second;
  }

  uint32_t intern(const std::vector<uint32_t> &key) {
    auto [it, fresh] = ids_.try_emplace(key, uint32_t(keys_.size()));
    if (fresh) {
      keys_.push_back(key);
      raw_.accept.push_back(accept_set(key));
      raw_.next.resize(keys_.size() * raw_.num_classes, 0);
    }
    return it->second;
  }

  const Nfa &nfa_;
  size_t max_states_;
  RawDfa raw_;
  std::vector<uint8_t> representative_;  // a byte per provisional class
  std::map<std::vector<uint32_t>, uint32_t> ids_;
  std::vector<std::vector<uint32_t>> keys_;
  std::map<std::vector<uint32_t>, uint32_t> set_ids_{{{}, Dfa::kNoMatch}};  // accept sets, [] first
  std::vector<uint32_t> mark_;
  uint32_t generation_ = 0;
};

}  // namespace

regex::RegexResult<Dfa> build_dfa(const std::vector<std::string> &patterns, const DfaLimits &limits) {
  if (patterns.size() > limits.max_patterns)
    return RegexError{limits.max_patterns, 0,
                      fmt::format("{} patterns for one HTTP field; the datapath holds at most {}", patterns.size(),
                                  limits.max_patterns)};
  Nfa nfa;
  for (size_t i = 0; i < patterns.size(); ++i) {
    regex::RegexResult<regex::Node> ast = regex::parse_regex(patterns[i]);
    if (!ast) {
      RegexError e = ast.error();
      e.pattern = i;
      return e;
    }
    regex::RegexResult<uint32_t> added = regex::add_to_nfa(nfa, ast.value(), uint32_t(i), limits.max_nfa_states_per_pattern);
    if (!added) return added.error();
  }
  regex::RegexResult<RawDfa> raw = SubsetBuilder(nfa, uint32_t(patterns.size()), limits.max_dfa_states).run();
  if (!raw) return raw.error();
  return minimize(raw.value());
}

}  // namespace polc::ir
