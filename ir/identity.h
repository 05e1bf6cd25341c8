// Identities, as Cilium allocates them: every distinct label set of the
// inventory is one identity, and the CIDRs of the policy become CIDR
// identities whose prefixes go into the ipcache LPM trie.
//
// CIDR except is resolved here: the boundaries (every CIDR and every except
// prefix) are inserted as prefixes; the longest boundary containing an
// address decides which CIDR peers the address belongs to, and that set is
// the identity. An address whose longest boundary belongs to no peer (an
// except hole) gets POLC_ID_WORLD, exactly as an address outside every CIDR.
//
// Kubernetes ipBlock peers also match endpoints' addresses: an endpoint
// address's identity is therefore (label set, ipBlock peers containing it),
// which for policies without such peers is the label set alone.
#pragma once

#include <cstdint>
#include <vector>

#include "frontend/net.h"
#include "ir/endpoints.h"
#include "ir/ir.h"

namespace polc::ir {

inline constexpr uint32_t kIdAny = 0;
inline constexpr uint32_t kIdHost = 1;
inline constexpr uint32_t kIdWorld = 2;
inline constexpr uint32_t kIdFirstEndpoint = 256;
inline constexpr uint32_t kIdFirstCidr = 16777216;

// The distinct CIDR peers of a policy, in rule order; a peer's index here is
// how identities refer to it.
struct CidrPeers {
  std::vector<const Peer *> peers;
  int index_of(const Peer &p) const;  // -1 when absent
};
CidrPeers collect_cidr_peers(const Policy &policy);

struct CidrIdentity {
  Prefix prefix;          // a boundary prefix
  uint32_t identity = 0;  // kIdWorld when no peer contains it
};

// From the policy alone.
struct CidrIdentities {
  std::vector<CidrIdentity> prefixes;             // sorted
  std::vector<std::vector<int>> members;          // [identity - kIdFirstCidr]: peer indices, sorted
};
CidrIdentities allocate_cidr_identities(const CidrPeers &peers);

// The named ports a policy uses, as (name, protocol), sorted: endpoints
// with equal labels but different numbers for one of these names get
// different identities, since a rule on the name matches only some of them.
struct PortNames {
  std::vector<std::pair<std::string, ast::Proto>> names;
  int index_of(const L4 &l4) const;  // -1 when absent (or not a named port)
};
PortNames collect_port_names(const Policy &policy);

struct EndpointIdentity {
  uint32_t identity = 0;
  LabelSet labels;
  std::vector<int> ipblock_peers;  // sorted indices of cidr_matches_endpoints peers
  std::vector<uint16_t> named_ports;  // parallel to PortNames::names; 0: the endpoints lack that name
};

struct IpIdentity {
  IpAddr ip;
  uint32_t identity = 0;
};

struct EndpointIdentities {
  std::vector<EndpointIdentity> identities;  // sorted by identity
  std::vector<IpIdentity> addresses;         // every endpoint address
};
EndpointIdentities allocate_endpoint_identities(const EndpointSet &endpoints, const CidrPeers &peers,
                                                const PortNames &port_names = {});

}  // namespace polc::ir
