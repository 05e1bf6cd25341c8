#include "ir/pol_writer.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "frontend/dsl_writer.h"

namespace polc::ir {

namespace {

ast::Selector to_ast(const Selector &s) {
  ast::Selector out;
  for (const Requirement &r : s.requirements) out.requirements.push_back(ast::Requirement{r.key, r.op, r.values, {}});
  return out;
}

ast::HttpRule to_ast(const HttpRule &h) {
  ast::HttpRule out;
  if (!h.method.empty()) out.method = h.method;
  if (!h.path.empty()) out.path = h.path;
  if (!h.host.empty()) out.host = h.host;
  for (const HeaderMatch &m : h.headers) {
    ast::HeaderMatch hm;
    hm.name = m.name;
    if (m.has_value) hm.value = m.value;
    out.headers.push_back(std::move(hm));
  }
  return out;
}

// What one statement says besides its peers: rules sharing this merge
// their peers into one statement.
struct Effect {
  Direction direction;
  Verdict verdict;
  L4::Kind l4_kind;
  std::vector<L4> l4s;  // sorted
  bool has_http;
  std::vector<HttpRule> http;
  auto operator<=>(const Effect &) const = default;
};

// How peers of one statement are spelled; peers of one class share a statement.
enum class PeerClass { Any, Endpoints, Cidrs, IpBlocks, Entities };

std::string reserved_entity(const Peer &p) {
  if (p.kind != Peer::Kind::Selector || p.selector.requirements.size() != 1) return "";
  const Requirement &r = p.selector.requirements[0];
  if (r.op != ast::SelectorOp::Exists || r.key.rfind("reserved:", 0) != 0) return "";
  return r.key.substr(9);
}

bool is_catch_all(const Peer &p, Family f) {
  return p.kind == Peer::Kind::Cidr && !p.cidr_matches_endpoints && p.except.empty() && p.cidr.len == 0 &&
         p.cidr.family() == f;
}

void add_port_items(const std::vector<L4> &l4s, ast::PortRule &out) {
  // (name, lo, hi) -> protocols present, to fold TCP+UDP+SCTP into ANY.
  std::map<std::tuple<std::string, uint16_t, uint16_t>, std::vector<ast::Proto>> ranges;
  for (const L4 &l : l4s) ranges[{l.port_name, l.port_lo, l.port_hi}].push_back(l.proto);
  for (auto &[range, protos] : ranges) {
    auto make = [&](ast::Proto p) {
      const auto &[name, lo, hi] = range;
      ast::PortProtocol pp;
      pp.proto = p;
      pp.name = name;
      bool every = name.empty() && lo == 0 && hi == 65535;
      pp.port = every ? 0 : lo;
      pp.end_port = every || hi == lo ? 0 : hi;
      out.ports.push_back(pp);
    };
    bool tcp = false, udp = false, sctp = false;
    for (ast::Proto p : protos) tcp |= p == ast::Proto::TCP, udp |= p == ast::Proto::UDP, sctp |= p == ast::Proto::SCTP;
    if (tcp && udp && sctp) make(ast::Proto::Any);
    else
      for (ast::Proto p : protos) make(p);
  }
}

ast::RuleElement element_for(const Effect &effect, PeerClass cls, const std::vector<const Peer *> &peers,
                             const std::vector<std::string> &entities) {
  ast::RuleElement e;
  switch (cls) {
    case PeerClass::Any: e.peer_kind = ast::PeerKind::Any; break;
    case PeerClass::Endpoints:
      e.peer_kind = ast::PeerKind::Endpoints;
      for (const Peer *p : peers) e.endpoints.push_back(to_ast(p->selector));
      break;
    case PeerClass::Cidrs:
    case PeerClass::IpBlocks:
      e.peer_kind = ast::PeerKind::Cidrs;
      e.cidrs_match_endpoints = cls == PeerClass::IpBlocks;
      for (const Peer *p : peers) e.cidrs.push_back(ast::CidrPeer{p->cidr, p->except, {}, {}});
      break;
    case PeerClass::Entities:
      e.peer_kind = ast::PeerKind::Entities;
      for (const auto &name : entities) e.entities.push_back(ast::Entity{name, {}});
      break;
  }
  if (effect.l4_kind == L4::Kind::Ports || effect.l4_kind == L4::Kind::NamedPort) {
    ast::PortRule pr;
    add_port_items(effect.l4s, pr);
    if (effect.has_http) {
      pr.http.emplace();
      for (const HttpRule &h : effect.http) pr.http->push_back(to_ast(h));
    }
    e.to_ports.push_back(std::move(pr));
  } else if (effect.l4_kind == L4::Kind::IcmpType) {
    for (const L4 &l : effect.l4s)
      e.icmps.push_back(ast::IcmpField{l.proto == ast::Proto::ICMPv6 ? Family::V6 : Family::V4, l.icmp_type, {}});
  }
  return e;
}

// The statements of one subject.
void add_statements(const std::vector<const Rule *> &rules, ast::Rule &out) {
  // Rules with the same peer and effect apart from L4 share one statement.
  std::map<std::tuple<Direction, Verdict, Peer, L4::Kind, bool, std::vector<HttpRule>>, std::vector<L4>> by_peer;
  std::vector<decltype(by_peer)::key_type> order;
  for (const Rule *r : rules) {
    auto key = std::make_tuple(r->direction, r->verdict, r->peer, r->l4.kind, r->has_http, r->http);
    auto [it, fresh] = by_peer.try_emplace(key);
    if (fresh) order.push_back(key);
    it->second.push_back(r->l4);
  }
  // Then statements with the same effect merge their peers.
  struct Group {
    std::vector<const Peer *> peers;
    std::vector<std::string> entities;
  };
  std::map<std::pair<Effect, PeerClass>, Group> groups;
  std::vector<std::pair<Effect, PeerClass>> group_order;
  auto group = [&](const Effect &effect, PeerClass cls) -> Group & {
    auto [it, fresh] = groups.try_emplace({effect, cls});
    if (fresh) group_order.emplace_back(effect, cls);
    return it->second;
  };
  for (const auto &key : order) {
    auto &[dir, verdict, peer, kind, has_http, http] = key;
    std::vector<L4> l4s = by_peer[key];
    std::sort(l4s.begin(), l4s.end());
    Effect effect{dir, verdict, kind, l4s, has_http, http};
    if (peer.kind == Peer::Kind::Any) {
      group(effect, PeerClass::Any).peers.push_back(&peer);
    } else if (peer.kind == Peer::Kind::Cluster) {
      group(effect, PeerClass::Entities).entities.push_back("cluster");
    } else if (std::string entity = reserved_entity(peer); !entity.empty()) {
      group(effect, PeerClass::Entities).entities.push_back(entity);
    } else if (peer.kind == Peer::Kind::Selector) {
      group(effect, PeerClass::Endpoints).peers.push_back(&peer);
    } else {
      group(effect, peer.cidr_matches_endpoints ? PeerClass::IpBlocks : PeerClass::Cidrs).peers.push_back(&peer);
    }
  }
  // 0.0.0.0/0 and ::/0 in one statement are the entity world.
  for (size_t i = 0, n = group_order.size(); i < n; ++i) {
    auto [effect, cls] = group_order[i];
    if (cls != PeerClass::Cidrs) continue;
    Group &g = groups[{effect, cls}];
    auto has = [&](Family f) {
      return std::any_of(g.peers.begin(), g.peers.end(), [&](const Peer *p) { return is_catch_all(*p, f); });
    };
    if (!has(Family::V4) || !has(Family::V6)) continue;
    std::erase_if(g.peers, [](const Peer *p) { return is_catch_all(*p, Family::V4) || is_catch_all(*p, Family::V6); });
    auto &entities = group(effect, PeerClass::Entities).entities;
    entities.insert(entities.begin(), "world");
  }
  for (const auto &[effect, cls] : group_order) {
    const Group &g = groups[{effect, cls}];
    if (g.peers.empty() && g.entities.empty()) continue;
    auto &section = effect.direction == Direction::Ingress
                        ? (effect.verdict == Verdict::Allow ? out.ingress : out.ingress_deny)
                        : (effect.verdict == Verdict::Allow ? out.egress : out.egress_deny);
    section.push_back(element_for(effect, cls, g.peers, g.entities));
  }
}

}  // namespace

ast::PolicySet policy_to_dsl_ast(const Policy &policy) {
  std::map<Selector, std::vector<const Rule *>> by_subject;
  for (const Rule &r : policy.rules) by_subject[r.subject].push_back(&r);
  std::map<Selector, std::pair<bool, bool>> enforced;  // ingress, egress
  for (const Enforcement &e : policy.enforcements) {
    auto &flags = enforced[e.subject];
    (e.direction == Direction::Ingress ? flags.first : flags.second) = true;
    by_subject.try_emplace(e.subject);
  }
  ast::PolicySet out;
  for (const auto &[subject, rules] : by_subject) {
    ast::Rule rule;
    rule.origin = ast::Origin::Dsl;
    rule.subject = to_ast(subject);
    auto flags = enforced[subject];
    rule.enforce_ingress = flags.first;
    rule.enforce_egress = flags.second;
    add_statements(rules, rule);
    if (!rule.ingress.empty() || !rule.ingress_deny.empty()) rule.enforce_ingress = true;
    if (!rule.egress.empty() || !rule.egress_deny.empty()) rule.enforce_egress = true;
    out.rules.push_back(std::move(rule));
  }
  return out;
}

std::string to_pol(const Policy &policy) { return write_dsl(policy_to_dsl_ast(policy)); }

}  // namespace polc::ir
