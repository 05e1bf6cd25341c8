#include "ir/selector_index.h"

#include <algorithm>

namespace polc::ir {

SelectorIndex::SelectorIndex(std::vector<const LabelSet *> label_sets) : sets_(std::move(label_sets)) {
  for (size_t i = 0; i < sets_.size(); ++i)
    for (const auto &[k, v] : *sets_[i]) {
      by_label_[k + '\0' + v].push_back(i);
      by_key_[k].push_back(i);
    }
}

const std::vector<size_t> *SelectorIndex::candidates(const Selector &s, std::vector<size_t> &scratch) const {
  static const std::vector<size_t> kNone;
  // The requirement that leaves the fewest candidates.
  const std::vector<size_t> *best = nullptr;
  size_t best_size = sets_.size() + 1;
  for (const Requirement &r : s.requirements) {
    if (r.op == ast::SelectorOp::Exists) {
      auto it = by_key_.find(r.key);
      const std::vector<size_t> &c = it == by_key_.end() ? kNone : it->second;
      if (c.size() < best_size) best = &c, best_size = c.size();
    } else if (r.op == ast::SelectorOp::In) {
      size_t size = 0;
      for (const std::string &v : r.values)
        if (auto it = by_label_.find(r.key + '\0' + v); it != by_label_.end()) size += it->second.size();
      if (size >= best_size) continue;
      if (r.values.size() == 1) {
        auto it = by_label_.find(r.key + '\0' + r.values[0]);
        best = it == by_label_.end() ? &kNone : &it->second;
      } else {
        scratch.clear();
        for (const std::string &v : r.values)
          if (auto it = by_label_.find(r.key + '\0' + v); it != by_label_.end())
            scratch.insert(scratch.end(), it->second.begin(), it->second.end());
        std::sort(scratch.begin(), scratch.end());  // a label set has one value per key: no duplicates
        best = &scratch;
      }
      best_size = size;
    }
  }
  return best;
}

std::vector<size_t> SelectorIndex::match(const Selector &s) const {
  std::vector<size_t> scratch, out;
  if (const std::vector<size_t> *c = candidates(s, scratch)) {
    for (size_t i : *c)
      if (selector_matches(s, *sets_[i])) out.push_back(i);
  } else {
    for (size_t i = 0; i < sets_.size(); ++i)
      if (selector_matches(s, *sets_[i])) out.push_back(i);
  }
  return out;
}

bool SelectorIndex::matches_any(const Selector &s) const {
  std::vector<size_t> scratch;
  if (const std::vector<size_t> *c = candidates(s, scratch))
    return std::any_of(c->begin(), c->end(), [&](size_t i) { return selector_matches(s, *sets_[i]); });
  return std::any_of(sets_.begin(), sets_.end(), [&](const LabelSet *l) { return selector_matches(s, *l); });
}

}  // namespace polc::ir
