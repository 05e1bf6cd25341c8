#include "ir/evaluator.h"

#include "ir/http_request_check.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <re2/re2.h>

namespace polc::ir {

struct ReferenceEvaluator::RegexCache {
  std::map<std::string, std::unique_ptr<RE2>> compiled;
};

ReferenceEvaluator::ReferenceEvaluator(const Policy &policy, const EndpointSet &endpoints)
    : policy_(policy), endpoints_(endpoints), regexes_(std::make_unique<RegexCache>()) {}

ReferenceEvaluator::~ReferenceEvaluator() = default;

bool ReferenceEvaluator::enforced(const Endpoint &ep, Direction d) const {
  return std::any_of(policy_.enforcements.begin(), policy_.enforcements.end(), [&](const Enforcement &e) {
    return e.direction == d && selector_matches(e.subject, ep.labels);
  });
}

bool ReferenceEvaluator::peer_matches(const Peer &peer, const IpAddr &ip, const Endpoint *ep) const {
  switch (peer.kind) {
    case Peer::Kind::Any: return true;
    case Peer::Kind::Selector: return ep && selector_matches(peer.selector, ep->labels);
    case Peer::Kind::Cluster: return ep != nullptr;
    case Peer::Kind::Cidr: return cidr_contains(peer, ip) && (peer.cidr_matches_endpoints || !ep);
  }
  return false;
}

bool ReferenceEvaluator::l4_matches(const L4 &l4, const Packet &p, const Endpoint *receiver) {
  switch (l4.kind) {
    case L4::Kind::All: return true;
    case L4::Kind::Ports: return l4.proto == p.proto && p.dport >= l4.port_lo && p.dport <= l4.port_hi;
    case L4::Kind::NamedPort: {
      if (l4.proto != p.proto || !receiver) return false;
      uint16_t port = receiver->named_port(l4.port_name, l4.proto);
      return port != 0 && port == p.dport;
    }
    case L4::Kind::IcmpType: return l4.proto == p.proto && l4.icmp_type == p.icmp_type;
  }
  return false;
}

bool ReferenceEvaluator::full_match(const std::string &pattern, const std::string &value) const {
  auto &slot = regexes_->compiled[pattern];
  if (!slot) {
    RE2::Options opts;
    opts.set_log_errors(false);
    slot = std::make_unique<RE2>(pattern, opts);
  }
  // A pattern that does not compile matches nothing (the readers reject it).
  return slot->ok() && RE2::FullMatch(value, *slot);
}

// `req` is the request as judged (ir/http_request_check.h): header names
// in lower case, values trimmed, the path normalized.
bool ReferenceEvaluator::http_matches(const HttpRule &rule, const JudgedRequest &req) const {
  if (!rule.method.empty() && !full_match(rule.method, req.method)) return false;
  if (!rule.path.empty() && (!req.path || !full_match(rule.path, *req.path))) return false;
  if (!rule.host.empty() && (!req.host || !full_match(rule.host, *req.host))) return false;
  for (const HeaderMatch &h : rule.headers) {
    bool found = std::any_of(req.headers.begin(), req.headers.end(), [&](const auto &kv) {
      return kv.first == h.name && (!h.has_value || kv.second == h.value);
    });
    if (!found) return false;
  }
  return true;
}

Decision ReferenceEvaluator::evaluate_direction(const Packet &p, Direction d) const {
  const Endpoint *src = endpoints_.find_ip(p.src);
  const Endpoint *dst = endpoints_.find_ip(p.dst);
  const Endpoint *subject = d == Direction::Ingress ? dst : src;
  const Endpoint *peer_ep = d == Direction::Ingress ? src : dst;
  const IpAddr &peer_ip = d == Direction::Ingress ? p.src : p.dst;
  std::string_view dir = direction_name(d);
  if (!subject) return {true, fmt::format("{}: not an endpoint", dir)};
  if (!enforced(*subject, d)) return {true, fmt::format("{} of {}: not enforced", dir, subject->name)};

  bool l4_allowed = false, l7_allowed = false;
  std::optional<JudgedRequest> judged;
  for (const Rule &r : policy_.rules) {
    // The receiver of a connection is its destination in either direction:
    // the subject for ingress, the peer for egress.
    if (r.direction != d || !l4_matches(r.l4, p, dst) || !peer_matches(r.peer, peer_ip, peer_ep) ||
        !selector_matches(r.subject, subject->labels))
      continue;
    if (r.verdict == Verdict::Deny) return {false, fmt::format("{} of {}: denied by a deny rule", dir, subject->name)};
    l4_allowed = true;
    if (!r.has_http || !p.http) {
      l7_allowed = true;
      continue;
    }
    if (!judged) judged = judge_http_request(*p.http);
    if (judged->refusal != HttpRefusal::None) continue;  // no HTTP rule can allow it
    for (const HttpRule &h : r.http)
      if (http_matches(h, *judged)) l7_allowed = true;
  }
  if (!l4_allowed) return {false, fmt::format("{} of {}: no rule allows it", dir, subject->name)};
  if (!l7_allowed && judged && judged->refusal != HttpRefusal::None)
    return {false, fmt::format("{} of {}: HTTP request refused ({}: {})", dir, subject->name,
                               http_refusal_name(judged->refusal), judged->why)};
  if (!l7_allowed) return {false, fmt::format("{} of {}: HTTP request denied", dir, subject->name)};
  return {true, fmt::format("{} of {}: allowed", dir, subject->name)};
}

Decision ReferenceEvaluator::evaluate(const Packet &p) const {
  Decision egress = evaluate_direction(p, Direction::Egress);
  if (!egress.allowed) return egress;
  Decision ingress = evaluate_direction(p, Direction::Ingress);
  if (!ingress.allowed) return ingress;
  return {true, egress.reason + "; " + ingress.reason};
}

}  // namespace polc::ir
