#include "ir/ir_json.h"

namespace polc::ir {

using json = nlohmann::ordered_json;

json selector_to_json(const Selector &s) {
  json reqs = json::array();
  for (const Requirement &r : s.requirements) {
    json j = {{"key", r.key}, {"operator", selector_op_name(r.op)}};
    if (!r.values.empty()) j["values"] = r.values;
    reqs.push_back(std::move(j));
  }
  return reqs;
}

static json peer_to_json(const Peer &p) {
  switch (p.kind) {
    case Peer::Kind::Any: return {{"any", true}};
    case Peer::Kind::Cluster: return {{"cluster", true}};
    case Peer::Kind::Selector: return {{"selector", selector_to_json(p.selector)}};
    case Peer::Kind::Cidr: {
      json j = {{"cidr", p.cidr.str()}};
      if (!p.except.empty()) {
        json ex = json::array();
        for (const Prefix &e : p.except) ex.push_back(e.str());
        j["except"] = std::move(ex);
      }
      if (p.cidr_matches_endpoints) j["matches_endpoints"] = true;
      return j;
    }
  }
  return {};
}

static json l4_to_json(const L4 &l4) {
  switch (l4.kind) {
    case L4::Kind::All: return "all";
    case L4::Kind::Ports:
      return {{"protocol", proto_name(l4.proto)}, {"port", l4.port_lo}, {"end_port", l4.port_hi}};
    case L4::Kind::IcmpType: return {{"protocol", proto_name(l4.proto)}, {"icmp_type", l4.icmp_type}};
    case L4::Kind::NamedPort: return {{"protocol", proto_name(l4.proto)}, {"port_name", l4.port_name}};
  }
  return {};
}

static json http_to_json(const HttpRule &h) {
  json j = json::object();
  if (!h.method.empty()) j["method"] = h.method;
  if (!h.path.empty()) j["path"] = h.path;
  if (!h.host.empty()) j["host"] = h.host;
  if (!h.headers.empty()) {
    json hs = json::array();
    for (const HeaderMatch &m : h.headers) {
      json hj = {{"name", m.name}};
      if (m.has_value) hj["value"] = m.value;
      hs.push_back(std::move(hj));
    }
    j["headers"] = std::move(hs);
  }
  return j;
}

json rule_to_json(const Rule &r) {
  json j = {{"subject", selector_to_json(r.subject)},
            {"direction", direction_name(r.direction)},
            {"verdict", r.verdict == Verdict::Allow ? "allow" : "deny"},
            {"peer", peer_to_json(r.peer)},
            {"l4", l4_to_json(r.l4)}};
  if (r.has_http) {
    json hs = json::array();
    for (const HttpRule &h : r.http) hs.push_back(http_to_json(h));
    j["http"] = std::move(hs);
  }
  return j;
}

json policy_to_json(const Policy &policy) {
  json rules = json::array();
  for (const Rule &r : policy.rules) rules.push_back(rule_to_json(r));
  json enforcements = json::array();
  for (const Enforcement &e : policy.enforcements)
    enforcements.push_back({{"subject", selector_to_json(e.subject)}, {"direction", direction_name(e.direction)}});
  return {{"polc_ir_version", 1}, {"enforcements", std::move(enforcements)}, {"rules", std::move(rules)}};
}

std::string policy_to_json_text(const Policy &policy) { return policy_to_json(policy).dump(2) + "\n"; }

}  // namespace polc::ir
