#include "frontend/k8s_reader.h"

#include <fmt/format.h>

#include "frontend/doc_reader.h"
#include "frontend/selector_reader.h"
#include "frontend/value_reader.h"

namespace polc::reader {

namespace {

constexpr std::string_view kSpecFields[] = {"podSelector", "ingress", "egress", "policyTypes"};
constexpr std::string_view kIngressFields[] = {"from", "ports"};
constexpr std::string_view kEgressFields[] = {"to", "ports"};
constexpr std::string_view kPeerFields[] = {"podSelector", "namespaceSelector", "ipBlock"};
constexpr std::string_view kIpBlockFields[] = {"cidr", "except"};
constexpr std::string_view kPortFields[] = {"protocol", "port", "endPort"};

constexpr std::string_view kNamespaceKey = "io.kubernetes.pod.namespace";
constexpr std::string_view kNamespaceLabelPrefix = "io.cilium.k8s.namespace.labels.";

void read_port(const DocNode &node, DiagnosticEngine &diags, std::vector<ast::PortProtocol> &out) {
  if (!expect_map(node, item_of("ports"), diags)) return;
  Fields f = check_fields(node, {kPortFields}, diags);
  ast::PortProtocol pp;
  pp.loc = node.loc;
  pp.proto = ast::Proto::TCP;  // Kubernetes' default
  bool ok = true;
  if (const DocNode *proto = f.get("protocol")) ok = read_protocol(*proto, false, diags, pp.proto) && ok;
  const DocNode *port = f.get("port");
  if (port) ok = reader::read_port_or_name(*port, quoted("port"), diags, pp) && ok;
  if (const DocNode *end = f.get("endPort")) {
    if (!port) {
      diags.error(f.key("endPort")->loc, "invalid-port-range", "\"endPort\" needs a \"port\" to start the range");
      ok = false;
    } else if (reader::read_port(*end, quoted("endPort"), diags, pp.end_port)) {
      if (ok && !pp.name.empty()) {
        diags.error(end->loc, "invalid-port-range",
                    fmt::format("\"endPort\" cannot follow the named port \"{}\": a range needs a numeric port", pp.name));
        ok = false;
      } else if (ok && pp.end_port < pp.port) {
        diags.error(end->loc, "invalid-port-range", fmt::format("endPort {} is below port {}", pp.end_port, pp.port));
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (ok) out.push_back(pp);
}

// One `from`/`to` entry into its own rule element.
void read_peer(const DocNode &node, std::string_view field, const std::string &ns, const ast::PortRule *ports,
               DiagnosticEngine &diags, std::vector<ast::RuleElement> &out) {
  if (!expect_map(node, item_of(field), diags)) return;
  size_t errors = diags.error_count();
  Fields f = check_fields(node, {kPeerFields}, diags);
  ast::RuleElement el;
  el.loc = node.loc;
  if (ports) el.to_ports.push_back(*ports);
  const DocNode *pods = f.get("podSelector");
  const DocNode *nss = f.get("namespaceSelector");
  const DocNode *block = f.get("ipBlock");
  if (block) {
    if (pods || nss) {
      diags.error(f.key("ipBlock")->loc, "invalid-rule",
                  "\"ipBlock\" cannot be combined with \"podSelector\" or \"namespaceSelector\" in one peer");
      return;
    }
    if (!expect_map(*block, quoted("ipBlock"), diags)) return;
    Fields b = check_fields(*block, {kIpBlockFields}, diags);
    const DocNode *cidr = b.get("cidr");
    if (!cidr) {
      diags.error(block->loc, "missing-field", "\"ipBlock\" has no \"cidr\"");
      return;
    }
    ast::CidrPeer peer;
    if (!read_cidr_peer(*cidr, b.get("except"), diags, peer)) return;
    el.peer_kind = ast::PeerKind::Cidrs;
    el.cidrs_match_endpoints = true;
    el.cidrs.push_back(std::move(peer));
  } else if (pods || nss) {
    ast::Selector sel;
    sel.loc = node.loc;
    if (pods) read_selector(*pods, quoted("podSelector"), diags, sel);
    sel.loc = node.loc;
    if (nss) {
      ast::Selector ns_sel;
      read_selector(*nss, quoted("namespaceSelector"), diags, ns_sel, kNamespaceLabelPrefix);
      if (ns_sel.requirements.empty())
        sel.requirements.push_back({std::string(kNamespaceKey), ast::SelectorOp::Exists, {}, nss->loc});
      for (auto &r : ns_sel.requirements) sel.requirements.push_back(std::move(r));
    } else {
      sel.requirements.push_back({std::string(kNamespaceKey), ast::SelectorOp::In, {ns}, pods->loc});
    }
    el.peer_kind = ast::PeerKind::Endpoints;
    el.endpoints.push_back(std::move(sel));
  } else {
    if (diags.error_count() == errors)
      diags.error(node.loc, "invalid-rule",
                  fmt::format("empty {} peer: give \"podSelector\", \"namespaceSelector\" or \"ipBlock\"", quoted(field).str()));
    return;
  }
  if (diags.error_count() == errors) out.push_back(std::move(el));
}

void read_section(const DocNode &list, bool ingress, const std::string &ns, DiagnosticEngine &diags,
                  std::vector<ast::RuleElement> &out) {
  std::string_view section = ingress ? "ingress" : "egress";
  std::string_view peers_field = ingress ? "from" : "to";
  if (!expect_seq(list, quoted(section), diags)) return;
  for (const DocNode &item : list.children()) {
    if (!expect_map(item, item_of(section), diags)) continue;
    Fields f = check_fields(item, {ingress ? std::span(kIngressFields) : std::span(kEgressFields)}, diags);
    std::optional<ast::PortRule> ports;
    if (const DocNode *p = f.get("ports"); p && expect_seq(*p, quoted("ports"), diags) && !p->children().empty()) {
      ports.emplace();
      ports->loc = p->loc;
      for (const DocNode &port : p->children()) read_port(port, diags, ports->ports);
    }
    const DocNode *peers = f.get(peers_field);
    if (peers && !expect_seq(*peers, quoted(peers_field), diags)) continue;
    if (!peers || peers->children().empty()) {
      // No `from`: every peer, as Kubernetes reads it.
      ast::RuleElement el;
      el.loc = item.loc;
      el.peer_kind = ast::PeerKind::Any;
      if (ports) el.to_ports.push_back(*ports);
      out.push_back(std::move(el));
      continue;
    }
    for (const DocNode &peer : peers->children())
      read_peer(peer, peers_field, ns, ports ? &*ports : nullptr, diags, out);
  }
}

}  // namespace

void read_network_policy_spec(const DocNode &spec, DiagnosticEngine &diags, ast::Rule &out) {
  out.loc = spec.loc;
  if (!expect_map(spec, quoted("spec"), diags)) return;
  Fields f = check_fields(spec, {kSpecFields}, diags);
  if (const DocNode *pods = f.get("podSelector")) {
    read_selector(*pods, quoted("podSelector"), diags, out.subject);
  } else if (!spec.find("podSelector")) {
    diags.error(spec.loc, "missing-field",
                "NetworkPolicy has no \"podSelector\"; write \"podSelector\": {} to select every pod of the namespace");
  }
  const DocNode *ingress = f.get("ingress");
  const DocNode *egress = f.get("egress");
  if (ingress) read_section(*ingress, true, out.namespace_, diags, out.ingress);
  if (egress) read_section(*egress, false, out.namespace_, diags, out.egress);

  if (const DocNode *types = f.get("policyTypes"); types && expect_seq(*types, quoted("policyTypes"), diags)) {
    for (const DocNode &t : types->children()) {
      if (!expect_scalar(t, item_of("policyTypes"), diags)) continue;
      if (t.text() == "Ingress") out.enforce_ingress = true;
      else if (t.text() == "Egress") out.enforce_egress = true;
      else {
        std::string hint = nearest(t.text(), {"Ingress", "Egress"});
        diags.error(t.loc, "invalid-rule",
                    hint.empty() ? fmt::format("unknown policy type \"{}\"; expected Ingress or Egress", t.text())
                                 : fmt::format("unknown policy type \"{}\"; did you mean \"{}\"?", t.text(), hint));
      }
    }
  } else {
    // Kubernetes' default: Ingress always, Egress when there are egress rules.
    out.enforce_ingress = true;
    out.enforce_egress = egress && egress->is_seq() && !egress->children().empty();
  }
}

}  // namespace polc::reader
