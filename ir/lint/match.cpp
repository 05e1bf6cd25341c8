#include "ir/lint/match.h"

#include <algorithm>

namespace polc::ir::lint {

namespace {

using Op = ast::SelectorOp;

bool subset(const std::vector<std::string> &a, const std::vector<std::string> &b) {  // both sorted
  return std::includes(b.begin(), b.end(), a.begin(), a.end());
}

bool disjoint_values(const std::vector<std::string> &a, const std::vector<std::string> &b) {
  auto i = a.begin(), j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i == *j) return false;
    *i < *j ? ++i : ++j;
  }
  return true;
}

// Whether a label set meeting `n` always meets `b` (same key).
bool implies(const Requirement &n, const Requirement &b) {
  switch (b.op) {
    case Op::In: return n.op == Op::In && subset(n.values, b.values);
    case Op::NotIn:
      return (n.op == Op::In && disjoint_values(n.values, b.values)) ||
             (n.op == Op::NotIn && subset(b.values, n.values)) || n.op == Op::DoesNotExist;
    case Op::Exists: return n.op == Op::In || n.op == Op::Exists;
    case Op::DoesNotExist: return n.op == Op::DoesNotExist;
  }
  return false;
}

// No label set meets both (same key).
bool contradict(const Requirement &a, const Requirement &b) {
  auto one_way = [](const Requirement &x, const Requirement &y) {
    switch (x.op) {
      case Op::In:
        return (y.op == Op::In && disjoint_values(x.values, y.values)) ||
               (y.op == Op::NotIn && subset(x.values, y.values)) || y.op == Op::DoesNotExist;
      case Op::Exists: return y.op == Op::DoesNotExist;
      default: return false;
    }
  };
  return one_way(a, b) || one_way(b, a);
}

bool prefixes_disjoint(const Prefix &a, const Prefix &b) { return !a.contains(b) && !b.contains(a); }

}  // namespace

bool selector_covers(const Selector &broad, const Selector &narrow) {
  for (const Requirement &b : broad.requirements) {
    bool implied = std::any_of(narrow.requirements.begin(), narrow.requirements.end(),
                               [&](const Requirement &n) { return n.key == b.key && implies(n, b); });
    if (!implied) return false;
  }
  return true;
}

bool selectors_disjoint(const Selector &a, const Selector &b) {
  for (const Requirement &x : a.requirements)
    for (const Requirement &y : b.requirements)
      if (x.key == y.key && contradict(x, y)) return true;
  return false;
}

bool peer_covers(const Peer &broad, const Peer &narrow) {
  switch (broad.kind) {
    case Peer::Kind::Any: return true;
    case Peer::Kind::Cluster: return narrow.kind == Peer::Kind::Cluster || narrow.kind == Peer::Kind::Selector;
    case Peer::Kind::Selector:
      return narrow.kind == Peer::Kind::Selector && selector_covers(broad.selector, narrow.selector);
    case Peer::Kind::Cidr: {
      if (narrow.kind != Peer::Kind::Cidr || !broad.cidr.contains(narrow.cidr)) return false;
      if (narrow.cidr_matches_endpoints && !broad.cidr_matches_endpoints) return false;
      // Each hole of the broad peer must be outside the narrow one.
      for (const Prefix &hole : broad.except) {
        if (prefixes_disjoint(hole, narrow.cidr)) continue;
        if (hole.contains(narrow.cidr)) return false;  // the narrow peer lies in the hole
        bool excepted = std::any_of(narrow.except.begin(), narrow.except.end(),
                                    [&](const Prefix &e) { return e.contains(hole); });
        if (!excepted) return false;
      }
      return true;
    }
  }
  return false;
}

bool peers_overlap(const Peer &a, const Peer &b) {
  if (a.kind == Peer::Kind::Any || b.kind == Peer::Kind::Any) return true;
  auto endpointish = [](const Peer &p) { return p.kind == Peer::Kind::Cluster || p.kind == Peer::Kind::Selector; };
  if (endpointish(a) && endpointish(b)) {
    if (a.kind == Peer::Kind::Selector && b.kind == Peer::Kind::Selector) return !selectors_disjoint(a.selector, b.selector);
    return true;
  }
  if (a.kind == Peer::Kind::Cidr && b.kind == Peer::Kind::Cidr) {
    if (prefixes_disjoint(a.cidr, b.cidr)) return false;
    const Peer &outer = a.cidr.len <= b.cidr.len ? a : b;
    const Peer &inner = &outer == &a ? b : a;
    return std::none_of(outer.except.begin(), outer.except.end(), [&](const Prefix &e) { return e.contains(inner.cidr); });
  }
  // A CIDR peer and endpoints: only an ipBlock matches endpoints' addresses.
  const Peer &cidr = a.kind == Peer::Kind::Cidr ? a : b;
  return cidr.cidr_matches_endpoints;
}

// A named port is some port of its protocol: which one depends on the
// receiving endpoint, so only the same name, or every port, covers it.
bool l4_covers(const L4 &broad, const L4 &narrow) {
  if (broad.kind == L4::Kind::All) return true;
  if (broad.proto != narrow.proto) return false;
  if (broad.kind == L4::Kind::Ports && narrow.kind == L4::Kind::NamedPort)
    return broad.port_lo == 0 && broad.port_hi == 65535;
  if (broad.kind != narrow.kind) return false;
  if (broad.kind == L4::Kind::Ports) return broad.port_lo <= narrow.port_lo && narrow.port_hi <= broad.port_hi;
  if (broad.kind == L4::Kind::NamedPort) return broad.port_name == narrow.port_name;
  return broad.icmp_type == narrow.icmp_type;
}

bool l4_overlap(const L4 &a, const L4 &b) {
  if (a.kind == L4::Kind::All || b.kind == L4::Kind::All) return true;
  if (a.proto != b.proto) return false;
  // A named port may stand for any number of its protocol.
  if (a.kind == L4::Kind::NamedPort || b.kind == L4::Kind::NamedPort)
    return a.kind != L4::Kind::IcmpType && b.kind != L4::Kind::IcmpType;
  if (a.kind != b.kind) return false;
  if (a.kind == L4::Kind::Ports) return a.port_lo <= b.port_hi && b.port_lo <= a.port_hi;
  return a.icmp_type == b.icmp_type;
}

bool http_covers(const Rule &broad, const Rule &narrow) {
  if (!broad.has_http) return true;
  if (!narrow.has_http) return false;
  return std::includes(broad.http.begin(), broad.http.end(), narrow.http.begin(), narrow.http.end());
}

bool rule_covers(const Rule &broad, const Rule &narrow) {
  return broad.direction == narrow.direction && selector_covers(broad.subject, narrow.subject) &&
         peer_covers(broad.peer, narrow.peer) && l4_covers(broad.l4, narrow.l4) &&
         (broad.verdict == Verdict::Deny || http_covers(broad, narrow));
}

}  // namespace polc::ir::lint
