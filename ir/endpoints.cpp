#include "ir/endpoints.h"

#include <algorithm>
#include <map>

#include "ir/lower.h"

namespace polc::ir {

static void normalize(LabelSet &labels) {
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end(),
                           [](const auto &a, const auto &b) { return a.first == b.first; }),
               labels.end());
}

EndpointSet EndpointSet::from_inventory(const std::vector<NamespaceInfo> &namespaces,
                                        const std::vector<InventoryEndpoint> &endpoints) {
  std::map<std::string, const NamespaceInfo *> ns_by_name;
  for (const auto &ns : namespaces) ns_by_name[ns.name] = &ns;
  EndpointSet set;
  for (const auto &in : endpoints) {
    Endpoint ep;
    ep.name = in.name;
    ep.ips = in.ips;
    ep.labels = in.labels;
    ep.ports = in.ports;
    std::sort(ep.ports.begin(), ep.ports.end());
    // A reserved endpoint (host, remote-node, ...) belongs to no namespace
    // (CONTRACT §1.2): without the namespace's labels, no namespaced
    // policy's selector, which always names its namespace, can match it;
    // entities and cluster-wide policies still do.
    const bool reserved = std::any_of(in.labels.begin(), in.labels.end(),
                                      [](const auto &l) { return l.first.rfind("reserved:", 0) == 0; });
    if (!reserved) {
      std::string ns = in.namespace_.empty() ? "default" : in.namespace_;
      ep.labels.emplace_back(kNamespaceLabel, ns);
      ep.labels.emplace_back(std::string(kNamespaceLabelsPrefix) + "kubernetes.io/metadata.name", ns);
      if (auto it = ns_by_name.find(ns); it != ns_by_name.end())
        for (const auto &[k, v] : it->second->labels) ep.labels.emplace_back(kNamespaceLabelsPrefix + k, v);
    }
    normalize(ep.labels);
    set.endpoints_.push_back(std::move(ep));
  }
  set.index();
  return set;
}

uint16_t Endpoint::named_port(const std::string &name, ast::Proto proto) const {
  for (const NamedPort &p : ports)
    if (p.name == name && p.proto == proto) return p.port;
  return 0;
}

EndpointSet EndpointSet::from_inventory(const Inventory &inventory) {
  std::vector<NamespaceInfo> namespaces;
  for (const auto &ns : inventory.namespaces)
    namespaces.push_back(NamespaceInfo{ns.name, LabelSet(ns.labels.begin(), ns.labels.end())});
  std::vector<InventoryEndpoint> endpoints;
  for (const auto &ep : inventory.endpoints) {
    InventoryEndpoint e{ep.name, ep.namespace_, LabelSet(ep.labels.begin(), ep.labels.end()), ep.ips, {}};
    for (const InventoryPort &p : ep.ports) e.ports.push_back(NamedPort{p.name, p.proto, p.port});
    // The host endpoint carries its node's labels, as in Cilium: what a
    // nodeSelector matches (its own labels win over a node label's value).
    if (inventory.node && ep.labels.count(kHostLabel))
      for (const auto &[k, v] : inventory.node->labels)
        if (!ep.labels.count(k)) e.labels.emplace_back(k, v);
    endpoints.push_back(std::move(e));
  }
  return from_inventory(namespaces, endpoints);
}

EndpointSet EndpointSet::implicit_host(std::vector<IpAddr> host_ips) {
  EndpointSet set;
  set.endpoints_.push_back(Endpoint{"host", {{kHostLabel, ""}}, std::move(host_ips)});
  set.implicit_host_ = true;
  set.index();
  return set;
}

void EndpointSet::index() {
  by_name_.clear();
  by_ip_.clear();
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    by_name_.emplace(endpoints_[i].name, i);
    for (const IpAddr &ip : endpoints_[i].ips) by_ip_.emplace_back(ip, i);
  }
  std::sort(by_ip_.begin(), by_ip_.end());
}

const Endpoint *EndpointSet::find_name(const std::string &name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &endpoints_[it->second];
}

const Endpoint *EndpointSet::find_ip(const IpAddr &ip) const {
  auto it = std::lower_bound(by_ip_.begin(), by_ip_.end(), ip,
                             [](const auto &e, const IpAddr &a) { return e.first < a; });
  return it != by_ip_.end() && it->first == ip ? &endpoints_[it->second] : nullptr;
}

static const std::string *label_value(const LabelSet &labels, const std::string &key) {
  auto it = std::lower_bound(labels.begin(), labels.end(), key,
                             [](const auto &l, const std::string &k) { return l.first < k; });
  return it != labels.end() && it->first == key ? &it->second : nullptr;
}

bool selector_matches(const Selector &s, const LabelSet &labels) {
  for (const Requirement &r : s.requirements) {
    const std::string *v = label_value(labels, r.key);
    bool in_values = v && std::binary_search(r.values.begin(), r.values.end(), *v);
    switch (r.op) {
      case ast::SelectorOp::In:
        if (!in_values) return false;
        break;
      case ast::SelectorOp::NotIn:
        if (in_values) return false;
        break;
      case ast::SelectorOp::Exists:
        if (!v) return false;
        break;
      case ast::SelectorOp::DoesNotExist:
        if (v) return false;
        break;
    }
  }
  return true;
}

bool cidr_contains(const Peer &p, const IpAddr &ip) {
  if (!p.cidr.contains(ip)) return false;
  for (const Prefix &e : p.except)
    if (e.contains(ip)) return false;
  return true;
}

}  // namespace polc::ir
