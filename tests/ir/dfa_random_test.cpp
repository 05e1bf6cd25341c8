// Differential test: random patterns over the supported syntax, random and
// targeted values, the DFA's accept mask against RE2::FullMatch pattern by
// pattern. Seeded: a failure prints its pattern and value and repeats.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "ir/regex/dfa_builder.h"
#include "tests/ir/dfa_oracle.h"

using namespace polc;
using namespace polc::ir;

namespace {

// An atom of the generator: its text and a few values it probably matches
// (RE2 judges; a sample only needs to be near the language).
struct Atom {
  const char *text;
  std::vector<std::string> samples;
  bool fold_safe = true;  // false: not valid under (?i) (non-ASCII literal)
};

const std::vector<Atom> kAtoms = {
    {"a", {"a"}}, {"b", {"b"}}, {"k", {"k"}}, {"s", {"s"}}, {"K", {"K"}}, {"/", {"/"}}, {"-", {"-"}},
    {"0", {"0"}}, {"x", {"x"}}, {"\\.", {"."}}, {"\\/", {"/"}}, {"\\-", {"-"}}, {"\\d", {"0", "7"}},
    {"\\w", {"a", "_", "Z"}}, {"\\s", {" ", "\t", "\n"}}, {"\\D", {"a", "\xc3\xa9"}}, {"\\W", {"/", "\xc5\xbf"}},
    {"\\S", {"a", "\xe2\x84\xaa"}}, {"\\x41", {"A"}}, {"\\x{4B}", {"K"}}, {"\\t", {"\t"}}, {"\\n", {"\n"}},
    {".", {"a", "\xc3\xa9", "\xe0\x80\x80", "\xf4\x90\x80\x80"}}, {"[a-c]", {"b"}}, {"[^/]", {"a", "\n", "\xc3\xa9"}},
    {"[a-z0-9_-]", {"q", "-"}}, {"[^a-c]", {"d", "\xe2\x84\xaa"}}, {"[[:alpha:]]", {"Q"}},
    {"[[:^digit:]]", {"a", "\xc3\xa9"}}, {"[k-s]", {"m", "\xc5\xbf"}}, {"[\\d.]", {".", "5"}}, {"[^\\n]", {"a"}},
    {"[^\\x00-\\x7f]", {"\xc3\xa9", "\xed\xa0\x80"}}, {"[^k]", {"a", "K"}}, {"[]a]", {"]"}},
    {"\xc3\xa9", {"\xc3\xa9"}, false}, {"[\xc3\xa0-\xc3\xbf]", {"\xc3\xa9"}, false},
    {"[^\xc3\xa9]", {"\xed\xa0\x80", "\xe2\x82\xac"}, false}, {"\\x{20AC}", {"\xe2\x82\xac"}, false},
    {"\\Qa.\\E", {"a."}},
};

// Pieces of values for random strings: bytes and UTF-8 sequences (valid,
// overlong, surrogate, out of range, broken) that tell encodings apart.
const std::vector<std::string> kValuePieces = {
    "a", "b", "c", "k", "K", "s", "S", "x", "A", "Z", "/", ".", "-", "_", "0", "7", " ", "\t", "\n", "\v", "]",
    "\xe2\x84\xaa", "\xc5\xbf", "\xc3\xa9", "\xe2\x82\xac", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x8f\xbf\xbf",
    "\xf4\x90\x80\x80", "\xf0\x9f\x98\x80", "\xff", "\x80", "\xc2", std::string(1, '\0'),
};

class PatternGenerator {
 public:
  explicit PatternGenerator(std::mt19937 &rng) : rng_(rng) {}

  // A pattern and values built along with it.
  std::string pattern(std::vector<std::string> &samples) {
    fold_ = roll(5);
    std::string prefix = fold_ ? "(?i)" : roll(10) ? "(?s)" : "";
    std::vector<std::string> values(3);
    std::string body = alternation(0, values);
    if (roll(10)) body = "^" + body;
    if (roll(10)) body += "$";
    samples.insert(samples.end(), values.begin(), values.end());
    return prefix + body;
  }

 private:
  bool roll(int one_in) { return rng_() % one_in == 0; }
  size_t pick(size_t n) { return rng_() % n; }

  // Each of `values` follows one random path through the pattern.
  std::string alternation(int depth, std::vector<std::string> &values) {
    int branches = depth < 2 && roll(3) ? 2 + int(pick(2)) : 1;
    std::string text;
    std::vector<size_t> chosen(values.size());
    for (size_t &c : chosen) c = pick(branches);
    for (int b = 0; b < branches; ++b) {
      std::vector<std::string> branch_values(values.size());
      text += (b ? "|" : "") + concatenation(depth, branch_values);
      for (size_t v = 0; v < values.size(); ++v)
        if (chosen[v] == size_t(b)) values[v] += branch_values[v];
    }
    return text;
  }

  std::string concatenation(int depth, std::vector<std::string> &values) {
    int items = int(pick(4)) + (depth == 0);
    std::string text;
    for (int i = 0; i < items; ++i) text += repeated(depth, values);
    return text;
  }

  std::string repeated(int depth, std::vector<std::string> &values) {
    std::vector<std::string> once(values.size());
    std::string atom;
    if (depth < 2 && roll(5)) {
      atom = (roll(2) ? "(?:" : "(") + alternation(depth + 1, once) + ")";
    } else {
      const Atom *a;
      do a = &kAtoms[pick(kAtoms.size())];
      while (fold_ && !a->fold_safe);
      atom = a->text;
      if (atom.rfind("\\Q", 0) == 0) atom = "(?:" + atom + ")";
      for (std::string &v : once) v = a->samples[pick(a->samples.size())];
    }
    int min = 1, max = 1;
    std::string op;
    switch (pick(9)) {
      case 0: op = "*", min = 0, max = 3; break;
      case 1: op = "+", min = 1, max = 3; break;
      case 2: op = "?", min = 0, max = 1; break;
      case 3: {
        min = int(pick(3)), max = min + int(pick(3));
        op = roll(3) ? "{" + std::to_string(min) + "}" : "{" + std::to_string(min) + "," + std::to_string(max) + "}";
        if (op.find(',') == std::string::npos) max = min;
        if (roll(4)) op = "{" + std::to_string(min) + ",}", max = min + 2;
        break;
      }
      default: break;
    }
    if (!op.empty() && roll(4)) op += "?";  // lazy: same language
    for (size_t v = 0; v < values.size(); ++v) {
      int times = min + int(pick(max - min + 1));
      for (int t = 0; t < times; ++t) values[v] += once[v];
    }
    return atom + op;
  }

  std::mt19937 &rng_;
  bool fold_ = false;
};

std::string random_value(std::mt19937 &rng) {
  std::string v;
  int length = int(rng() % 8);
  for (int i = 0; i < length; ++i) v += kValuePieces[rng() % kValuePieces.size()];
  return v;
}

}  // namespace

TEST_SUITE("ir") {
  TEST_CASE("http dfa: random patterns and values agree with RE2::FullMatch") {
    std::mt19937 rng(20240611);
    PatternGenerator gen(rng);
    size_t comparisons = 0, sets = 0, mismatches = 0, too_big = 0;
    for (int round = 0; round < 1500; ++round) {
      std::vector<std::string> patterns, samples;
      size_t count = 1 + rng() % 4;
      for (size_t i = 0; i < count; ++i) patterns.push_back(gen.pattern(samples));
      test::Re2Oracle oracle(patterns);
      if (!oracle.ok()) continue;  // the generator strayed outside RE2 (rare)
      auto built = build_dfa(patterns);
      if (!built.ok() && built.error().message.find("DFA states") != std::string::npos) {
        ++too_big;  // a legitimate refusal: UTF-8 classes under counted repetition multiply states
        continue;
      }
      if (!built.ok()) {
        FAIL_CHECK("pattern " << built.error().pattern << " \"" << patterns[built.error().pattern]
                              << "\" refused: " << built.error().message);
        continue;
      }
      const Dfa &dfa = built.value();
      ++sets;
      std::vector<std::string> values = {""};
      for (const std::string &s : samples) test::add_mutations(s, rng, values);
      for (const std::string &s : test::walk_samples(dfa, rng, 4)) test::add_mutations(s, rng, values);
      for (int i = 0; i < 10; ++i) values.push_back(random_value(rng));
      for (const std::string &v : values) {
        uint64_t want = oracle.mask(v), got = dfa.accept_mask(v);
        comparisons += patterns.size();
        if (want == got) continue;
        ++mismatches;
        for (size_t i = 0; i < patterns.size(); ++i)
          if ((want ^ got) >> i & 1 && mismatches < 20)
            FAIL_CHECK("pattern \"" << test::printable(patterns[i]) << "\" on \"" << test::printable(v)
                                    << "\": RE2 says " << (want >> i & 1) << ", the DFA " << (got >> i & 1));
      }
    }
    MESSAGE(sets << " pattern sets, " << comparisons << " comparisons, " << too_big << " over the state limit");
    CHECK(too_big < 20);
    CHECK(mismatches == 0);
    CHECK(sets > 1000);
    CHECK(comparisons > 50000);
  }
}
