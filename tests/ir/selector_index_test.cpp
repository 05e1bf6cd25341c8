// The indices that spare the plan and the linter from comparing every
// selector with every label set (or every subject with every subject) must
// find exactly what the comparison of every pair finds.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "ir/endpoints.h"
#include "ir/lint/match.h"
#include "ir/lint/subject_meets.h"
#include "ir/selector_index.h"

namespace polc::ir {

namespace {

const char *kKeys[] = {"app", "team", "tier", "env"};
const char *kValues[] = {"a", "b", "c", "d"};

Selector random_selector(std::mt19937 &rng) {
  Selector s;
  std::vector<std::string> keys(std::begin(kKeys), std::end(kKeys));
  std::shuffle(keys.begin(), keys.end(), rng);
  size_t n = rng() % 4;  // 0..3 requirements, distinct keys
  for (size_t i = 0; i < n; ++i) {
    Requirement r;
    r.key = keys[i];
    r.op = static_cast<ast::SelectorOp>(rng() % 4);
    if (r.op == ast::SelectorOp::In || r.op == ast::SelectorOp::NotIn) {
      for (const char *v : kValues)
        if (rng() % 3 == 0) r.values.push_back(v);
      if (r.values.empty()) r.values.push_back(kValues[rng() % 4]);
    }
    s.requirements.push_back(std::move(r));
  }
  std::sort(s.requirements.begin(), s.requirements.end());
  return s;
}

LabelSet random_labels(std::mt19937 &rng) {
  LabelSet l;
  for (const char *k : kKeys)
    if (rng() % 2) l.emplace_back(k, kValues[rng() % 4]);
  std::sort(l.begin(), l.end());
  return l;
}

}  // namespace

TEST_CASE("SelectorIndex finds exactly the label sets each selector matches") {
  std::mt19937 rng(7);
  std::vector<LabelSet> sets;
  for (int i = 0; i < 300; ++i) sets.push_back(random_labels(rng));
  std::vector<const LabelSet *> pointers;
  for (const LabelSet &l : sets) pointers.push_back(&l);
  const SelectorIndex index(pointers);
  size_t matched = 0;
  for (int round = 0; round < 500; ++round) {
    const Selector s = random_selector(rng);
    std::vector<size_t> expected;
    for (size_t i = 0; i < sets.size(); ++i)
      if (selector_matches(s, sets[i])) expected.push_back(i);
    CHECK(index.match(s) == expected);
    CHECK(index.matches_any(s) == !expected.empty());
    matched += !expected.empty();
  }
  // The random selectors are neither all empty nor all everything.
  CHECK(matched > 50);
  CHECK(matched < 500);
}

TEST_CASE("subjects_meeting finds exactly the pairs that are not disjoint") {
  std::mt19937 rng(11);
  std::vector<Selector> selectors;
  for (int i = 0; i < 400; ++i) selectors.push_back(random_selector(rng));
  std::vector<const Selector *> pointers;
  for (const Selector &s : selectors) pointers.push_back(&s);
  const auto meets = lint::subjects_meeting(pointers);
  REQUIRE(meets.size() == selectors.size());
  size_t pairs = 0;
  for (size_t i = 0; i < selectors.size(); ++i) {
    std::vector<size_t> expected;
    for (size_t j = 0; j < selectors.size(); ++j)
      if (!lint::selectors_disjoint(selectors[i], selectors[j])) expected.push_back(j);
    CHECK(meets[i] == expected);
    pairs += expected.size();
  }
  CHECK(pairs > selectors.size());                      // some distinct selectors meet
  CHECK(pairs < selectors.size() * selectors.size());   // and some do not
}

}  // namespace polc::ir
