// The map plan: what the optimizer makes of a policy for the datapath.
// Its *shape* (which lookups and parsers the program needs) depends on the
// policy alone, so a compiled object serves any inventory; its *entries*
// (ipcache prefixes, policy keys) are filled in once an inventory resolves
// selectors into identities. Layouts of the entries are those of
// templates/maps_abi.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "frontend/net.h"
#include "ir/http_plan.h"

namespace polc::ir {

// The (protocol, port) prefix lengths a policy map's entries have, per kind
// of peer: bit n set = entries keeping n of the 24 bits of proto(8) +
// port(16) (PolicyEntry::l4_prefix_bits). The datapath does one hash lookup
// per length present, longest first (templates/policy.h).
struct L4Lengths {
  // Every length an entry can have: 0 (every protocol), 8 (one protocol),
  // 9..24 (ports: one protocol and a block of 2^(24-n) ports).
  static constexpr uint32_t kAll = 1u | (0x1ffffu << 8);
  uint32_t peer = 0;      // entries for a named peer identity
  uint32_t any_peer = 0;  // entries for every peer (POLC_ID_ANY)
  bool empty() const { return (peer | any_peer) == 0; }
  friend bool operator==(const L4Lengths &, const L4Lengths &) = default;
};

// What the generated program must be able to do. Everything false is left
// out of the program (config.h turns each into a #define).
struct DatapathShape {
  bool enforce_ingress = false;  // some rule selects endpoints for ingress
  bool enforce_egress = false;
  L4Lengths allow_lengths;       // the allow lookups to emit
  L4Lengths deny_lengths;        // the deny lookups to emit (empty: no deny rule)
  bool cidr = false;             // CIDR peers: addresses not in the host hash go through the LPM tries
  bool l4_ports = false;         // rules name ports: parse L4 ports, track fragments
  bool icmp_types = false;       // rules name ICMP types
  bool http = false;             // rules.http present (layer 7)
  // `apply --audit`: every verdict is reached and counted as usual, but
  // nothing is dropped or answered with a 403. Not the policy's: set by apply.
  bool audit = false;

  bool deny() const { return !deny_lengths.empty(); }
  bool any_peer() const { return (allow_lengths.any_peer | deny_lengths.any_peer) != 0; }

  // A short stable digest of the shape: objects compiled for equal shapes
  // are interchangeable.
  std::string digest() const;
  friend bool operator==(const DatapathShape &, const DatapathShape &) = default;
};

struct IpcacheEntry {
  Prefix prefix;
  uint32_t identity = 0;
  uint32_t flags = 0;  // POLC_ENFORCE_INGRESS | POLC_ENFORCE_EGRESS
};

enum class PlanDirection : uint8_t { Ingress = 0, Egress = 1 };

struct PolicyEntry {
  uint32_t subject = 0;
  uint32_t peer = 0;  // 0: any peer
  PlanDirection direction = PlanDirection::Ingress;
  // Matched prefix over (proto, port): 0 every protocol, 8 one protocol,
  // 8 + n the top n bits of the port (ICMP: type in the high byte).
  uint8_t proto = 0;
  uint16_t port = 0;      // host order here; runtime writes it big-endian
  uint8_t l4_prefix_bits = 0;  // 0..24 over proto(8) + port(16)
  uint32_t rule_id = 0;
  // 0: every request; else an l7 policy of MapPlan::http (ir/plan_l7.h
  // says how entries that shadow one another in the trie share them).
  uint16_t l7_policy = 0;
  friend bool operator==(const PolicyEntry &, const PolicyEntry &) = default;
};

struct MapPlan {
  DatapathShape shape;
  std::vector<IpcacheEntry> ipcache;  // both families
  std::vector<PolicyEntry> allow;
  std::vector<PolicyEntry> deny;
  HttpPlan http;  // empty when the policy has no HTTP rules
};

}  // namespace polc::ir
