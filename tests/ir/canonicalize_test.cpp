// canonicalize sorts by precomputed selector ranks (ir/selector_ranks.h)
// rather than by comparing rules: these tests hold it to the plain
// definition, std::sort by Rule::less_meaning and merging neighbours of
// equal meaning, on random policies with many ties and duplicates.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <tuple>

#include "ir/lower.h"
#include "ir/selector_ranks.h"

using namespace polc;
using namespace polc::ir;

namespace {

// std::mt19937 is specified exactly (its distributions are not): `% n`.
struct Random {
  std::mt19937 engine{20240601};
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(engine() % n); }
};

// Short strings over a tiny alphabet with 00 and 01 bytes, which the rank
// encoding escapes: prefixes, ties and escapes all happen often.
std::string small_string(Random &r) {
  static const char kAlphabet[] = {'\0', '\1', 'a', 'b', '\x7f', '\xff'};
  std::string s;
  for (uint32_t i = r.below(4); i > 0; --i) s += kAlphabet[r.below(6)];
  return s;
}

Selector random_selector(Random &r) {
  Selector s;
  for (uint32_t i = r.below(3); i > 0; --i) {
    Requirement q{small_string(r), static_cast<ast::SelectorOp>(r.below(4)), {}};
    for (uint32_t j = r.below(3); j > 0; --j) q.values.push_back(small_string(r));
    s.requirements.push_back(std::move(q));
  }
  return s;
}

Rule random_rule(Random &r, const std::vector<Selector> &selectors, uint32_t line) {
  Rule rule;
  rule.subject = selectors[r.below(static_cast<uint32_t>(selectors.size()))];
  rule.direction = static_cast<Direction>(r.below(2));
  rule.verdict = static_cast<Verdict>(r.below(2));
  rule.peer.kind = static_cast<Peer::Kind>(r.below(4));
  if (rule.peer.kind == Peer::Kind::Selector) rule.peer.selector = selectors[r.below(static_cast<uint32_t>(selectors.size()))];
  if (rule.peer.kind == Peer::Kind::Cidr) {
    rule.peer.cidr = *parse_prefix(r.below(2) ? "10.0.0.0/8" : "fd00::/16").value;
    if (r.below(2)) rule.peer.except.push_back(*parse_prefix(r.below(2) ? "10.1.0.0/16" : "10.2.0.0/16").value);
    rule.peer.cidr_matches_endpoints = r.below(2);
  }
  rule.l4.kind = static_cast<L4::Kind>(r.below(3));
  rule.l4.port_lo = static_cast<uint16_t>(r.below(3));
  rule.has_http = r.below(3) == 0;
  if (rule.has_http) rule.http.push_back(HttpRule{r.below(2) ? "GET" : "", "/" + std::to_string(r.below(2)), "", {}});
  rule.origins.push_back(SourceLoc{1, line, 1 + r.below(3)});
  return rule;
}

// The definition canonicalize must meet.
Policy reference(Policy p) {
  std::sort(p.rules.begin(), p.rules.end(), [](const Rule &a, const Rule &b) { return a.less_meaning(b); });
  std::vector<Rule> merged;
  for (Rule &rule : p.rules) {
    if (!merged.empty() && merged.back().same_meaning(rule))
      merged.back().origins.insert(merged.back().origins.end(), rule.origins.begin(), rule.origins.end());
    else
      merged.push_back(std::move(rule));
  }
  for (Rule &rule : merged)
    std::sort(rule.origins.begin(), rule.origins.end(),
              [](const SourceLoc &a, const SourceLoc &b) { return std::tie(a.line, a.col) < std::tie(b.line, b.col); });
  p.rules = std::move(merged);
  std::sort(p.enforcements.begin(), p.enforcements.end());
  p.enforcements.erase(std::unique(p.enforcements.begin(), p.enforcements.end()), p.enforcements.end());
  return p;
}

}  // namespace

TEST_SUITE("ir") {
  TEST_CASE("selector ranks: equal selectors share an id, ranks order as the selectors do") {
    Random r;
    std::vector<Selector> selectors;
    for (int i = 0; i < 600; ++i) selectors.push_back(random_selector(r));
    SelectorRanks ranks;
    std::vector<uint32_t> ids;
    for (const Selector &s : selectors) ids.push_back(ranks.id(s));
    ranks.rank();
    size_t wrong_ids = 0, wrong_order = 0;
    for (size_t a = 0; a < selectors.size(); ++a) {
      for (size_t b = 0; b < selectors.size(); ++b) {
        wrong_ids += (ids[a] == ids[b]) != (selectors[a] == selectors[b]);
        wrong_order += (ranks.rank_of(ids[a]) <=> ranks.rank_of(ids[b])) != (selectors[a] <=> selectors[b]);
      }
    }
    CHECK(wrong_ids == 0);
    CHECK(wrong_order == 0);
  }

  TEST_CASE("canonicalize sorts and merges exactly as sorting by meaning does") {
    Random r;
    for (int round = 0; round < 40; ++round) {
      std::vector<Selector> selectors;
      for (uint32_t i = 1 + r.below(12); i > 0; --i) selectors.push_back(random_selector(r));
      Policy p;
      for (uint32_t i = 0, n = r.below(400); i < n; ++i) {
        p.rules.push_back(random_rule(r, selectors, i + 1));
        if (r.below(4) == 0) {  // a duplicate
          Rule copy = p.rules[r.below(static_cast<uint32_t>(p.rules.size()))];
          p.rules.push_back(std::move(copy));
        }
        p.enforcements.push_back(Enforcement{p.rules.back().subject, p.rules.back().direction});
      }
      Policy want = reference(p);
      canonicalize(p);
      REQUIRE(p.rules.size() == want.rules.size());
      for (size_t i = 0; i < p.rules.size(); ++i) {
        CHECK(p.rules[i].same_meaning(want.rules[i]));
        CHECK(p.rules[i].origins == want.rules[i].origins);
      }
      CHECK(p.enforcements == want.enforcements);
    }
  }
}
