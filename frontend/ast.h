// The policy AST: what every reader (rule JSON, Cilium and Kubernetes
// objects, the polc DSL) produces. It has the shape of Cilium's rule format,
// with a location on every value and explicit flags where Kubernetes'
// semantics differ, so lowering to the IR (ir/lower) is one function for all
// formats. Validation that needs only the value itself (CIDR syntax, port
// ranges, regex syntax, label syntax) is done by the readers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "frontend/net.h"
#include "frontend/source.h"

namespace polc::ast {

enum class SelectorOp : uint8_t { In, NotIn, Exists, DoesNotExist };

// One requirement of a label selector. `matchLabels: {a: b}` becomes
// {a, In, [b]}. Keys are normalized: Cilium's "k8s:" and "any:" source
// prefixes are dropped; "reserved:" stays part of the key.
struct Requirement {
  std::string key;
  SelectorOp op = SelectorOp::In;
  std::vector<std::string> values;
  SourceLoc loc;
};

struct Selector {
  std::vector<Requirement> requirements;  // all must hold; none selects everything
  SourceLoc loc;
};

struct CidrPeer {
  Prefix cidr;
  std::vector<Prefix> except;
  SourceLoc loc;
  std::vector<SourceLoc> except_locs;
};

enum class Proto : uint8_t { Any = 0, ICMP = 1, TCP = 6, UDP = 17, ICMPv6 = 58, SCTP = 132 };

struct PortProtocol {
  uint16_t port = 0;      // 0 with end_port 0: every port
  uint16_t end_port = 0;  // 0: just `port`
  Proto proto = Proto::Any;  // Any: TCP, UDP and SCTP
  SourceLoc loc;
  // A named port (`port: http`): the port of that name on the endpoint
  // that receives the connection (CONTRACT §1.2); port and end_port are 0.
  std::string name{};  // braces: aggregate initializers may leave it out
};

struct HeaderMatch {
  std::string name;
  std::optional<std::string> value;  // "Name" alone: must be present
  SourceLoc loc;
};

struct HttpRule {
  std::optional<std::string> method, path, host;  // RE2 regexes, whole match
  SourceLoc method_loc, path_loc, host_loc;
  std::vector<HeaderMatch> headers;
  SourceLoc loc;
};

struct PortRule {
  std::vector<PortProtocol> ports;  // empty: every port and protocol
  std::optional<std::vector<HttpRule>> http;
  SourceLoc loc;
};

struct IcmpField {
  Family family = Family::V4;
  uint8_t type = 0;
  SourceLoc loc;
};

// Which peers one rule element names.
enum class PeerKind : uint8_t {
  None,       // Cilium element without a peer and without ports: matches nothing
  Any,        // every peer (element with only ports, Kubernetes empty `from`)
  Endpoints,  // label selectors
  Cidrs,      // fromCIDR / fromCIDRSet / ipBlock
  Entities,   // world, host, all, cluster, ...
};

struct Entity {
  std::string name;  // "world", "host", "all", "cluster", "remote-node", ...
  SourceLoc loc;
};

// One entry of ingress / egress / ingressDeny / egressDeny.
struct RuleElement {
  SourceLoc loc;
  PeerKind peer_kind = PeerKind::None;
  std::vector<Selector> endpoints;
  std::vector<CidrPeer> cidrs;
  // Kubernetes ipBlock: the CIDR also matches endpoints' own addresses.
  bool cidrs_match_endpoints = false;
  std::vector<Entity> entities;
  std::vector<PortRule> to_ports;  // empty and no icmps: every port and protocol
  std::vector<IcmpField> icmps;
};

enum class Origin : uint8_t {
  RuleJson,                  // a bare array of Cilium rules
  CiliumNetworkPolicy,       // namespaced
  CiliumClusterwidePolicy,   // not namespaced
  KubernetesNetworkPolicy,   // namespaced, Kubernetes semantics
  Dsl,
};

struct Rule {
  SourceLoc loc;
  SourceLoc end_loc;  // DSL: the closing brace, so that fmt keeps a comment on its line
  Origin origin = Origin::RuleJson;
  std::string name;        // metadata.name where there is one
  std::string namespace_;  // namespaced origins: the policy's namespace
  std::string description;
  std::vector<std::pair<std::string, std::string>> labels;

  Selector subject;
  std::vector<RuleElement> ingress, egress, ingress_deny, egress_deny;
  // Whether the rule puts its subjects into default deny for a direction:
  // Cilium: a non-empty ingress/ingressDeny list; Kubernetes: policyTypes.
  bool enforce_ingress = false;
  bool enforce_egress = false;
};

struct PolicySet {
  std::vector<Rule> rules;
};

}  // namespace polc::ast
