#include "ir/plan_l7.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <tuple>

namespace polc::ir {
namespace {

constexpr uint8_t kTcp = 6;           // IPPROTO_TCP
constexpr uint8_t kProtoBits = 8;     // the protocol's share of the 24-bit (protocol, port) prefix
constexpr uint8_t kL4Bits = 24;

using EntryKey = std::tuple<uint32_t, uint32_t, PlanDirection, uint8_t, uint16_t, uint8_t>;

EntryKey key_of(const PolicyEntry &e) { return {e.subject, e.peer, e.direction, e.proto, e.port, e.l4_prefix_bits}; }

uint32_t l4_value(uint8_t proto, uint16_t port) { return uint32_t(proto) << 16 | port; }

// The key of the prefix of `e` that keeps `bits` bits of (protocol, port).
EntryKey shortened(const PolicyEntry &e, uint8_t bits) {
  uint32_t mask = bits == 0 ? 0 : ~uint32_t(0) << (kL4Bits - bits) & 0xFFFFFF;
  uint32_t v = l4_value(e.proto, e.port) & mask;
  return {e.subject, e.peer, e.direction, uint8_t(v >> 16), uint16_t(v & 0xFFFF), bits};
}

// An entry shorter than a protocol (l4_prefix_bits < 8) whose prefix includes TCP.
bool covers_tcp(const PolicyEntry &e) {
  uint32_t free_bits = kProtoBits - e.l4_prefix_bits;
  return (uint32_t(e.proto) >> free_bits) == (uint32_t(kTcp) >> free_bits);
}

}  // namespace

void merge_entry_l7(EntryL7 &into, const EntryL7 &other) {
  if (!into.restricted) return;
  if (!other.restricted) {
    into.restricted = false;
    into.rules.clear();
    return;
  }
  std::vector<uint32_t> both;
  std::set_union(into.rules.begin(), into.rules.end(), other.rules.begin(), other.rules.end(),
                 std::back_inserter(both));
  into.rules = std::move(both);
}

void assign_l7_policies(std::vector<PolicyEntry> &allow, std::vector<EntryL7> &l7, HttpPlan &http) {
  // Requests ride on TCP: a UDP or SCTP entry lets every packet through.
  for (size_t i = 0; i < allow.size(); ++i)
    if (l7[i].restricted && allow[i].l4_prefix_bits >= kProtoBits && allow[i].proto != kTcp) l7[i] = EntryL7{};

  std::map<EntryKey, size_t> index;
  for (size_t i = 0; i < allow.size(); ++i) index.emplace(key_of(allow[i]), i);

  // An entry for several protocols with HTTP rules: TCP gets an entry of
  // its own (filled from its covers below), the others every request.
  std::vector<size_t> wide;
  const size_t before = allow.size();
  for (size_t i = 0; i < before; ++i) {
    if (!l7[i].restricted || allow[i].l4_prefix_bits >= kProtoBits) continue;
    wide.push_back(i);
    if (!covers_tcp(allow[i])) continue;
    PolicyEntry tcp = allow[i];
    tcp.proto = kTcp;
    tcp.port = 0;
    tcp.l4_prefix_bits = kProtoBits;
    if (index.emplace(key_of(tcp), allow.size()).second) {
      allow.push_back(tcp);
      l7.push_back(EntryL7{true, {}});  // nothing of its own: all from its covers
    }
  }

  // Absorb the covers, as they were before any absorption (covering is
  // transitive, so the union over every shorter prefix is the whole story).
  const std::vector<EntryL7> own = l7;
  for (size_t i = 0; i < allow.size(); ++i) {
    if (!own[i].restricted) continue;
    for (uint8_t bits = 0; bits < allow[i].l4_prefix_bits && l7[i].restricted; ++bits) {
      auto it = index.find(shortened(allow[i], bits));
      if (it != index.end()) merge_entry_l7(l7[i], own[it->second]);
    }
  }
  for (size_t i : wide) l7[i] = EntryL7{};

  // Number the distinct sets in their sorted order: the ids depend on which
  // sets exist, not on the order entries were met in.
  std::map<std::vector<uint32_t>, uint16_t> ids;
  for (size_t i = 0; i < allow.size(); ++i)
    if (l7[i].restricted) ids.emplace(l7[i].rules, 0);
  std::vector<std::vector<uint32_t>> sets;
  for (auto &[rules, id] : ids) {
    sets.push_back(rules);
    id = uint16_t(std::min<size_t>(sets.size(), kHttpMaxL7Policies));
  }
  for (size_t i = 0; i < allow.size(); ++i) allow[i].l7_policy = l7[i].restricted ? ids.at(l7[i].rules) : 0;
  if (auto planned = plan_http_verdicts(http, std::move(sets)); !planned) http.error = planned.error();
}

}  // namespace polc::ir
