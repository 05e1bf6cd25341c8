#include "ir/convert.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include <yaml-cpp/yaml.h>

#include "frontend/dsl_writer.h"
#include "ir/lower.h"
#include "ir/pol_writer.h"

namespace polc::ir {

using json = nlohmann::ordered_json;

namespace {

json selector_json(const ast::Selector &s) {
  json match_labels = json::object();
  json exprs = json::array();
  for (const ast::Requirement &r : s.requirements) {
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

json http_json(const ast::HttpRule &h) {
  json out = json::object();
  if (h.method) out["method"] = *h.method;
  if (h.path) out["path"] = *h.path;
  if (h.host) out["host"] = *h.host;
  if (!h.headers.empty()) {
    json headers = json::array();
    for (const ast::HeaderMatch &m : h.headers) headers.push_back(m.value ? m.name + ": " + *m.value : m.name);
    out["headers"] = std::move(headers);
  }
  return out;
}

json port_json(const ast::PortProtocol &pp) {
  json out = {{"port", pp.name.empty() ? std::to_string(pp.port) : pp.name}};
  if (pp.end_port != 0 && pp.end_port != pp.port) out["endPort"] = pp.end_port;
  out["protocol"] = pp.proto == ast::Proto::Any ? "ANY" : std::string(proto_name(pp.proto));
  return out;
}

json element_json(const ast::RuleElement &e, bool ingress) {
  json out = json::object();
  switch (e.peer_kind) {
    case ast::PeerKind::None:
    case ast::PeerKind::Any:
      // Ports alone allow every peer; with no ports either, the entity `all` does.
      if (e.peer_kind == ast::PeerKind::Any && e.to_ports.empty() && e.icmps.empty())
        out[ingress ? "fromEntities" : "toEntities"] = json::array({"all"});
      break;
    case ast::PeerKind::Endpoints: {
      json list = json::array();
      for (const ast::Selector &s : e.endpoints) list.push_back(selector_json(s));
      out[ingress ? "fromEndpoints" : "toEndpoints"] = std::move(list);
      break;
    }
    case ast::PeerKind::Cidrs: {
      json list = json::array();
      for (const ast::CidrPeer &c : e.cidrs) {
        json set = {{"cidr", c.cidr.str()}};
        if (!c.except.empty()) {
          json except = json::array();
          for (const Prefix &p : c.except) except.push_back(p.str());
          set["except"] = std::move(except);
        }
        list.push_back(std::move(set));
      }
      out[ingress ? "fromCIDRSet" : "toCIDRSet"] = std::move(list);
      break;
    }
    case ast::PeerKind::Entities: {
      json list = json::array();
      for (const ast::Entity &en : e.entities) list.push_back(en.name);
      out[ingress ? "fromEntities" : "toEntities"] = std::move(list);
      break;
    }
  }
  if (!e.to_ports.empty()) {
    json port_rules = json::array();
    for (const ast::PortRule &pr : e.to_ports) {
      json rule = json::object();
      if (!pr.ports.empty()) {
        json ports = json::array();
        for (const ast::PortProtocol &pp : pr.ports) ports.push_back(port_json(pp));
        rule["ports"] = std::move(ports);
      }
      if (pr.http && !pr.http->empty()) {
        json http = json::array();
        for (const ast::HttpRule &h : *pr.http) http.push_back(http_json(h));
        rule["rules"] = {{"http", std::move(http)}};
      }
      port_rules.push_back(std::move(rule));
    }
    out["toPorts"] = std::move(port_rules);
  }
  if (!e.icmps.empty()) {
    json fields = json::array();
    for (const ast::IcmpField &f : e.icmps)
      fields.push_back({{"type", f.type}, {"family", f.family == Family::V6 ? "IPv6" : "IPv4"}});
    out["icmps"] = json::array({{{"fields", std::move(fields)}}});
  }
  return out;
}

json section_json(const std::vector<ast::RuleElement> &elements, bool ingress, bool ipblocks) {
  json out = json::array();
  for (const ast::RuleElement &e : elements)
    if ((e.peer_kind == ast::PeerKind::Cidrs && e.cidrs_match_endpoints) == ipblocks) out.push_back(element_json(e, ingress));
  return out;
}

// One Cilium rule of `rule`'s elements: those from Kubernetes ipBlocks
// (`ipblocks`), which carry the label that keeps their meaning, or the
// others.
json rule_json(const ast::Rule &rule, bool ipblocks) {
  json out = {{"endpointSelector", selector_json(rule.subject)}};
  const std::pair<const char *, const std::vector<ast::RuleElement> *> sections[] = {
      {"ingress", &rule.ingress}, {"ingressDeny", &rule.ingress_deny},
      {"egress", &rule.egress}, {"egressDeny", &rule.egress_deny}};
  for (const auto &[name, elements] : sections) {
    json list = section_json(*elements, name[0] == 'i', ipblocks);
    if (!list.empty()) out[name] = std::move(list);
  }
  if (ipblocks) {
    out["labels"] = json::array({{{"key", kCidrMatchesEndpointsLabel}, {"value", "true"}, {"source", "polc"}}});
    return out;
  }
  // A direction enforced with nothing allowed: an empty element says so.
  if (rule.enforce_ingress && !out.contains("ingress") && !out.contains("ingressDeny"))
    out["ingress"] = json::array({json::object()});
  if (rule.enforce_egress && !out.contains("egress") && !out.contains("egressDeny"))
    out["egress"] = json::array({json::object()});
  return out;
}

bool has_ipblocks(const ast::Rule &rule) {
  for (const auto *section : {&rule.ingress, &rule.ingress_deny, &rule.egress, &rule.egress_deny})
    for (const ast::RuleElement &e : *section)
      if (e.peer_kind == ast::PeerKind::Cidrs && e.cidrs_match_endpoints) return true;
  return false;
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

// A Kubernetes object name (DNS-1123 subdomain) made of `text`: lowercase
// letters, digits, '-' and '.', starting and ending with a letter or digit.
std::string kubernetes_name(std::string_view text) {
  std::string out;
  for (char c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
    out += ok ? c : '-';
  }
  auto edge = [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); };
  while (!out.empty() && edge(out.back())) out.pop_back();
  size_t start = 0;
  while (start < out.size() && edge(out[start])) ++start;
  out = out.substr(start, 253);
  return out.empty() ? "policy" : out;
}

// The object's IR regrouped as DSL rules (one per subject).
ast::PolicySet regrouped(const SourceObject &object, DiagnosticEngine &diags) {
  return policy_to_dsl_ast(lower(object.policies, diags));
}

}  // namespace

std::vector<SourceObject> split_source_objects(const ast::PolicySet &read, const SourceManager &sources) {
  std::vector<SourceObject> out;
  uint32_t last_file = 0;
  std::string last_name;
  for (const ast::Rule &rule : read.rules) {
    if (out.empty() || rule.loc.file != last_file || rule.name != last_name) {
      std::string base = rule.name;
      if (base.empty() && rule.loc.valid())
        base = std::filesystem::path(std::string(sources.path(rule.loc.file))).stem().string();
      out.push_back(SourceObject{kubernetes_name(base), {}});
      last_file = rule.loc.file;
      last_name = rule.name;
    }
    out.back().policies.rules.push_back(rule);
  }
  // Unique names: a second "web" becomes "web-2".
  std::map<std::string, int> seen;
  for (SourceObject &o : out)
    if (int n = ++seen[o.name]; n > 1) o.name += "-" + std::to_string(n);
  return out;
}

json cilium_rules(const ast::PolicySet &policies, std::vector<std::string> *lossy) {
  json rules = json::array();
  for (const ast::Rule &rule : policies.rules) {
    rules.push_back(rule_json(rule, false));
    if (!has_ipblocks(rule)) continue;
    rules.push_back(rule_json(rule, true));
    if (lossy)
      lossy->push_back(std::string("Kubernetes ipBlocks also match endpoints' addresses; Cilium CIDR rules do not "
                                   "(polc keeps the meaning through the label ") +
                       kCidrMatchesEndpointsLabel + ")");
  }
  return rules;
}

std::string convert_objects(const std::vector<SourceObject> &objects, ConvertFormat format, DiagnosticEngine &diags,
                            std::vector<std::string> *lossy) {
  if (format == ConvertFormat::Dsl) {
    ast::PolicySet all;
    for (const SourceObject &o : objects) {
      ast::PolicySet part = regrouped(o, diags);
      for (size_t i = 0; i < part.rules.size(); ++i) {
        part.rules[i].name = i == 0 ? o.name : o.name + "-" + std::to_string(i + 1);
        all.rules.push_back(std::move(part.rules[i]));
      }
    }
    return write_dsl(all);
  }
  if (format == ConvertFormat::RuleJson) {
    json rules = json::array();
    for (const SourceObject &o : objects)
      for (json &r : cilium_rules(regrouped(o, diags), lossy)) rules.push_back(std::move(r));
    return rules.dump(2) + "\n";
  }
  std::string out;
  for (const SourceObject &o : objects) {
    json doc = {{"apiVersion", "cilium.io/v2"},
                {"kind", "CiliumClusterwideNetworkPolicy"},
                {"metadata", {{"name", o.name}}},
                {"specs", cilium_rules(regrouped(o, diags), lossy)}};
    YAML::Emitter emitter;
    emit_yaml(emitter, doc);
    if (!out.empty()) out += "---\n";
    out += std::string(emitter.c_str()) + "\n";
  }
  return out;
}

}  // namespace polc::ir
