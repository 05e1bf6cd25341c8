// Thompson construction, built backwards: compile(node, out) returns the
// entry of a fragment that continues to `out`, so no patch lists are needed.
#include "ir/regex/nfa.h"

#include <fmt/format.h>

namespace polc::ir::regex {
namespace {

uint32_t max_rune_of_length(int n) {  // the largest code point of an n-byte sequence
  return n == 1 ? 0x7F : n == 2 ? 0x7FF : n == 3 ? 0xFFFF : kMaxRune;
}

// RE2's runetochar, without a surrogate check (RE2 has none either).
int encode(uint32_t r, uint8_t *out) {
  if (r <= 0x7F) return out[0] = uint8_t(r), 1;
  if (r <= 0x7FF) return out[0] = uint8_t(0xC0 | (r >> 6)), out[1] = uint8_t(0x80 | (r & 0x3F)), 2;
  if (r <= 0xFFFF) {
    out[0] = uint8_t(0xE0 | (r >> 12));
    out[1] = uint8_t(0x80 | ((r >> 6) & 0x3F));
    out[2] = uint8_t(0x80 | (r & 0x3F));
    return 3;
  }
  out[0] = uint8_t(0xF0 | (r >> 18));
  out[1] = uint8_t(0x80 | ((r >> 12) & 0x3F));
  out[2] = uint8_t(0x80 | ((r >> 6) & 0x3F));
  out[3] = uint8_t(0x80 | (r & 0x3F));
  return 4;
}

// Mirrors RE2's Compiler::AddRuneRangeUTF8 (re2/compile.cc), split for split.
void add_sequences(uint32_t lo, uint32_t hi, std::vector<Utf8Sequence> &out) {
  if (lo > hi) return;
  if (lo == 0x80 && hi == kMaxRune) {
    // RE2's Add_80_10ffff: lead bytes C2-DF, E0-EF, F0-F4 with any
    // continuation bytes; fewer byte classes, a looser language.
    out.push_back({2, {0xC2, 0x80}, {0xDF, 0xBF}});
    out.push_back({3, {0xE0, 0x80, 0x80}, {0xEF, 0xBF, 0xBF}});
    out.push_back({4, {0xF0, 0x80, 0x80, 0x80}, {0xF4, 0xBF, 0xBF, 0xBF}});
    return;
  }
  for (int n = 1; n < 4; ++n) {  // split into ranges of one encoded length
    uint32_t max = max_rune_of_length(n);
    if (lo <= max && max < hi) {
      add_sequences(lo, max, out);
      add_sequences(max + 1, hi, out);
      return;
    }
  }
  if (hi < 0x80) {
    out.push_back({1, {uint8_t(lo)}, {uint8_t(hi)}});
    return;
  }
  for (int n = 1; n < 4; ++n) {  // split until lo and hi share their lead bytes
    uint32_t m = (1u << (6 * n)) - 1;
    if ((lo & ~m) != (hi & ~m)) {
      if ((lo & m) != 0) {
        add_sequences(lo, lo | m, out);
        add_sequences((lo | m) + 1, hi, out);
        return;
      }
      if ((hi & m) != m) {
        add_sequences(lo, (hi & ~m) - 1, out);
        add_sequences(hi & ~m, hi, out);
        return;
      }
    }
  }
  Utf8Sequence s;
  int n = encode(lo, s.lo);
  encode(hi, s.hi);
  s.length = uint8_t(n);
  out.push_back(s);
}

class Builder {
 public:
  Builder(Nfa &nfa, size_t max_states) : nfa_(nfa), budget_(nfa.states.size() + max_states) {}
  bool over_budget() const { return over_; }

  uint32_t make(NfaState s) {
    if (nfa_.states.size() >= budget_) {
      over_ = true;
      return 0;
    }
    nfa_.states.push_back(std::move(s));
    return uint32_t(nfa_.states.size() - 1);
  }

  uint32_t fork(std::vector<uint32_t> outs) {
    if (outs.size() == 1) return outs[0];
    NfaState s;
    s.kind = NfaState::Kind::Fork;
    s.outs = std::move(outs);
    return make(std::move(s));
  }

  uint32_t compile(const Node &node, uint32_t out) {
    if (over_) return 0;
    switch (node.kind) {
      case Node::Kind::Empty: return out;
      case Node::Kind::Runes: return runes(node.runes, out);
      case Node::Kind::Concat:
        for (auto it = node.children.rbegin(); it != node.children.rend(); ++it) out = compile(*it, out);
        return out;
      case Node::Kind::Alternate: {
        std::vector<uint32_t> entries;
        for (const Node &child : node.children) entries.push_back(compile(child, out));
        return fork(std::move(entries));
      }
      case Node::Kind::Repeat: return repeat(node, out);
      case Node::Kind::BeginText:
      case Node::Kind::EndText: {
        NfaState s;
        s.kind = node.kind == Node::Kind::BeginText ? NfaState::Kind::BeginText : NfaState::Kind::EndText;
        s.out = out;
        return make(std::move(s));
      }
    }
    return out;
  }

 private:
  uint32_t runes(const RuneSet &set, uint32_t out) {
    std::vector<Utf8Sequence> seqs;
    for (const RuneRange &r : set.ranges()) add_sequences(r.lo, r.hi, seqs);
    std::vector<uint32_t> entries;
    for (const Utf8Sequence &seq : seqs) {
      uint32_t next = out;
      for (int i = seq.length - 1; i >= 0; --i) {
        NfaState s;
        s.kind = NfaState::Kind::Byte;
        s.lo = seq.lo[i];
        s.hi = seq.hi[i];
        s.out = next;
        next = make(std::move(s));
      }
      entries.push_back(next);
    }
    if (entries.empty()) return make(NfaState{});  // a Fork to nowhere: matches nothing
    return fork(std::move(entries));
  }

  uint32_t repeat(const Node &node, uint32_t out) {
    const Node &body = node.children[0];
    uint32_t entry = out;
    if (node.max < 0) {
      // A loop state: into the body (which comes back here) or out.
      uint32_t loop = make(NfaState{});
      if (over_) return 0;
      uint32_t body_entry = compile(body, loop);
      if (over_) return 0;
      nfa_.states[loop].outs = {body_entry, out};
      entry = loop;
    } else {
      // x{0,k} as (x(x(x)?)?)?: each optional copy may stop at `out`.
      for (int i = node.min; i < node.max && !over_; ++i) entry = fork({compile(body, entry), out});
    }
    for (int i = 0; i < node.min && !over_; ++i) entry = compile(body, entry);
    return entry;
  }

  Nfa &nfa_;
  size_t budget_;
  bool over_ = false;
};

}  // namespace

std::vector<Utf8Sequence> utf8_sequences(uint32_t lo, uint32_t hi) {
  std::vector<Utf8Sequence> out;
  add_sequences(lo, hi, out);
  return out;
}

RegexResult<uint32_t> add_to_nfa(Nfa &nfa, const Node &root, uint32_t pattern, size_t max_states) {
  size_t before = nfa.states.size();
  Builder b(nfa, max_states);
  NfaState match;
  match.kind = NfaState::Kind::Match;
  match.pattern = pattern;
  uint32_t entry = b.compile(root, b.make(std::move(match)));
  if (b.over_budget()) {
    nfa.states.resize(before);
    return RegexError{pattern, 0,
                      fmt::format("regex needs more than {} NFA states", max_states)};
  }
  nfa.starts.push_back(entry);
  return entry;
}

}  // namespace polc::ir::regex
