// Moore's partition refinement: start from the partition by accept mask,
// split blocks by the blocks their successors fall in, until stable. Cheap
// enough at the sizes the limits allow (a few thousand states, a few dozen
// classes), and simpler to trust than Hopcroft's worklist.
#include "ir/dfa_minimize.h"

#include <deque>
#include <map>
#include <unordered_map>

namespace polc::ir {
namespace {

struct VectorHash {
  size_t operator()(const std::vector<uint32_t> &v) const {
    size_t h = v.size();
    for (uint32_t x : v) h = h * 1000003u ^ x;
    return h;
  }
};

// block[s] for every state: equal blocks are equivalent states.
std::vector<uint32_t> equivalence_blocks(const RawDfa &raw) {
  size_t n = raw.accept.size(), k = raw.num_classes;
  std::vector<uint32_t> block(n);
  std::map<uint64_t, uint32_t> by_accept;
  for (size_t s = 0; s < n; ++s) block[s] = by_accept.try_emplace(raw.accept[s], by_accept.size()).first->second;
  size_t count = by_accept.size();
  std::vector<uint32_t> signature(k + 1);
  while (true) {
    std::unordered_map<std::vector<uint32_t>, uint32_t, VectorHash> ids;
    std::vector<uint32_t> refined(n);
    for (size_t s = 0; s < n; ++s) {
      signature[0] = block[s];
      for (size_t c = 0; c < k; ++c) signature[c + 1] = block[raw.next[s * k + c]];
      refined[s] = ids.try_emplace(signature, uint32_t(ids.size())).first->second;
    }
    block = std::move(refined);
    if (ids.size() == count) return block;  // no block split: stable
    count = ids.size();
  }
}

}  // namespace

Dfa minimize(const RawDfa &raw) {
  size_t k = raw.num_classes;
  std::vector<uint32_t> block = equivalence_blocks(raw);

  // Number the blocks: the dead one first, then breadth-first from the start.
  std::unordered_map<uint32_t, uint16_t> number;
  std::vector<uint32_t> representative;  // a raw state per new state
  auto visit = [&](uint32_t s) {
    auto [it, fresh] = number.try_emplace(block[s], uint16_t(representative.size()));
    if (fresh) representative.push_back(s);
    return it->second;
  };
  visit(0);
  visit(raw.start);
  for (size_t i = 0; i < representative.size(); ++i)
    for (size_t c = 0; c < k; ++c) visit(raw.next[representative[i] * k + c]);

  size_t n = representative.size();
  // Final classes: bytes whose columns agree in every state.
  Dfa dfa;
  std::map<std::vector<uint16_t>, uint16_t> class_of_column;
  std::vector<uint32_t> raw_class_of_new;  // a provisional class per final class
  for (int b = 0; b < 256; ++b) {
    uint32_t rc = raw.byte_class[b];
    std::vector<uint16_t> column(n);
    for (size_t s = 0; s < n; ++s) column[s] = number.at(block[raw.next[representative[s] * k + rc]]);
    auto [it, fresh] = class_of_column.try_emplace(std::move(column), uint16_t(class_of_column.size()));
    if (fresh) raw_class_of_new.push_back(rc);
    dfa.byte_class[b] = uint8_t(it->second);
  }
  dfa.num_classes = uint16_t(raw_class_of_new.size());
  dfa.num_states = uint16_t(n);
  dfa.start = number.at(block[raw.start]);
  dfa.dead = Dfa::kDead;
  dfa.num_patterns = raw.num_patterns;
  dfa.next.resize(n * dfa.num_classes);
  dfa.accept.resize(n);
  for (size_t s = 0; s < n; ++s) {
    dfa.accept[s] = raw.accept[representative[s]];
    for (size_t c = 0; c < dfa.num_classes; ++c)
      dfa.next[s * dfa.num_classes + c] = number.at(block[raw.next[representative[s] * k + raw_class_of_new[c]]]);
  }
  return dfa;
}

}  // namespace polc::ir
