// Moore's partition refinement: start from the partition by accept set,
// split blocks by the blocks their successors fall in, until stable. Cheap
// enough at the sizes the limits allow (tens of thousands of states, a few
// dozen classes; rounds are bounded by the longest distinguishing suffix),
// and simpler to trust than Hopcroft's worklist.
#include "ir/regex/dfa_minimize.h"

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
  std::map<uint32_t, uint32_t> by_accept;  // accept-set id -> first block
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
  constexpr uint32_t kUnnumbered = UINT32_MAX;
  std::vector<uint32_t> number(raw.accept.size(), kUnnumbered);  // by block
  std::vector<uint32_t> representative;  // a raw state per new state
  auto visit = [&](uint32_t s) {
    uint32_t &n = number[block[s]];
    if (n == kUnnumbered) {
      n = uint32_t(representative.size());
      representative.push_back(s);
    }
  };
  visit(0);
  visit(raw.start);
  for (size_t i = 0; i < representative.size(); ++i)
    for (size_t c = 0; c < k; ++c) visit(raw.next[representative[i] * k + c]);
  auto new_state = [&](uint32_t raw_state) { return number[block[raw_state]]; };

  size_t n = representative.size();
  // Final classes: provisional classes whose columns agree in every state
  // merge (bytes of one provisional class always agree). Visiting bytes in
  // order numbers the classes by their smallest byte.
  Dfa dfa;
  std::map<std::vector<uint32_t>, uint32_t> class_of_column;
  std::vector<uint32_t> final_of_raw(k, kUnnumbered);
  std::vector<uint32_t> raw_class_of_new;  // a provisional class per final class
  for (int b = 0; b < 256; ++b) {
    uint32_t rc = raw.byte_class[b];
    if (final_of_raw[rc] == kUnnumbered) {
      std::vector<uint32_t> column(n);
      for (size_t s = 0; s < n; ++s) column[s] = new_state(raw.next[representative[s] * k + rc]);
      auto [it, fresh] = class_of_column.try_emplace(std::move(column), uint32_t(class_of_column.size()));
      if (fresh) raw_class_of_new.push_back(rc);
      final_of_raw[rc] = it->second;
    }
    dfa.byte_class[b] = uint8_t(final_of_raw[rc]);
  }
  dfa.num_classes = uint32_t(raw_class_of_new.size());
  dfa.num_states = uint32_t(n);
  dfa.start = new_state(raw.start);
  dfa.dead = Dfa::kDead;
  dfa.num_patterns = raw.num_patterns;
  dfa.next.resize(n * dfa.num_classes);
  dfa.accept.resize(n);
  // Accept sets renumbered by first state, so equal tables come out of
  // equal pattern sets whatever order subset construction met them in.
  std::vector<uint32_t> accept_id(raw.accept_sets.size(), kUnnumbered);
  accept_id[0] = Dfa::kNoMatch;
  for (size_t s = 0; s < n; ++s) {
    uint32_t raw_id = raw.accept[representative[s]];
    if (accept_id[raw_id] == kUnnumbered) {
      accept_id[raw_id] = uint32_t(dfa.accept_sets.size());
      dfa.accept_sets.push_back(raw.accept_sets[raw_id]);
    }
    dfa.accept[s] = accept_id[raw_id];
    for (size_t c = 0; c < dfa.num_classes; ++c)
      dfa.next[s * dfa.num_classes + c] = new_state(raw.next[representative[s] * k + raw_class_of_new[c]]);
  }
  return dfa;
}

}  // namespace polc::ir
