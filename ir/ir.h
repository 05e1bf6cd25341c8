// polc's IR: a policy normalized into atomic rules. Every reader's AST
// lowers to this (ir/lower.h); the optimizer (ir/plan.h), the reference
// evaluator (ir/evaluator.h) and the linter consume it.
//
// One IR rule says: endpoints matching `subject`, in `direction`, allow (or
// deny) traffic with ONE peer and ONE layer-4 match, optionally restricted
// to HTTP requests. Rules are sorted and deduplicated, so two inputs that
// mean the same thing give equal IR whatever their format or layout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "frontend/net.h"
#include "frontend/source.h"

namespace polc::ir {

enum class Direction : uint8_t { Ingress, Egress };
enum class Verdict : uint8_t { Allow, Deny };

struct Requirement {
  std::string key;
  ast::SelectorOp op = ast::SelectorOp::In;
  std::vector<std::string> values;  // sorted, unique
  auto operator<=>(const Requirement &) const = default;
};

// A label selector; the namespace of a namespaced policy is folded in as a
// requirement on io.kubernetes.pod.namespace. No requirement: everything.
struct Selector {
  std::vector<Requirement> requirements;  // sorted, unique
  auto operator<=>(const Selector &) const = default;
};

struct Peer {
  enum class Kind : uint8_t {
    Any,       // every peer (also entity "all")
    Selector,  // endpoints whose labels match
    Cidr,      // addresses in `cidr` minus `except`
    Cluster,   // every endpoint of the inventory
  };
  Kind kind = Kind::Any;
  Selector selector;
  Prefix cidr;
  std::vector<Prefix> except;  // sorted, unique, each inside cidr
  // Cilium CIDR peers match only addresses that belong to no endpoint;
  // Kubernetes ipBlock matches endpoints' addresses too.
  bool cidr_matches_endpoints = false;
  auto operator<=>(const Peer &) const = default;
};

struct L4 {
  // NamedPort: the port called `port_name` on the endpoint that receives
  // the connection (the subject for ingress, the peer for egress); a
  // receiver without that name, or one that is no endpoint, is not matched.
  // Resolved per endpoint when the maps are filled (ir/plan.cpp).
  enum class Kind : uint8_t { All, Ports, IcmpType, NamedPort };
  Kind kind = Kind::All;       // All: every protocol (ICMP included), every port
  ast::Proto proto = ast::Proto::Any;  // TCP/UDP/SCTP for Ports and NamedPort; ICMP/ICMPv6 for IcmpType
  uint16_t port_lo = 0, port_hi = 65535;  // NamedPort: 0, 0
  uint8_t icmp_type = 0;
  std::string port_name{};  // NamedPort only (braces: aggregate initializers may leave it out)
  auto operator<=>(const L4 &) const = default;
};

struct HeaderMatch {
  std::string name;   // lowercased: names compare without regard to case
  bool has_value = false;
  std::string value;
  auto operator<=>(const HeaderMatch &) const = default;
};

struct HttpRule {
  // Empty string: the field is not constrained.
  std::string method, path, host;
  std::vector<HeaderMatch> headers;  // sorted
  auto operator<=>(const HttpRule &) const = default;
};

struct Rule {
  Selector subject;
  Direction direction = Direction::Ingress;
  Verdict verdict = Verdict::Allow;
  Peer peer;
  L4 l4;
  bool has_http = false;          // false: every request; true: one of `http`
  std::vector<HttpRule> http;     // sorted, unique

  // Where the rule came from (every source that produced it): not part of
  // the rule's meaning, so not compared and not emitted in --emit-ir.
  std::vector<SourceLoc> origins;
  // The rule element this rule counts under (1-based, into
  // Policy::sources): its first origin in source order. 0: none indexed
  // (ir/rule_sources.h); the plan then names the rule by its IR index.
  uint32_t source = 0;

  bool same_meaning(const Rule &o) const;
  bool less_meaning(const Rule &o) const;
};

// A selector that puts its endpoints into default deny for a direction.
struct Enforcement {
  Selector subject;
  Direction direction = Direction::Ingress;
  auto operator<=>(const Enforcement &) const = default;
};

// One rule element as written, the unit that `polc stats` counts and a
// drop names: its place, and what it means (a digest of the IR rules it
// produced, so a rule that keeps its place and meaning across an apply
// keeps its counters).
struct RuleSource {
  std::string source;  // "file:line:col" as diagnostics name it; "" when not known
  Direction direction = Direction::Ingress;
  Verdict verdict = Verdict::Allow;
  std::string digest;
  friend bool operator==(const RuleSource &, const RuleSource &) = default;
};

// Where an HTTP pattern (or header value) was first written. An error
// about the pattern itself (the datapath cannot hold it) points there. Not
// part of the policy's meaning, like Rule::origins.
struct PatternPlace {
  std::string field;  // "method", "path", "host" or "header value"
  std::string text;   // as written
  SourceLoc loc;
};

struct Policy {
  std::vector<Rule> rules;                // sorted by meaning, unique
  std::vector<Enforcement> enforcements;  // sorted, unique
  std::vector<RuleSource> sources;        // in source order; empty until indexed
  std::vector<PatternPlace> pattern_places;  // the first place of each (field, text); filled by lower
};

std::string_view direction_name(Direction d);
std::string_view proto_name(ast::Proto p);
std::string_view selector_op_name(ast::SelectorOp op);  // as Kubernetes spells it: "In", "NotIn", ...

}  // namespace polc::ir
