#include "ir/lower.h"

#include <algorithm>
#include <tuple>

namespace polc::ir {

namespace {

Requirement lower_requirement(const ast::Requirement &r) {
  Requirement out{r.key, r.op, r.values};
  std::sort(out.values.begin(), out.values.end());
  out.values.erase(std::unique(out.values.begin(), out.values.end()), out.values.end());
  return out;
}

void sort_unique(Selector &s) {
  std::sort(s.requirements.begin(), s.requirements.end());
  s.requirements.erase(std::unique(s.requirements.begin(), s.requirements.end()), s.requirements.end());
}

bool names_key(const ast::Selector &s, std::string_view key) {
  return std::any_of(s.requirements.begin(), s.requirements.end(),
                     [&](const ast::Requirement &r) { return r.key == key; });
}

bool names_reserved(const ast::Selector &s) {
  return std::any_of(s.requirements.begin(), s.requirements.end(),
                     [](const ast::Requirement &r) { return r.key.rfind("reserved:", 0) == 0; });
}

bool is_namespaced(ast::Origin o) {
  return o == ast::Origin::CiliumNetworkPolicy || o == ast::Origin::KubernetesNetworkPolicy;
}

// A selector of a namespaced policy selects only its namespace's endpoints
// unless it names the namespace itself (CONTRACT §1.1). Selectors of
// reserved identities (host, remote-node, ...) have no namespace.
Selector lower_selector(const ast::Selector &s, const ast::Rule &rule, bool fold_namespace) {
  Selector out;
  for (const auto &r : s.requirements) out.requirements.push_back(lower_requirement(r));
  if (fold_namespace && is_namespaced(rule.origin) && !names_key(s, kNamespaceLabel) && !names_reserved(s))
    out.requirements.push_back(Requirement{kNamespaceLabel, ast::SelectorOp::In, {rule.namespace_}});
  sort_unique(out);
  return out;
}

Selector exists_selector(std::string key) {
  Selector s;
  s.requirements.push_back(Requirement{std::move(key), ast::SelectorOp::Exists, {}});
  return s;
}

Peer cidr_peer(Prefix cidr, std::vector<Prefix> except, bool match_endpoints) {
  Peer p;
  p.kind = Peer::Kind::Cidr;
  p.cidr = cidr;
  std::sort(except.begin(), except.end());
  except.erase(std::unique(except.begin(), except.end()), except.end());
  p.except = std::move(except);
  p.cidr_matches_endpoints = match_endpoints;
  return p;
}

void entity_peers(const std::string &name, std::vector<Peer> &out) {
  Prefix v4_all, v6_all;
  v4_all.addr.family = Family::V4;
  v6_all.addr.family = Family::V6;
  if (name == "world" || name == "world-ipv4") out.push_back(cidr_peer(v4_all, {}, false));
  if (name == "world" || name == "world-ipv6") out.push_back(cidr_peer(v6_all, {}, false));
  if (name.rfind("world", 0) == 0) return;
  Peer p;
  if (name == "all") {
    p.kind = Peer::Kind::Any;
  } else if (name == "cluster") {
    p.kind = Peer::Kind::Cluster;
  } else {
    // host, remote-node, kube-apiserver, health, init, ingress, unmanaged, ...
    p.kind = Peer::Kind::Selector;
    p.selector = exists_selector("reserved:" + name);
  }
  out.push_back(std::move(p));
}

std::vector<Peer> element_peers(const ast::RuleElement &e, const ast::Rule &rule) {
  std::vector<Peer> peers;
  switch (e.peer_kind) {
    case ast::PeerKind::None:
      break;
    case ast::PeerKind::Any:
      peers.push_back(Peer{});
      break;
    case ast::PeerKind::Endpoints:
      for (const auto &s : e.endpoints) {
        Peer p;
        p.kind = Peer::Kind::Selector;
        // Kubernetes peers carry their namespace requirements from the reader.
        p.selector = lower_selector(s, rule, rule.origin != ast::Origin::KubernetesNetworkPolicy);
        peers.push_back(std::move(p));
      }
      break;
    case ast::PeerKind::Cidrs: {
      bool match_endpoints = e.cidrs_match_endpoints ||
                             std::any_of(rule.labels.begin(), rule.labels.end(), [](const auto &l) {
                               return l.first == kCidrMatchesEndpointsLabel && l.second == "true";
                             });
      for (const auto &c : e.cidrs) peers.push_back(cidr_peer(c.cidr, c.except, match_endpoints));
      break;
    }
    case ast::PeerKind::Entities:
      for (const auto &en : e.entities) entity_peers(en.name, peers);
      break;
  }
  return peers;
}

struct L4Match {
  L4 l4;
  bool has_http = false;
  std::vector<HttpRule> http;
  SourceLoc loc;
};

HttpRule lower_http(const ast::HttpRule &h) {
  HttpRule out;
  out.method = h.method.value_or("");
  out.path = h.path.value_or("");
  out.host = h.host.value_or("");
  for (const auto &hm : h.headers) {
    HeaderMatch m;
    m.name = hm.name;
    std::transform(m.name.begin(), m.name.end(), m.name.begin(), [](unsigned char c) { return std::tolower(c); });
    m.has_value = hm.value.has_value();
    m.value = hm.value.value_or("");
    out.headers.push_back(std::move(m));
  }
  std::sort(out.headers.begin(), out.headers.end());
  out.headers.erase(std::unique(out.headers.begin(), out.headers.end()), out.headers.end());
  return out;
}

void add_ports(const ast::PortProtocol &pp, const L4Match &proto_template, std::vector<L4Match> &out) {
  static const ast::Proto kAny[] = {ast::Proto::TCP, ast::Proto::UDP, ast::Proto::SCTP};
  uint16_t lo = pp.port, hi = pp.end_port ? pp.end_port : pp.port;
  if (pp.port == 0) lo = 0, hi = 65535;
  for (ast::Proto proto : kAny) {
    if (pp.proto != ast::Proto::Any && pp.proto != proto) continue;
    L4Match m = proto_template;
    m.l4.kind = L4::Kind::Ports;
    m.l4.proto = proto;
    m.l4.port_lo = lo;
    m.l4.port_hi = hi;
    m.loc = pp.loc.valid() ? pp.loc : proto_template.loc;
    out.push_back(std::move(m));
  }
}

std::vector<L4Match> element_l4(const ast::RuleElement &e) {
  std::vector<L4Match> out;
  if (e.to_ports.empty() && e.icmps.empty()) {
    out.push_back(L4Match{L4{}, false, {}, e.loc});
    return out;
  }
  for (const auto &pr : e.to_ports) {
    L4Match base;
    base.loc = pr.loc;
    if (pr.http && !pr.http->empty()) {
      base.has_http = true;
      for (const auto &h : *pr.http) base.http.push_back(lower_http(h));
      std::sort(base.http.begin(), base.http.end());
      base.http.erase(std::unique(base.http.begin(), base.http.end()), base.http.end());
    }
    if (pr.ports.empty()) {
      add_ports(ast::PortProtocol{0, 0, ast::Proto::Any, pr.loc}, base, out);
    } else {
      for (const auto &pp : pr.ports) add_ports(pp, base, out);
    }
  }
  for (const auto &icmp : e.icmps) {
    L4Match m;
    m.l4.kind = L4::Kind::IcmpType;
    m.l4.proto = icmp.family == Family::V6 ? ast::Proto::ICMPv6 : ast::Proto::ICMP;
    m.l4.icmp_type = icmp.type;
    m.l4.port_lo = m.l4.port_hi = 0;
    m.loc = icmp.loc;
    out.push_back(std::move(m));
  }
  return out;
}

void lower_section(const ast::Rule &rule, const Selector &subject,
                   const std::vector<ast::RuleElement> &elements, Direction dir, Verdict verdict,
                   Policy &out) {
  for (const auto &e : elements) {
    std::vector<Peer> peers = element_peers(e, rule);
    if (peers.empty()) continue;
    std::vector<L4Match> l4s = element_l4(e);
    for (const Peer &peer : peers) {
      for (const L4Match &m : l4s) {
        Rule r;
        r.subject = subject;
        r.direction = dir;
        r.verdict = verdict;
        r.peer = peer;
        r.l4 = m.l4;
        r.has_http = m.has_http;
        r.http = m.http;
        r.origins.push_back(m.loc.valid() ? m.loc : e.loc);
        out.rules.push_back(std::move(r));
      }
    }
  }
}

}  // namespace

void canonicalize(Policy &policy) {
  // In place: a 100,000-rule policy has 200,000 IR rules, and a second
  // vector (or stable_sort's buffer) would double the peak memory. Rules of
  // equal meaning merge, so their order only shows in `origins`, which are
  // sorted afterwards to keep the result deterministic.
  auto &rules = policy.rules;
  std::sort(rules.begin(), rules.end(), [](const Rule &a, const Rule &b) { return a.less_meaning(b); });
  size_t kept = 0;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (kept > 0 && rules[kept - 1].same_meaning(rules[i])) {
      auto &o = rules[kept - 1].origins;
      o.insert(o.end(), rules[i].origins.begin(), rules[i].origins.end());
      continue;
    }
    if (kept != i) rules[kept] = std::move(rules[i]);
    ++kept;
  }
  rules.erase(rules.begin() + static_cast<std::ptrdiff_t>(kept), rules.end());
  auto by_place = [](const SourceLoc &a, const SourceLoc &b) {
    return std::tie(a.file, a.line, a.col) < std::tie(b.file, b.line, b.col);
  };
  for (Rule &r : rules)
    if (r.origins.size() > 1) std::sort(r.origins.begin(), r.origins.end(), by_place);
  auto &en = policy.enforcements;
  std::sort(en.begin(), en.end());
  en.erase(std::unique(en.begin(), en.end()), en.end());
}

Policy lower(const ast::PolicySet &policies, DiagnosticEngine &diags) {
  Policy out;
  for (const ast::Rule &rule : policies.rules) {
    Selector subject = lower_selector(rule.subject, rule, true);
    if (rule.enforce_ingress) out.enforcements.push_back(Enforcement{subject, Direction::Ingress});
    if (rule.enforce_egress) out.enforcements.push_back(Enforcement{subject, Direction::Egress});
    // A direction the rule does not enforce has no effect (Kubernetes:
    // ingress rules of a policy whose policyTypes lack Ingress are ignored).
    if (rule.enforce_ingress) {
      lower_section(rule, subject, rule.ingress, Direction::Ingress, Verdict::Allow, out);
      lower_section(rule, subject, rule.ingress_deny, Direction::Ingress, Verdict::Deny, out);
    }
    if (rule.enforce_egress) {
      lower_section(rule, subject, rule.egress, Direction::Egress, Verdict::Allow, out);
      lower_section(rule, subject, rule.egress_deny, Direction::Egress, Verdict::Deny, out);
    }
  }
  canonicalize(out);
  return out;
}

}  // namespace polc::ir
