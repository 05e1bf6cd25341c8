// Test helper: RE2 as the judge of the DFA builder. The datapath's answer
// (Dfa::match, or Dfa::accept_mask for small sets) must equal, pattern by pattern, RE2::FullMatch with
// RE2's default options, which the reference evaluator uses.
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ir/regex/dfa.h"

namespace polc::test {

class Re2Oracle {
 public:
  explicit Re2Oracle(const std::vector<std::string> &patterns) {
    RE2::Options options;
    options.set_log_errors(false);
    for (const std::string &p : patterns) res_.push_back(std::make_unique<RE2>(p, options));
  }
  bool ok() const {
    for (const auto &re : res_)
      if (!re->ok()) return false;
    return true;
  }
  uint64_t mask(const std::string &value) const {
    uint64_t m = 0;
    for (size_t i = 0; i < res_.size(); ++i)
      if (RE2::FullMatch(value, *res_[i])) m |= uint64_t(1) << i;
    return m;
  }
  // The indices of the patterns matching, ascending (any number of patterns).
  std::vector<uint32_t> matches(const std::string &value) const {
    std::vector<uint32_t> out;
    for (size_t i = 0; i < res_.size(); ++i)
      if (RE2::FullMatch(value, *res_[i])) out.push_back(uint32_t(i));
    return out;
  }

 private:
  std::vector<std::unique_ptr<RE2>> res_;
};

// "GET\x0a" style rendering of a value for failure messages.
inline std::string printable(const std::string &s) {
  std::string out;
  static const char *hex = "0123456789abcdef";
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += char(c);
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Values accepted by the DFA, by random walks that stop in accepting states:
// they probe for false positives; their mutations probe the boundary.
inline std::vector<std::string> walk_samples(const ir::Dfa &dfa, std::mt19937 &rng, int count) {
  std::vector<std::string> out;
  std::vector<uint8_t> class_bytes[256];
  for (int b = 0; b < 256; ++b) class_bytes[dfa.byte_class[b]].push_back(uint8_t(b));
  for (int n = 0; n < count; ++n) {
    std::string value;
    uint32_t state = dfa.start;
    for (int step = 0; step < 40 && state != dfa.dead; ++step) {
      if (dfa.accept[state] && rng() % 4 == 0) break;
      std::vector<uint32_t> live;
      for (uint32_t c = 0; c < dfa.num_classes; ++c)
        if (dfa.next[state * dfa.num_classes + c] != dfa.dead) live.push_back(c);
      if (live.empty()) break;
      uint32_t c = live[rng() % live.size()];
      const auto &bytes = class_bytes[c];
      value += char(bytes[rng() % bytes.size()]);
      state = dfa.next[state * dfa.num_classes + c];
    }
    out.push_back(value);
  }
  return out;
}

// Near misses of a value: every prefix, one byte more, one byte less, one changed.
inline void add_mutations(const std::string &v, std::mt19937 &rng, std::vector<std::string> &out) {
  static const std::string extra = "aAkKsS/.-_0 \n\x80\xff";
  for (size_t i = 0; i <= v.size(); ++i) out.push_back(v.substr(0, i));
  out.push_back(v + extra[rng() % extra.size()]);
  if (!v.empty()) {
    size_t at = rng() % v.size();
    std::string w = v;
    w.erase(at, 1);
    out.push_back(w);
    w = v;
    w[at] = extra[rng() % extra.size()];
    out.push_back(w);
  }
}

}  // namespace polc::test
