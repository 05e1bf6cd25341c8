#include "ir/plan.h"
#include "ir/rule_sources.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "ir/plan_l7.h"
#include "ir/selector_index.h"

namespace polc::ir {

namespace {

constexpr uint32_t kEnforceIngress = 0x1;  // POLC_ENFORCE_* of templates/maps_abi.h
constexpr uint32_t kEnforceEgress = 0x2;

// Matches selectors against endpoint identities through a SelectorIndex.
class IdentityIndex {
 public:
  explicit IdentityIndex(const std::vector<EndpointIdentity> &ids) : ids_(ids), index_(label_sets(ids)) {}

  std::vector<uint32_t> match(const Selector &s) const {
    std::vector<uint32_t> out;
    for (size_t i : index_.match(s)) out.push_back(ids_[i].identity);
    return out;  // identities are sorted, so ascending
  }

 private:
  static std::vector<const LabelSet *> label_sets(const std::vector<EndpointIdentity> &ids) {
    std::vector<const LabelSet *> out;
    for (const EndpointIdentity &e : ids) out.push_back(&e.labels);
    return out;
  }
  const std::vector<EndpointIdentity> &ids_;
  SelectorIndex index_;
};

struct L4Key {
  uint8_t proto;
  uint16_t port;
  uint8_t bits;  // over proto(8) + port(16)
};

constexpr uint8_t kNamedPortBits = 24;  // a named port resolves to one exact port

std::vector<L4Key> l4_keys(const L4 &l4) {
  switch (l4.kind) {
    case L4::Kind::All: return {L4Key{0, 0, 0}};
    case L4::Kind::IcmpType:
      return {L4Key{static_cast<uint8_t>(l4.proto), static_cast<uint16_t>(l4.icmp_type << 8), 16}};
    case L4::Kind::Ports: {
      std::vector<L4Key> out;
      for (auto [port, bits] : split_port_range(l4.port_lo, l4.port_hi))
        out.push_back(L4Key{static_cast<uint8_t>(l4.proto), port, static_cast<uint8_t>(8 + bits)});
      return out;
    }
    case L4::Kind::NamedPort: return {};  // one exact port per receiving identity (plan_maps)
  }
  return {};
}

}  // namespace

std::vector<std::pair<uint16_t, uint8_t>> split_port_range(uint16_t lo, uint16_t hi) {
  std::vector<std::pair<uint16_t, uint8_t>> out;
  uint32_t start = lo, end = hi;
  while (start <= end) {
    // The largest aligned block starting at `start` that fits in [start, end].
    uint32_t size = 1;
    uint8_t free_bits = 0;
    while (free_bits < 16 && (start & ((size << 1) - 1)) == 0 && start + (size << 1) - 1 <= end) {
      size <<= 1;
      ++free_bits;
    }
    out.emplace_back(static_cast<uint16_t>(start), static_cast<uint8_t>(16 - free_bits));
    start += size;
  }
  return out;
}

std::string DatapathShape::digest() const {
  return fmt::format("i{}e{}a{:x}.{:x}d{:x}.{:x}r{}p{}c{}h{}", enforce_ingress, enforce_egress, allow_lengths.peer,
                     allow_lengths.any_peer, deny_lengths.peer, deny_lengths.any_peer, cidr, l4_ports, icmp_types,
                     http) +
         (audit ? "-audit" : "");  // absent otherwise: the digests of enforcing objects stay what they were
}

DatapathShape plan_shape(const Policy &policy) {
  constexpr uint8_t kProtoBits = 8;
  DatapathShape s;
  for (const Enforcement &e : policy.enforcements)
    (e.direction == Direction::Ingress ? s.enforce_ingress : s.enforce_egress) = true;
  for (const Rule &r : policy.rules) {
    L4Lengths &lengths = r.verdict == Verdict::Deny ? s.deny_lengths : s.allow_lengths;
    // A named port is one exact port, known once an inventory names it.
    // Egress resolves it on the peer, so its entries name peer identities.
    const bool named = r.l4.kind == L4::Kind::NamedPort;
    const bool any_peer = r.peer.kind == Peer::Kind::Any && !(named && r.direction == Direction::Egress);
    uint32_t &mask = any_peer ? lengths.any_peer : lengths.peer;
    if (named) mask |= 1u << kNamedPortBits;
    for (const L4Key &k : l4_keys(r.l4)) {
      mask |= 1u << k.bits;
      // HTTP rules on more than one protocol get a TCP entry of their own
      // (ir/plan_l7.cpp, assign_l7_policies).
      if (r.has_http && r.verdict == Verdict::Allow && k.bits < kProtoBits) mask |= 1u << kProtoBits;
    }
    if (r.peer.kind == Peer::Kind::Cidr) s.cidr = true;
    if (named || (r.l4.kind == L4::Kind::Ports && !(r.l4.port_lo == 0 && r.l4.port_hi == 65535))) s.l4_ports = true;
    if (r.l4.kind == L4::Kind::IcmpType) s.icmp_types = true;
    if (r.has_http) s.http = true;
  }
  return s;
}

MapPlan plan_maps(const Policy &policy, const EndpointSet &endpoints) {
  MapPlan plan;
  plan.shape = plan_shape(policy);

  CidrPeers cidr_peers = collect_cidr_peers(policy);
  CidrIdentities cidr_ids = allocate_cidr_identities(cidr_peers);
  const PortNames port_names = collect_port_names(policy);
  EndpointIdentities ep_ids = allocate_endpoint_identities(endpoints, cidr_peers, port_names);
  IdentityIndex index(ep_ids.identities);
  // What each endpoint identity's named ports stand for.
  std::unordered_map<uint32_t, const std::vector<uint16_t> *> named_ports;
  for (const EndpointIdentity &e : ep_ids.identities) named_ports.emplace(e.identity, &e.named_ports);
  auto named_port = [&](uint32_t identity, int name) -> uint16_t {
    auto it = named_ports.find(identity);
    return it == named_ports.end() ? 0 : (*it->second)[name];
  };

  // Enforcement flags per endpoint identity.
  std::map<uint32_t, uint32_t> flags;
  for (const Enforcement &e : policy.enforcements)
    for (uint32_t id : index.match(e.subject))
      flags[id] |= e.direction == Direction::Ingress ? kEnforceIngress : kEnforceEgress;

  std::set<Prefix> endpoint_hosts;
  for (const IpIdentity &a : ep_ids.addresses) {
    Prefix host{a.ip, static_cast<uint8_t>(a.ip.width_bits())};
    endpoint_hosts.insert(host);
    plan.ipcache.push_back(IpcacheEntry{host, a.identity, flags.count(a.identity) ? flags[a.identity] : 0});
  }
  // A CIDR or except that is exactly an endpoint's address (10.0.0.7/32)
  // must not replace the endpoint's own entry: the address is the
  // endpoint's (its identity already says which ipBlocks hold it).
  for (const CidrIdentity &c : cidr_ids.prefixes)
    if (!endpoint_hosts.count(c.prefix)) plan.ipcache.push_back(IpcacheEntry{c.prefix, c.identity, 0});

  // HTTP: the tables from the policy; per IR rule, its HTTP rules as
  // indices into them; per allow entry, what its rules say about requests.
  std::vector<std::vector<uint32_t>> rule_http(plan.shape.http ? policy.rules.size() : 0);
  std::vector<EntryL7> allow_l7;
  if (plan.shape.http) {
    auto tables = plan_http_tables(policy);
    if (tables) {
      plan.http = std::move(tables).value();
      for (size_t ri = 0; ri < policy.rules.size(); ++ri) {
        for (const HttpRule &h : policy.rules[ri].http)
          if (auto index = plan.http.rule_index(h)) rule_http[ri].push_back(*index);
        std::sort(rule_http[ri].begin(), rule_http[ri].end());
        rule_http[ri].erase(std::unique(rule_http[ri].begin(), rule_http[ri].end()), rule_http[ri].end());
      }
    } else {
      plan.http.error = tables.error();
    }
  }

  std::vector<uint32_t> all_endpoints;
  for (const EndpointIdentity &e : ep_ids.identities) all_endpoints.push_back(e.identity);

  auto peer_identities = [&](const Peer &peer) -> std::vector<uint32_t> {
    switch (peer.kind) {
      case Peer::Kind::Any: return {kIdAny};
      case Peer::Kind::Cluster: return all_endpoints;
      case Peer::Kind::Selector: return index.match(peer.selector);
      case Peer::Kind::Cidr: {
        std::vector<uint32_t> out;
        int idx = cidr_peers.index_of(peer);
        for (size_t i = 0; i < cidr_ids.members.size(); ++i)
          if (std::binary_search(cidr_ids.members[i].begin(), cidr_ids.members[i].end(), idx))
            out.push_back(kIdFirstCidr + static_cast<uint32_t>(i));
        if (peer.cidr_matches_endpoints)
          for (const EndpointIdentity &e : ep_ids.identities)
            if (std::binary_search(e.ipblock_peers.begin(), e.ipblock_peers.end(), idx)) out.push_back(e.identity);
        return out;
      }
    }
    return {};
  };

  // Entries are keyed by everything but the rule id; the rule first in
  // source order (the lowest id, ir/rule_sources.h) to produce a key names
  // it. With HTTP, the rules of one key add up.
  auto key_of = [](const PolicyEntry &e) {
    return std::make_tuple(e.subject, e.peer, e.direction, e.proto, e.port, e.l4_prefix_bits);
  };
  std::map<decltype(key_of(PolicyEntry{})), size_t> seen_allow, seen_deny;

  for (size_t ri = 0; ri < policy.rules.size(); ++ri) {
    const Rule &r = policy.rules[ri];
    uint32_t dir_flag = r.direction == Direction::Ingress ? kEnforceIngress : kEnforceEgress;
    std::vector<uint32_t> subjects;
    for (uint32_t id : index.match(r.subject))
      if (flags.count(id) && (flags[id] & dir_flag)) subjects.push_back(id);
    if (subjects.empty()) continue;
    std::vector<uint32_t> peers = peer_identities(r.peer);
    auto &entries = r.verdict == Verdict::Deny ? plan.deny : plan.allow;
    auto &seen = r.verdict == Verdict::Deny ? seen_deny : seen_allow;
    const bool track_l7 = plan.shape.http && r.verdict == Verdict::Allow;
    const EntryL7 says = track_l7 ? EntryL7{r.has_http, rule_http[ri]} : EntryL7{};
    auto add = [&](uint32_t s, uint32_t p, const L4Key &k) {
      PolicyEntry e;
      e.subject = s;
      e.peer = p;
      e.direction = r.direction == Direction::Ingress ? PlanDirection::Ingress : PlanDirection::Egress;
      e.proto = k.proto;
      e.port = k.port;
      e.l4_prefix_bits = k.bits;
      e.rule_id = rule_id(r, ri);
      auto [it, fresh] = seen.emplace(key_of(e), entries.size());
      if (fresh) entries.push_back(e);
      else entries[it->second].rule_id = std::min(entries[it->second].rule_id, e.rule_id);
      if (!track_l7) return;
      if (fresh) allow_l7.push_back(says);
      else merge_entry_l7(allow_l7[it->second], says);
    };
    if (r.l4.kind == L4::Kind::NamedPort) {
      // The name is resolved on the receiver: the subject for ingress, the
      // peer for egress, whose "any peer" is then every endpoint (a peer
      // that is no endpoint has no named ports).
      const int name = port_names.index_of(r.l4);
      const auto proto = static_cast<uint8_t>(r.l4.proto);
      if (r.direction == Direction::Egress && r.peer.kind == Peer::Kind::Any) peers = all_endpoints;
      for (uint32_t s : subjects)
        for (uint32_t p : peers) {
          uint16_t port = named_port(r.direction == Direction::Ingress ? s : p, name);
          if (port != 0) add(s, p, L4Key{proto, port, kNamedPortBits});
        }
      continue;
    }
    const std::vector<L4Key> l4s = l4_keys(r.l4);
    for (uint32_t s : subjects)
      for (uint32_t p : peers)
        for (const L4Key &k : l4s) add(s, p, k);
  }
  if (plan.shape.http && !plan.http.error) assign_l7_policies(plan.allow, allow_l7, plan.http);
  return plan;
}

}  // namespace polc::ir
