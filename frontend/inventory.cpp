#include "frontend/inventory.h"

#include <fmt/format.h>

#include "frontend/doc_reader.h"
#include "frontend/selector_reader.h"
#include "frontend/source_reader.h"
#include "frontend/value_reader.h"

namespace polc {

namespace {

using reader::check_fields;
using reader::expect_map;
using reader::expect_seq;
using reader::Fields;
using reader::item_of;
using reader::quoted;

constexpr std::string_view kInventoryFields[] = {"namespaces", "endpoints", "node"};
constexpr std::string_view kNodeFields[] = {"name", "labels"};
constexpr std::string_view kNamespaceFields[] = {"name", "labels"};
constexpr std::string_view kEndpointFields[] = {"name", "namespace", "labels", "ips", "ports"};
constexpr std::string_view kPortFields[] = {"name", "port", "protocol"};

void read_labels(const DocNode &node, DiagnosticEngine &diags, LabelMap &out) {
  if (!expect_map(node, quoted("labels"), diags)) return;
  for (size_t i = 0; i < node.map_size(); ++i) {
    std::string key, value;
    bool ok = reader::read_label_key(node.key(i), diags, key);
    ok = reader::read_label_value(node.value(i), quoted(node.key(i).text()), diags, value) && ok;
    if (ok) out[key] = std::move(value);
  }
}

bool read_name(const Fields &f, const DocNode &node, std::string_view what, DiagnosticEngine &diags,
               std::string &out) {
  const DocNode *name = f.get("name");
  if (!name) {
    diags.error(node.loc, "missing-field", fmt::format("{} has no \"name\"", what));
    return false;
  }
  if (!reader::read_string(*name, quoted("name"), diags, out)) return false;
  if (out.empty()) {
    diags.error(name->loc, "invalid-name", fmt::format("{} name must not be empty", what));
    return false;
  }
  return true;
}

// One entry of an endpoint's "ports": {"name": "http", "port": 8080,
// "protocol": "TCP"}; the protocol defaults to TCP.
void read_named_port(const DocNode &node, DiagnosticEngine &diags, InventoryEndpoint &ep) {
  if (!expect_map(node, item_of("ports"), diags)) return;
  Fields f = check_fields(node, {kPortFields}, diags);
  InventoryPort port;
  port.loc = node.loc;
  const DocNode *name = f.get("name");
  const DocNode *number = f.get("port");
  if (!name || !number) {
    diags.error(node.loc, "missing-field", fmt::format("a named port needs \"{}\"", name ? "port" : "name"));
    return;
  }
  if (!reader::read_string(*name, quoted("name"), diags, port.name)) return;
  if (std::string problem = reader::port_name_problem(port.name); !problem.empty()) {
    diags.error(name->loc, "invalid-port", fmt::format("invalid port name \"{}\": {}", port.name, problem));
    return;
  }
  if (!reader::read_port(*number, quoted("port"), diags, port.port)) return;
  if (port.port == 0) {
    diags.error(number->loc, "invalid-port", "a named port's number is 1 to 65535");
    return;
  }
  if (const DocNode *proto = f.get("protocol"); proto && !reader::read_protocol(*proto, false, diags, port.proto)) return;
  for (const InventoryPort &other : ep.ports)
    if (other.name == port.name && other.proto == port.proto) {
      Diagnostic &d = diags.error(name->loc, "duplicate-port",
                                  fmt::format("endpoint \"{}\" names port \"{}\" twice for one protocol", ep.name,
                                              port.name));
      d.notes.push_back(Diagnostic{Severity::Note, "duplicate-port", other.loc, "first named here", {}, {}});
      return;
    }
  ep.ports.push_back(std::move(port));
}

}  // namespace

const InventoryEndpoint *Inventory::find_endpoint(std::string_view name) const {
  for (const InventoryEndpoint &e : endpoints)
    if (e.name == name) return &e;
  return nullptr;
}

const InventoryEndpoint *Inventory::find_by_ip(const IpAddr &ip) const {
  for (const InventoryEndpoint &e : endpoints)
    for (const IpAddr &a : e.ips)
      if (a == ip) return &e;
  return nullptr;
}

const InventoryNamespace *Inventory::find_namespace(std::string_view name) const {
  for (const InventoryNamespace &n : namespaces)
    if (n.name == name) return &n;
  return nullptr;
}

InventoryReader::InventoryReader(DiagnosticEngine &diags, Inventory &out) : diags_(diags), out_(out) {
  for (size_t i = 0; i < out.endpoints.size(); ++i) {
    by_name_.emplace(out.endpoints[i].name, i);
    for (const IpAddr &ip : out.endpoints[i].ips) owner_.emplace(ip, i);
  }
}

void InventoryReader::add_namespace(const DocNode &n) {
  if (!expect_map(n, item_of("namespaces"), diags_)) return;
  Fields nf = check_fields(n, {kNamespaceFields}, diags_);
  InventoryNamespace ns;
  ns.loc = n.loc;
  if (!read_name(nf, n, "namespace", diags_, ns.name)) return;
  if (const DocNode *labels = nf.get("labels")) read_labels(*labels, diags_, ns.labels);
  if (const InventoryNamespace *prev = out_.find_namespace(ns.name)) {
    Diagnostic &d = diags_.error(nf.get("name")->loc, "duplicate-namespace",
                                 fmt::format("namespace \"{}\" is listed twice", ns.name));
    d.notes.push_back(Diagnostic{Severity::Note, "duplicate-namespace", prev->loc, "first listed here", {}, {}});
    return;
  }
  out_.namespaces.push_back(std::move(ns));
}

void InventoryReader::set_node(const DocNode &node) {
  if (!expect_map(node, quoted("node"), diags_)) return;
  Fields nf = check_fields(node, {kNodeFields}, diags_);
  InventoryNode n;
  n.loc = node.loc;
  if (read_name(nf, node, "node", diags_, n.name)) {
    if (const DocNode *labels = nf.get("labels")) read_labels(*labels, diags_, n.labels);
    out_.node = std::move(n);
  }
}

void InventoryReader::add_endpoint(const DocNode &e) {
  if (!expect_map(e, item_of("endpoints"), diags_)) return;
  Fields ef = check_fields(e, {kEndpointFields}, diags_);
  InventoryEndpoint ep;
  ep.loc = e.loc;
  if (!read_name(ef, e, "endpoint", diags_, ep.name)) return;
  if (auto seen = by_name_.find(ep.name); seen != by_name_.end()) {
    const InventoryEndpoint *prev = &out_.endpoints[seen->second];
    Diagnostic &d = diags_.error(ef.get("name")->loc, "duplicate-endpoint",
                                 fmt::format("endpoint \"{}\" is listed twice", ep.name));
    d.notes.push_back(Diagnostic{Severity::Note, "duplicate-endpoint", prev->loc, "first listed here", {}, {}});
    return;
  }
  if (const DocNode *ns = ef.get("namespace")) {
    reader::read_string(*ns, quoted("namespace"), diags_, ep.namespace_);
    if (ep.namespace_.empty()) ep.namespace_ = "default";
  }
  if (const DocNode *labels = ef.get("labels")) read_labels(*labels, diags_, ep.labels);
  if (const DocNode *ips = ef.get("ips"); ips && expect_seq(*ips, quoted("ips"), diags_)) {
    for (const DocNode &ipn : ips->children()) {
      if (!reader::expect_scalar(ipn, item_of("ips"), diags_)) continue;
      Parsed<IpAddr> ip = parse_ip(ipn.text());
      if (!ip.value) {
        diags_.error(ipn.loc, "invalid-ip", fmt::format("invalid IP address \"{}\": {}", ipn.text(), ip.error));
        continue;
      }
      auto [it, fresh] = owner_.emplace(*ip.value, out_.endpoints.size());
      if (!fresh && it->second == out_.endpoints.size()) {
        diags_.error(ipn.loc, "duplicate-ip",
                     fmt::format("address {} is listed twice for endpoint \"{}\"", ip.value->str(), ep.name));
        continue;
      }
      if (!fresh) {
        const InventoryEndpoint &other = out_.endpoints[it->second];
        Diagnostic &d = diags_.error(ipn.loc, "duplicate-ip",
                                     fmt::format("address {} already belongs to endpoint \"{}\"", ip.value->str(),
                                                 other.name));
        for (size_t i = 0; i < other.ips.size(); ++i)
          if (other.ips[i] == *ip.value)
            d.notes.push_back(Diagnostic{Severity::Note, "duplicate-ip", other.ip_locs[i], "given here", {}, {}});
        continue;
      }
      ep.ips.push_back(*ip.value);
      ep.ip_locs.push_back(ipn.loc);
    }
  }
  if (const DocNode *ports = ef.get("ports"); ports && expect_seq(*ports, quoted("ports"), diags_))
    for (const DocNode &p : ports->children()) read_named_port(p, diags_, ep);
  by_name_.emplace(ep.name, out_.endpoints.size());
  out_.endpoints.push_back(std::move(ep));
}

bool read_inventory(const DocNode &root, DiagnosticEngine &diags, Inventory &out) {
  size_t errors = diags.error_count();
  if (!expect_map(root, "the endpoint inventory", diags)) return false;
  Fields f = check_fields(root, {kInventoryFields}, diags);
  InventoryReader entries(diags, out);
  if (const DocNode *nss = f.get("namespaces"); nss && expect_seq(*nss, quoted("namespaces"), diags))
    for (const DocNode &n : nss->children()) entries.add_namespace(n);
  if (const DocNode *node = f.get("node")) entries.set_node(*node);
  if (const DocNode *eps = f.get("endpoints"); eps && expect_seq(*eps, quoted("endpoints"), diags)) {
    out.endpoints.reserve(out.endpoints.size() + eps->children().size());
    for (const DocNode &e : eps->children()) entries.add_endpoint(e);
  }
  return diags.error_count() == errors;
}

bool load_inventory_file(const std::string &path, SourceManager &sources, DiagnosticEngine &diags, Inventory &out) {
  size_t errors = diags.error_count();
  uint32_t file = read_source_file(path, sources, diags);
  if (file == 0) return false;
  std::vector<Document> docs = parse_source(file, sources, diags);
  if (docs.empty()) return false;
  read_inventory(docs.front().root, diags, out);
  if (docs.size() > 1)
    diags.error(docs[1].root.loc, "syntax", "the inventory must be a single document");
  return diags.error_count() == errors;
}

}  // namespace polc
