#include "ir/identity.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace polc::ir {

int CidrPeers::index_of(const Peer &p) const {
  for (size_t i = 0; i < peers.size(); ++i)
    if (*peers[i] == p) return static_cast<int>(i);
  return -1;
}

CidrPeers collect_cidr_peers(const Policy &policy) {
  CidrPeers out;
  std::set<const Peer *, bool (*)(const Peer *, const Peer *)> seen(
      [](const Peer *a, const Peer *b) { return *a < *b; });
  for (const Rule &r : policy.rules)
    if (r.peer.kind == Peer::Kind::Cidr && seen.insert(&r.peer).second) out.peers.push_back(&r.peer);
  return out;
}

CidrIdentities allocate_cidr_identities(const CidrPeers &peers) {
  std::set<Prefix> boundaries;
  for (const Peer *p : peers.peers) {
    boundaries.insert(p->cidr);
    for (const Prefix &e : p->except) boundaries.insert(e);
  }
  CidrIdentities out;
  std::map<std::vector<int>, uint32_t> by_members;
  for (const Prefix &b : boundaries) {
    std::vector<int> members;
    for (size_t i = 0; i < peers.peers.size(); ++i) {
      const Peer &p = *peers.peers[i];
      if (!p.cidr.contains(b)) continue;
      bool excepted = std::any_of(p.except.begin(), p.except.end(), [&](const Prefix &e) { return e.contains(b); });
      if (!excepted) members.push_back(static_cast<int>(i));
    }
    uint32_t id = kIdWorld;
    if (!members.empty()) {
      auto [it, inserted] = by_members.emplace(members, kIdFirstCidr + static_cast<uint32_t>(out.members.size()));
      if (inserted) out.members.push_back(members);
      id = it->second;
    }
    out.prefixes.push_back(CidrIdentity{b, id});
  }
  return out;
}

int PortNames::index_of(const L4 &l4) const {
  if (l4.kind != L4::Kind::NamedPort) return -1;
  auto it = std::lower_bound(names.begin(), names.end(), std::make_pair(l4.port_name, l4.proto));
  return it != names.end() && it->first == l4.port_name && it->second == l4.proto ? int(it - names.begin()) : -1;
}

PortNames collect_port_names(const Policy &policy) {
  PortNames out;
  for (const Rule &r : policy.rules)
    if (r.l4.kind == L4::Kind::NamedPort) out.names.emplace_back(r.l4.port_name, r.l4.proto);
  std::sort(out.names.begin(), out.names.end());
  out.names.erase(std::unique(out.names.begin(), out.names.end()), out.names.end());
  return out;
}

EndpointIdentities allocate_endpoint_identities(const EndpointSet &endpoints, const CidrPeers &peers,
                                                const PortNames &port_names) {
  using Key = std::tuple<LabelSet, std::vector<int>, std::vector<uint16_t>>;
  std::map<Key, std::vector<IpAddr>> groups;
  std::vector<int> ipblock;
  for (size_t i = 0; i < peers.peers.size(); ++i)
    if (peers.peers[i]->cidr_matches_endpoints) ipblock.push_back(static_cast<int>(i));

  for (const Endpoint &ep : endpoints.all()) {
    std::vector<uint16_t> ports;
    for (const auto &[name, proto] : port_names.names) ports.push_back(ep.named_port(name, proto));
    if (ep.ips.empty()) groups[Key{ep.labels, {}, ports}];  // selectable, has no address
    for (const IpAddr &ip : ep.ips) {
      std::vector<int> in_blocks;
      for (int i : ipblock)
        if (cidr_contains(*peers.peers[i], ip)) in_blocks.push_back(i);
      groups[Key{ep.labels, std::move(in_blocks), ports}].push_back(ip);
    }
  }
  EndpointIdentities out;
  uint32_t next = kIdFirstEndpoint;
  for (auto &[key, ips] : groups) {
    uint32_t id = endpoints.is_implicit_host() ? kIdHost : next++;
    out.identities.push_back(EndpointIdentity{id, std::get<0>(key), std::get<1>(key), std::get<2>(key)});
    for (const IpAddr &ip : ips) out.addresses.push_back(IpIdentity{ip, id});
  }
  return out;
}

}  // namespace polc::ir
