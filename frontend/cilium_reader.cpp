#include "frontend/cilium_reader.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "frontend/cilium_ports_reader.h"
#include "frontend/doc_reader.h"
#include "frontend/selector_reader.h"
#include "frontend/value_reader.h"

namespace polc::reader {

namespace {

// The label of the host endpoint (ir::kHostLabel), which a nodeSelector adds.
constexpr const char *kHostLabelKey = "reserved:host";

constexpr std::string_view kRuleFields[] = {"endpointSelector", "nodeSelector", "ingress", "ingressDeny",
                                            "egress",           "egressDeny",   "labels",  "description"};
constexpr std::string_view kRuleUnsupported[] = {"enableDefaultDeny", "log"};

constexpr std::string_view kIngressFields[] = {"fromEndpoints", "fromCIDR", "fromCIDRSet", "fromEntities",
                                               "toPorts", "icmps"};
constexpr std::string_view kIngressUnsupported[] = {"fromRequires", "fromGroups", "fromNodes", "authentication",
                                                    "auth"};
constexpr std::string_view kEgressFields[] = {"toEndpoints", "toCIDR", "toCIDRSet", "toEntities", "toPorts", "icmps"};
constexpr std::string_view kEgressUnsupported[] = {"toRequires", "toServices", "toFQDNs", "toGroups", "toNodes",
                                                   "authentication", "auth"};
constexpr std::string_view kCidrRuleFields[] = {"cidr", "except"};
constexpr std::string_view kCidrRuleUnsupported[] = {"cidrGroupRef", "cidrGroupSelector"};
constexpr std::string_view kLabelFields[] = {"key", "value", "source"};

constexpr std::string_view kEntities[] = {"world", "world-ipv4", "world-ipv6", "host", "all", "cluster",
                                          "remote-node", "kube-apiserver", "health", "init", "ingress",
                                          "unmanaged", "none"};

// The names of one direction's fields: "from..." for ingress, "to..." for egress.
struct DirectionNames {
  std::string_view endpoints, cidr, cidr_set, entities;
  FieldSpec spec;
};
const DirectionNames kIngress{"fromEndpoints", "fromCIDR", "fromCIDRSet", "fromEntities",
                              {kIngressFields, kIngressUnsupported}};
const DirectionNames kEgress{"toEndpoints", "toCIDR", "toCIDRSet", "toEntities", {kEgressFields, kEgressUnsupported}};

void read_cidr_set_item(const DocNode &node, std::string_view field, DiagnosticEngine &diags,
                        std::vector<ast::CidrPeer> &out) {
  if (!expect_map(node, item_of(field), diags)) return;
  Fields f = check_fields(node, {kCidrRuleFields, kCidrRuleUnsupported}, diags);
  const DocNode *cidr = f.get("cidr");
  if (!cidr) {
    if (!f.map->find("cidrGroupRef") && !f.map->find("cidrGroupSelector"))
      diags.error(node.loc, "missing-field", fmt::format("{} entry has no \"cidr\"", quoted(field).str()));
    return;
  }
  ast::CidrPeer peer;
  if (!read_cidr_peer(*cidr, f.get("except"), diags, peer)) return;
  out.push_back(std::move(peer));
}

void read_entity(const DocNode &node, std::string_view field, DiagnosticEngine &diags, std::vector<ast::Entity> &out) {
  if (!expect_scalar(node, item_of(field), diags)) return;
  if (!is_known_entity(node.text())) {
    std::string hint = nearest(node.text(), {std::begin(kEntities), std::end(kEntities)});
    diags.error(node.loc, "unknown-entity",
                hint.empty() ? fmt::format("unknown entity \"{}\"", node.text())
                             : fmt::format("unknown entity \"{}\"; did you mean \"{}\"?", node.text(), hint));
    return;
  }
  out.push_back(ast::Entity{std::string(node.text()), node.loc});
}

// One item of ingress/egress/ingressDeny/egressDeny.
void read_element(const DocNode &node, std::string_view section, const DirectionNames &names, bool deny,
                  DiagnosticEngine &diags, std::vector<ast::RuleElement> &out) {
  if (!expect_map(node, item_of(section), diags)) return;
  Fields f = check_fields(node, names.spec, diags);
  ast::RuleElement el;
  el.loc = node.loc;

  // Each field looked up once: this runs for every element of every rule.
  const DocNode *endpoints = f.get(names.endpoints), *cidr = f.get(names.cidr), *cidr_set = f.get(names.cidr_set),
                *entities = f.get(names.entities), *ports = f.get("toPorts"), *icmps = f.get("icmps");
  auto non_empty = [](const DocNode *v) { return v && !(v->is_seq() && v->children().empty()); };

  // Cilium refuses two kinds of peer in one element ("Combining FromEndpoints
  // and FromCIDR is not supported yet"); fromCIDR and fromCIDRSet are one kind.
  const std::pair<std::string_view, const DocNode *> peer_fields[] = {
      {names.endpoints, endpoints}, {names.cidr, cidr}, {names.cidr_set, cidr_set}, {names.entities, entities}};
  auto is_cidr = [&](std::string_view k) { return k == names.cidr || k == names.cidr_set; };
  const DocNode *first_peer_key = nullptr;
  for (size_t i = 0; i < node.map_size(); ++i) {
    const DocNode &key = node.key(i);
    auto field = std::find_if(std::begin(peer_fields), std::end(peer_fields),
                              [&](const auto &pf) { return pf.first == key.text(); });
    if (field == std::end(peer_fields) || !non_empty(field->second)) continue;
    if (!first_peer_key) {
      first_peer_key = &key;
    } else if (!(is_cidr(key.text()) && is_cidr(first_peer_key->text()))) {
      diags.error(key.loc, "invalid-rule",
                  fmt::format("\"{}\" cannot be combined with \"{}\" in one rule element; write them as separate elements",
                              key.text(), first_peer_key->text()));
    }
  }

  if (endpoints && expect_seq(*endpoints, quoted(names.endpoints), diags)) {
    el.endpoints.reserve(endpoints->children().size());
    for (const DocNode &s : endpoints->children()) {
      ast::Selector sel;
      if (read_selector(s, item_of(names.endpoints), diags, sel)) el.endpoints.push_back(std::move(sel));
    }
  }
  if (cidr && expect_seq(*cidr, quoted(names.cidr), diags)) {
    for (const DocNode &c : cidr->children()) {
      ast::CidrPeer peer;
      peer.loc = c.loc;
      if (read_prefix(c, item_of(names.cidr), diags, peer.cidr)) el.cidrs.push_back(std::move(peer));
    }
  }
  if (cidr_set && expect_seq(*cidr_set, quoted(names.cidr_set), diags))
    for (const DocNode &c : cidr_set->children()) read_cidr_set_item(c, names.cidr_set, diags, el.cidrs);
  if (entities && expect_seq(*entities, quoted(names.entities), diags))
    for (const DocNode &e : entities->children()) read_entity(e, names.entities, diags, el.entities);
  if (ports) read_to_ports(*ports, deny, diags, el.to_ports);
  if (icmps) read_icmps(*icmps, diags, el.icmps);

  if (ports && icmps && !ports->children().empty() && !icmps->children().empty())
    diags.error(f.key("icmps")->loc, "invalid-rule",
                "\"icmps\" cannot be combined with \"toPorts\" in one rule element; write them as separate elements");

  if (non_empty(endpoints)) el.peer_kind = ast::PeerKind::Endpoints;
  else if (non_empty(cidr) || non_empty(cidr_set)) el.peer_kind = ast::PeerKind::Cidrs;
  else if (non_empty(entities)) el.peer_kind = ast::PeerKind::Entities;
  else if (non_empty(ports) || non_empty(icmps)) el.peer_kind = ast::PeerKind::Any;
  else el.peer_kind = ast::PeerKind::None;
  out.push_back(std::move(el));
}

// Returns whether the section is a non-empty list (Cilium's enforcement).
bool read_section(const Fields &f, std::string_view section, const DirectionNames &names, bool deny,
                  DiagnosticEngine &diags, std::vector<ast::RuleElement> &out) {
  const DocNode *list = f.get(section);
  if (!list || !expect_seq(*list, quoted(section), diags)) return false;
  out.reserve(list->children().size());
  for (const DocNode &item : list->children()) read_element(item, section, names, deny, diags, out);
  return !list->children().empty();
}

void read_rule_label(const DocNode &node, DiagnosticEngine &diags, ast::Rule &out) {
  if (node.is_scalar()) {  // "key=value", the string form of a Cilium label
    size_t eq = node.text().find('=');
    out.labels.emplace_back(node.text().substr(0, eq), eq == std::string::npos ? "" : node.text().substr(eq + 1));
    return;
  }
  if (!expect_map(node, item_of("labels"), diags)) return;
  Fields f = check_fields(node, {kLabelFields}, diags);
  std::string key, value;
  if (const DocNode *k = f.get("key")) read_string(*k, quoted("key"), diags, key);
  else diags.error(node.loc, "missing-field", "label has no \"key\"");
  if (const DocNode *v = f.get("value")) read_string(*v, quoted("value"), diags, value);
  out.labels.emplace_back(std::move(key), std::move(value));
}

}  // namespace

bool is_known_entity(std::string_view name) {
  for (std::string_view e : kEntities)
    if (e == name) return true;
  return false;
}

void read_cilium_rule(const DocNode &node, What what, DiagnosticEngine &diags, ast::Rule &out) {
  out.loc = node.loc;
  if (!expect_map(node, what, diags)) return;
  Fields f = check_fields(node, {kRuleFields, kRuleUnsupported}, diags);
  const DocNode *endpoint_sel = f.get("endpointSelector");
  const DocNode *node_sel = f.get("nodeSelector");
  if (endpoint_sel && node_sel) {
    diags.error(node_sel->loc, "invalid-rule",
                "a rule has an \"endpointSelector\" or a \"nodeSelector\", not both");
  } else if (endpoint_sel) {
    read_selector(*endpoint_sel, quoted("endpointSelector"), diags, out.subject);
  } else if (node_sel) {
    // A host policy: it selects the host endpoint of every node whose
    // labels match (the inventory's "node"). Cilium allows it only in
    // cluster-wide policies: a node is in no namespace.
    if (out.origin == ast::Origin::CiliumNetworkPolicy)
      diags.error(node_sel->loc, "invalid-rule",
                  "\"nodeSelector\" selects hosts, which belong to no namespace: it is only for a "
                  "CiliumClusterwideNetworkPolicy");
    read_selector(*node_sel, quoted("nodeSelector"), diags, out.subject);
    out.subject.requirements.push_back(ast::Requirement{kHostLabelKey, ast::SelectorOp::Exists, {}, node_sel->loc});
  } else {
    diags.error(node.loc, "missing-field",
                "rule has no \"endpointSelector\"; write \"endpointSelector\": {} to select every endpoint");
  }
  if (const DocNode *desc = f.get("description")) read_string(*desc, quoted("description"), diags, out.description);
  if (const DocNode *labels = f.get("labels")) {
    if (labels->is_map()) {  // the Kubernetes map form
      for (size_t i = 0; i < labels->map_size(); ++i)
        out.labels.emplace_back(labels->key(i).text(), labels->value(i).text());
    } else if (expect_seq(*labels, quoted("labels"), diags)) {
      for (const DocNode &l : labels->children()) read_rule_label(l, diags, out);
    }
  }
  bool ingress = read_section(f, "ingress", kIngress, false, diags, out.ingress);
  bool ingress_deny = read_section(f, "ingressDeny", kIngress, true, diags, out.ingress_deny);
  bool egress = read_section(f, "egress", kEgress, false, diags, out.egress);
  bool egress_deny = read_section(f, "egressDeny", kEgress, true, diags, out.egress_deny);
  out.enforce_ingress = ingress || ingress_deny;
  out.enforce_egress = egress || egress_deny;
}

}  // namespace polc::reader
