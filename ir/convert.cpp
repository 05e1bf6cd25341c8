#include "ir/convert.h"

#include <set>

#include <yaml-cpp/yaml.h>

#include "ir/lower.h"

namespace polc::ir {

using json = nlohmann::ordered_json;

namespace {

json selector_json(const Selector &s) {
  json match_labels = json::object();
  json exprs = json::array();
  for (const Requirement &r : s.requirements) {
    if (r.op == ast::SelectorOp::In && r.values.size() == 1 && !match_labels.contains(r.key)) {
      match_labels[r.key] = r.values[0];
      continue;
    }
    json e = {{"key", r.key}, {"operator", selector_op_name(r.op)}};
    if (!r.values.empty()) e["values"] = r.values;
    exprs.push_back(std::move(e));
  }
  json out = json::object();
  if (!match_labels.empty()) out["matchLabels"] = std::move(match_labels);
  if (!exprs.empty()) out["matchExpressions"] = std::move(exprs);
  return out;
}

const char *section_name(Direction d, Verdict v) {
  if (d == Direction::Ingress) return v == Verdict::Allow ? "ingress" : "ingressDeny";
  return v == Verdict::Allow ? "egress" : "egressDeny";
}

json element_json(const Rule &r, std::vector<std::string> *lossy) {
  bool in = r.direction == Direction::Ingress;
  json e = json::object();
  switch (r.peer.kind) {
    case Peer::Kind::Any:
      if (r.l4.kind == L4::Kind::All) e[in ? "fromEntities" : "toEntities"] = json::array({"all"});
      break;
    case Peer::Kind::Cluster:
      e[in ? "fromEntities" : "toEntities"] = json::array({"cluster"});
      break;
    case Peer::Kind::Selector:
      e[in ? "fromEndpoints" : "toEndpoints"] = json::array({selector_json(r.peer.selector)});
      break;
    case Peer::Kind::Cidr: {
      json set = {{"cidr", r.peer.cidr.str()}};
      if (!r.peer.except.empty()) {
        json ex = json::array();
        for (const Prefix &p : r.peer.except) ex.push_back(p.str());
        set["except"] = std::move(ex);
      }
      e[in ? "fromCIDRSet" : "toCIDRSet"] = json::array({std::move(set)});
      if (r.peer.cidr_matches_endpoints && lossy)
        lossy->push_back("ipBlock " + r.peer.cidr.str() + " also matches endpoints' addresses; Cilium would not " +
                         "match them (polc keeps the meaning through the label " + kCidrMatchesEndpointsLabel + ")");
      break;
    }
  }
  switch (r.l4.kind) {
    case L4::Kind::All: break;
    case L4::Kind::Ports: {
      json port = {{"port", std::to_string(r.l4.port_lo == 0 && r.l4.port_hi == 65535 ? 0 : r.l4.port_lo)}};
      if (r.l4.port_hi != r.l4.port_lo && !(r.l4.port_lo == 0 && r.l4.port_hi == 65535))
        port["endPort"] = r.l4.port_hi;
      port["protocol"] = proto_name(r.l4.proto);
      json pr = {{"ports", json::array({std::move(port)})}};
      if (r.has_http) {
        json http = json::array();
        for (const HttpRule &h : r.http) {
          json hj = json::object();
          if (!h.method.empty()) hj["method"] = h.method;
          if (!h.path.empty()) hj["path"] = h.path;
          if (!h.host.empty()) hj["host"] = h.host;
          if (!h.headers.empty()) {
            json hs = json::array();
            for (const HeaderMatch &m : h.headers) hs.push_back(m.has_value ? m.name + ": " + m.value : m.name);
            hj["headers"] = std::move(hs);
          }
          http.push_back(std::move(hj));
        }
        pr["rules"] = {{"http", std::move(http)}};
      }
      e["toPorts"] = json::array({std::move(pr)});
      break;
    }
    case L4::Kind::IcmpType:
      e["icmps"] = json::array({{{"fields", json::array({{{"type", r.l4.icmp_type},
                                                           {"family", r.l4.proto == ast::Proto::ICMPv6 ? "IPv6" : "IPv4"}}})}}});
      break;
  }
  return e;
}

void emit_yaml(YAML::Emitter &out, const json &j) {
  if (j.is_object()) {
    out << YAML::BeginMap;
    for (const auto &[k, v] : j.items()) {
      out << YAML::Key << k << YAML::Value;
      emit_yaml(out, v);
    }
    out << YAML::EndMap;
  } else if (j.is_array()) {
    out << YAML::BeginSeq;
    for (const auto &v : j) emit_yaml(out, v);
    out << YAML::EndSeq;
  } else if (j.is_string()) {
    out << YAML::DoubleQuoted << j.get<std::string>();
  } else {
    out << j.dump();
  }
}

}  // namespace

json policy_to_cilium_rules(const Policy &policy, std::vector<std::string> *lossy) {
  json rules = json::array();
  std::set<std::pair<Selector, Direction>> carried;
  for (const Rule &r : policy.rules) {
    carried.emplace(r.subject, r.direction);
    json rule = {{"endpointSelector", selector_json(r.subject)}};
    rule[section_name(r.direction, r.verdict)] = json::array({element_json(r, lossy)});
    if (r.peer.kind == Peer::Kind::Cidr && r.peer.cidr_matches_endpoints)
      rule["labels"] = json::array({{{"key", kCidrMatchesEndpointsLabel}, {"value", "true"}, {"source", "polc"}}});
    rules.push_back(std::move(rule));
  }
  for (const Enforcement &e : policy.enforcements) {
    if (carried.count({e.subject, e.direction})) continue;
    json rule = {{"endpointSelector", selector_json(e.subject)}};
    rule[e.direction == Direction::Ingress ? "ingress" : "egress"] = json::array({json::object()});
    rules.push_back(std::move(rule));
  }
  return rules;
}

std::string to_rule_json(const Policy &policy, std::vector<std::string> *lossy) {
  return policy_to_cilium_rules(policy, lossy).dump(2) + "\n";
}

std::string to_cilium_yaml(const Policy &policy, std::vector<std::string> *lossy) {
  json doc = {{"apiVersion", "cilium.io/v2"},
              {"kind", "CiliumClusterwideNetworkPolicy"},
              {"metadata", {{"name", "polc-converted"}}},
              {"specs", policy_to_cilium_rules(policy, lossy)}};
  YAML::Emitter out;
  emit_yaml(out, doc);
  return std::string(out.c_str()) + "\n";
}

}  // namespace polc::ir
