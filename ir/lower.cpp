#include "ir/lower.h"

#include <algorithm>
#include <compare>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "ir/selector_ranks.h"

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
  bool add_namespace =
      fold_namespace && is_namespaced(rule.origin) && !names_key(s, kNamespaceLabel) && !names_reserved(s);
  Selector out;
  out.requirements.reserve(s.requirements.size() + add_namespace);
  for (const auto &r : s.requirements) out.requirements.push_back(lower_requirement(r));
  if (add_namespace) out.requirements.push_back(Requirement{kNamespaceLabel, ast::SelectorOp::In, {rule.namespace_}});
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

void element_peers(const ast::RuleElement &e, const ast::Rule &rule, std::vector<Peer> &peers) {
  peers.clear();
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
        p.selector = lower_peer_selector(s, rule);
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

// The protocols one port entry stands for: ANY is TCP, UDP and SCTP.
constexpr ast::Proto kPortProtos[] = {ast::Proto::TCP, ast::Proto::UDP, ast::Proto::SCTP};
bool covers(ast::Proto given, ast::Proto proto) { return given == ast::Proto::Any || given == proto; }
size_t protocol_count(ast::Proto given) {
  return std::count_if(std::begin(kPortProtos), std::end(kPortProtos), [&](ast::Proto p) { return covers(given, p); });
}

// One match per protocol of `pp`, made from `proto_template`, which the
// last one takes when `last_use`.
void add_ports(const ast::PortProtocol &pp, L4Match &proto_template, bool last_use, std::vector<L4Match> &out) {
  uint16_t lo = pp.port, hi = pp.end_port ? pp.end_port : pp.port;
  if (pp.port == 0) lo = 0, hi = 65535;
  size_t left = protocol_count(pp.proto);
  for (ast::Proto proto : kPortProtos) {
    if (!covers(pp.proto, proto)) continue;
    L4Match m = last_use && --left == 0 ? std::move(proto_template) : proto_template;
    m.l4.proto = proto;
    if (!pp.name.empty()) {
      m.l4.kind = L4::Kind::NamedPort;
      m.l4.port_name = pp.name;
      m.l4.port_lo = m.l4.port_hi = 0;
    } else {
      m.l4.kind = L4::Kind::Ports;
      m.l4.port_lo = lo;
      m.l4.port_hi = hi;
    }
    m.loc = pp.loc.valid() ? pp.loc : m.loc;
    out.push_back(std::move(m));
  }
}

void element_l4(const ast::RuleElement &e, std::vector<L4Match> &out) {
  out.clear();
  if (e.to_ports.empty() && e.icmps.empty()) {
    out.push_back(L4Match{L4{}, false, {}, e.loc});
    return;
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
      add_ports(ast::PortProtocol{0, 0, ast::Proto::Any, pr.loc}, base, true, out);
    } else {
      for (size_t i = 0; i < pr.ports.size(); ++i) add_ports(pr.ports[i], base, i + 1 == pr.ports.size(), out);
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
}

// How many IR rules lower_section makes of an element, before
// canonicalize merges any: lower() reserves them all at once, since growing
// a vector of 200,000 rules by doubling holds the old and the new buffer
// together at the peak. Must follow element_peers and element_l4.
size_t peer_count(const ast::RuleElement &e) {
  switch (e.peer_kind) {
    case ast::PeerKind::None: return 0;
    case ast::PeerKind::Any: return 1;
    case ast::PeerKind::Endpoints: return e.endpoints.size();
    case ast::PeerKind::Cidrs: return e.cidrs.size();
    case ast::PeerKind::Entities: {
      size_t n = 0;
      for (const auto &en : e.entities) {
        bool world = en.name.rfind("world", 0) == 0;
        n += en.name == "world" ? 2 : en.name == "world-ipv4" || en.name == "world-ipv6" || !world ? 1 : 0;
      }
      return n;
    }
  }
  return 0;
}

size_t l4_count(const ast::RuleElement &e) {
  if (e.to_ports.empty() && e.icmps.empty()) return 1;
  size_t n = e.icmps.size();
  for (const auto &pr : e.to_ports) {
    if (pr.ports.empty()) n += std::size(kPortProtos);
    for (const auto &pp : pr.ports) n += protocol_count(pp.proto);
  }
  return n;
}

size_t rule_count(const ast::PolicySet &policies) {
  size_t n = 0;
  auto add = [&](const std::vector<ast::RuleElement> &elements) {
    for (const auto &e : elements) n += peer_count(e) * l4_count(e);
  };
  for (const ast::Rule &rule : policies.rules) {
    if (rule.enforce_ingress) add(rule.ingress), add(rule.ingress_deny);
    if (rule.enforce_egress) add(rule.egress), add(rule.egress_deny);
  }
  return n;
}

// The peers and layer-4 matches of one element, kept from one element to
// the next so that their vectors are allocated once, not per element.
struct Scratch {
  std::vector<Peer> peers;
  std::vector<L4Match> l4s;
};

void lower_section(const ast::Rule &rule, const Selector &subject,
                   const std::vector<ast::RuleElement> &elements, Direction dir, Verdict verdict,
                   Scratch &scratch, Policy &out) {
  std::vector<Peer> &peers = scratch.peers;
  std::vector<L4Match> &l4s = scratch.l4s;
  for (const auto &e : elements) {
    element_peers(e, rule, peers);
    if (peers.empty()) continue;
    element_l4(e, l4s);
    // Every (peer, layer-4 match) pair is a rule; each peer and match is
    // moved into the last rule that uses it rather than copied.
    for (size_t p = 0; p < peers.size(); ++p) {
      for (size_t m = 0; m < l4s.size(); ++m) {
        Rule &r = out.rules.emplace_back();
        r.subject = subject;
        r.direction = dir;
        r.verdict = verdict;
        r.peer = m + 1 == l4s.size() ? std::move(peers[p]) : peers[p];
        r.l4 = l4s[m].l4;
        r.has_http = l4s[m].has_http;
        r.http = p + 1 == peers.size() ? std::move(l4s[m].http) : l4s[m].http;
        r.origins.push_back(l4s[m].loc.valid() ? l4s[m].loc : e.loc);
      }
    }
  }
}

// What a rule sorts by, in the order of Rule::less_meaning: the selectors
// as ranks and the small fields inline; the rest is compared on the rule
// itself, which only happens between rules equal so far.
struct RuleKey {
  uint32_t subject;
  Direction direction;
  Verdict verdict;
  Peer::Kind peer_kind;
  uint32_t peer_selector;
  uint32_t index;  // into the rules
};

std::strong_ordering compare(const RuleKey &a, const RuleKey &b, const std::vector<Rule> &rules) {
  auto head = [](const RuleKey &k) { return std::tie(k.subject, k.direction, k.verdict, k.peer_kind, k.peer_selector); };
  if (auto c = head(a) <=> head(b); c != 0) return c;
  auto rest = [](const Rule &r) {
    return std::tie(r.peer.cidr, r.peer.except, r.peer.cidr_matches_endpoints, r.l4, r.has_http, r.http);
  };
  return rest(rules[a.index]) <=> rest(rules[b.index]);
}

struct EnforcementKey {
  uint32_t subject;
  Direction direction;
  uint32_t index;  // into the enforcements
  auto head() const { return std::tie(subject, direction); }
};

// Consecutive rules mostly share their subject (the rules lowered from one
// policy rule): comparing with the previous one is cheaper than encoding.
class LastSelector {
 public:
  uint32_t id(const Selector &s, SelectorRanks &ranks) {
    if (!last_ || !(*last_ == s)) last_id_ = ranks.id(s), last_ = &s;
    return last_id_;
  }

 private:
  const Selector *last_ = nullptr;
  uint32_t last_id_ = 0;
};

// Puts items[order[i]] at i, in place: one move per item, following the
// permutation's cycles (a second vector of rules would double the peak).
template <typename T>
void permute(std::vector<T> &items, std::vector<uint32_t> &order) {
  for (uint32_t i = 0; i < order.size(); ++i) {
    if (order[i] == i) continue;
    T first = std::move(items[i]);
    uint32_t j = i;
    for (;;) {
      uint32_t from = order[j];
      order[j] = j;  // placed
      if (from == i) {
        items[j] = std::move(first);
        break;
      }
      items[j] = std::move(items[from]);
      j = from;
    }
  }
}

// Sorts the rules by meaning and merges equal ones (their origins add up).
void sort_rules(std::vector<Rule> &rules, std::vector<RuleKey> &keys, const SelectorRanks &ranks) {
  for (RuleKey &k : keys) {
    k.subject = ranks.rank_of(k.subject);
    k.peer_selector = ranks.rank_of(k.peer_selector);
  }
  std::sort(keys.begin(), keys.end(), [&](const RuleKey &a, const RuleKey &b) { return compare(a, b, rules) < 0; });
  std::vector<bool> same(keys.size());  // same[i]: rule i of the new order means what rule i - 1 means
  std::vector<uint32_t> order(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    same[i] = i > 0 && compare(keys[i - 1], keys[i], rules) == 0;
    order[i] = keys[i].index;
  }
  keys = {};
  permute(rules, order);
  size_t kept = 0;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (same[i]) {
      auto &o = rules[kept - 1].origins;
      o.insert(o.end(), rules[i].origins.begin(), rules[i].origins.end());
      continue;
    }
    if (kept != i) rules[kept] = std::move(rules[i]);
    ++kept;
  }
  rules.erase(rules.begin() + static_cast<std::ptrdiff_t>(kept), rules.end());
}

// Enforcements are few beside rules (one per rule and direction at most),
// so they move into a new vector.
void sort_enforcements(std::vector<Enforcement> &en, std::vector<EnforcementKey> &keys, const SelectorRanks &ranks) {
  for (EnforcementKey &k : keys) k.subject = ranks.rank_of(k.subject);
  std::sort(keys.begin(), keys.end(), [](const EnforcementKey &a, const EnforcementKey &b) { return a.head() < b.head(); });
  std::vector<Enforcement> sorted;
  sorted.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i)
    if (i == 0 || keys[i - 1].head() != keys[i].head()) sorted.push_back(std::move(en[keys[i].index]));
  en = std::move(sorted);
}

}  // namespace

void canonicalize(Policy &policy) {
  // In place: a 100,000-rule policy has 200,000 IR rules, and a second
  // vector (or stable_sort's buffer) would double the peak memory. Rules of
  // equal meaning merge, so their order only shows in `origins`, which are
  // sorted afterwards to keep the result deterministic.
  auto &rules = policy.rules;
  auto &en = policy.enforcements;
  // Every selector gets its id first (the rules must not move until the
  // ranking is done), then one ranking serves rules and enforcements.
  SelectorRanks ranks;
  std::vector<RuleKey> rule_keys(rules.size());
  LastSelector subjects;
  for (uint32_t i = 0; i < rules.size(); ++i) {
    const Rule &r = rules[i];
    rule_keys[i] = RuleKey{subjects.id(r.subject, ranks), r.direction, r.verdict, r.peer.kind,
                           ranks.id(r.peer.selector), i};
  }
  std::vector<EnforcementKey> en_keys(en.size());
  for (uint32_t i = 0; i < en.size(); ++i) en_keys[i] = EnforcementKey{subjects.id(en[i].subject, ranks), en[i].direction, i};
  ranks.rank();
  sort_rules(rules, rule_keys, ranks);
  sort_enforcements(en, en_keys, ranks);
  auto by_place = [](const SourceLoc &a, const SourceLoc &b) {
    return std::tie(a.file, a.line, a.col) < std::tie(b.file, b.line, b.col);
  };
  for (Rule &r : rules)
    if (r.origins.size() > 1) std::sort(r.origins.begin(), r.origins.end(), by_place);
}

namespace {

// The first place of every HTTP pattern and header value, in source order.
std::vector<PatternPlace> collect_pattern_places(const ast::PolicySet &policies) {
  std::vector<PatternPlace> out;
  std::set<std::pair<std::string_view, std::string_view>> seen;
  auto add = [&](std::string_view field, const std::optional<std::string> &text, SourceLoc loc) {
    if (!text || text->empty() || !seen.emplace(field, *text).second) return;
    out.push_back(PatternPlace{std::string(field), *text, loc});
  };
  for (const ast::Rule &rule : policies.rules)
    for (const auto *section : {&rule.ingress, &rule.egress})
      for (const ast::RuleElement &e : *section)
        for (const ast::PortRule &pr : e.to_ports) {
          if (!pr.http) continue;
          for (const ast::HttpRule &h : *pr.http) {
            add("method", h.method, h.method_loc);
            add("path", h.path, h.path_loc);
            add("host", h.host, h.host_loc);
            for (const ast::HeaderMatch &m : h.headers) add("header value", m.value, m.loc);
          }
        }
  return out;
}

}  // namespace

Selector lower_subject_selector(const ast::Selector &s, const ast::Rule &rule) { return lower_selector(s, rule, true); }

Selector lower_peer_selector(const ast::Selector &s, const ast::Rule &rule) {
  // Kubernetes peers carry their namespace requirements from the reader.
  return lower_selector(s, rule, rule.origin != ast::Origin::KubernetesNetworkPolicy);
}

Policy lower(const ast::PolicySet &policies, DiagnosticEngine &diags) {
  Policy out;
  out.rules.reserve(rule_count(policies));
  out.enforcements.reserve(std::accumulate(policies.rules.begin(), policies.rules.end(), size_t{0},
                                           [](size_t n, const ast::Rule &r) { return n + r.enforce_ingress + r.enforce_egress; }));
  Scratch scratch;
  for (const ast::Rule &rule : policies.rules) {
    Selector subject = lower_subject_selector(rule.subject, rule);
    // A direction the rule does not enforce has no effect (Kubernetes:
    // ingress rules of a policy whose policyTypes lack Ingress are ignored).
    if (rule.enforce_ingress) {
      lower_section(rule, subject, rule.ingress, Direction::Ingress, Verdict::Allow, scratch, out);
      lower_section(rule, subject, rule.ingress_deny, Direction::Ingress, Verdict::Deny, scratch, out);
    }
    if (rule.enforce_egress) {
      lower_section(rule, subject, rule.egress, Direction::Egress, Verdict::Allow, scratch, out);
      lower_section(rule, subject, rule.egress_deny, Direction::Egress, Verdict::Deny, scratch, out);
    }
    // Last, so that the last enforcement takes the subject (the order is
    // canonicalize's business).
    if (rule.enforce_ingress)
      out.enforcements.push_back(Enforcement{rule.enforce_egress ? subject : std::move(subject), Direction::Ingress});
    if (rule.enforce_egress) out.enforcements.push_back(Enforcement{std::move(subject), Direction::Egress});
  }
  canonicalize(out);
  out.pattern_places = collect_pattern_places(policies);
  return out;
}

}  // namespace polc::ir
