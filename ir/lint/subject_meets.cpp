#include "ir/lint/subject_meets.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "ir/lint/match.h"

namespace polc::ir::lint {

namespace {

struct KeyIndex {
  std::unordered_map<std::string, std::vector<size_t>> by_value;  // selectors with `key In (.., value, ..)`
  std::vector<size_t> without;  // selectors with no `In` on the key; built when first needed
  size_t with_in = 0;
  bool without_built = false;
};

bool has_in(const Selector &s, const std::string &key) {
  return std::any_of(s.requirements.begin(), s.requirements.end(),
                     [&](const Requirement &r) { return r.key == key && r.op == ast::SelectorOp::In; });
}

}  // namespace

std::vector<std::vector<size_t>> subjects_meeting(const std::vector<const Selector *> &subjects) {
  const size_t n = subjects.size();
  std::unordered_map<std::string, KeyIndex> index;
  for (size_t i = 0; i < n; ++i)
    for (const Requirement &r : subjects[i]->requirements) {
      if (r.op != ast::SelectorOp::In) continue;
      KeyIndex &k = index[r.key];
      ++k.with_in;
      for (const std::string &v : r.values) k.by_value[v].push_back(i);
    }

  std::vector<std::vector<size_t>> meets(n);
  std::vector<size_t> candidates;
  for (size_t i = 0; i < n; ++i) {
    // The In requirement that leaves the fewest candidates.
    const Requirement *best = nullptr;
    size_t best_count = n;
    for (const Requirement &r : subjects[i]->requirements) {
      if (r.op != ast::SelectorOp::In) continue;
      KeyIndex &k = index.at(r.key);
      size_t count = n - k.with_in;
      for (const std::string &v : r.values) count += k.by_value.at(v).size();
      if (count < best_count) best = &r, best_count = count;
    }
    candidates.clear();
    if (!best) {
      for (size_t j = 0; j < n; ++j) candidates.push_back(j);
    } else {
      KeyIndex &k = index.at(best->key);
      if (!k.without_built) {
        for (size_t j = 0; j < n; ++j)
          if (!has_in(*subjects[j], best->key)) k.without.push_back(j);
        k.without_built = true;
      }
      candidates = k.without;
      for (const std::string &v : best->values) {
        const auto &with = k.by_value.at(v);
        candidates.insert(candidates.end(), with.begin(), with.end());
      }
      std::sort(candidates.begin(), candidates.end());
      candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    }
    for (size_t j : candidates)
      if (!selectors_disjoint(*subjects[i], *subjects[j])) meets[i].push_back(j);
  }
  return meets;
}

}  // namespace polc::ir::lint
