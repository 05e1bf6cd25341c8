// Finds the label sets a selector matches without testing every label set
// against every selector: a selector with an `In` requirement looks up its
// candidates by (key, value) first, one with only `Exists` by key. The plan
// matches rules against identities with it, the linter against endpoints.
#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/endpoints.h"
#include "ir/ir.h"

namespace polc::ir {

class SelectorIndex {
 public:
  // The label sets must outlive the index.
  explicit SelectorIndex(std::vector<const LabelSet *> label_sets);

  // Indices of the label sets `s` matches, ascending.
  std::vector<size_t> match(const Selector &s) const;
  bool matches_any(const Selector &s) const;

 private:
  // Candidates for `s`: nullptr means every label set.
  const std::vector<size_t> *candidates(const Selector &s, std::vector<size_t> &scratch) const;

  std::vector<const LabelSet *> sets_;
  std::unordered_map<std::string, std::vector<size_t>> by_label_;  // "key\0value"
  std::unordered_map<std::string, std::vector<size_t>> by_key_;
};

}  // namespace polc::ir
