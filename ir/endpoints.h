// The endpoints a policy is enforced for, as the IR sees them: a name, the
// full label set (inventory labels plus the namespace labels Cilium adds)
// and addresses. Built from the inventory (or the implicit host endpoint
// when there is none); used by identity allocation and the reference
// evaluator.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "frontend/inventory.h"
#include "frontend/net.h"
#include "ir/ir.h"

namespace polc::ir {

// Sorted by key, keys unique.
using LabelSet = std::vector<std::pair<std::string, std::string>>;

// A named port of an endpoint (CONTRACT §1.2).
struct NamedPort {
  std::string name;
  ast::Proto proto = ast::Proto::TCP;
  uint16_t port = 0;
  auto operator<=>(const NamedPort &) const = default;
};

struct Endpoint {
  std::string name;
  LabelSet labels;
  std::vector<IpAddr> ips;
  std::vector<NamedPort> ports{};  // sorted, (name, proto) unique (braces: aggregate initializers may leave it out)

  // The port that `name` stands for on this endpoint for `proto`; 0: none.
  uint16_t named_port(const std::string &name, ast::Proto proto) const;
};

struct NamespaceInfo {
  std::string name;
  LabelSet labels;
};

inline constexpr const char *kNamespaceLabelsPrefix = "io.cilium.k8s.namespace.labels.";
inline constexpr const char *kHostLabel = "reserved:host";

class EndpointSet {
 public:
  EndpointSet() = default;
  // Endpoints as the inventory lists them (`labels` without namespace
  // labels); adds io.kubernetes.pod.namespace and the namespace's labels
  // (with kubernetes.io/metadata.name) as io.cilium.k8s.namespace.labels.*.
  struct InventoryEndpoint {
    std::string name;
    std::string namespace_;  // "" means "default"
    LabelSet labels;
    std::vector<IpAddr> ips;
    std::vector<NamedPort> ports{};
  };
  static EndpointSet from_inventory(const std::vector<NamespaceInfo> &namespaces,
                                    const std::vector<InventoryEndpoint> &endpoints);
  // The same from the inventory file as the frontend read it.
  static EndpointSet from_inventory(const Inventory &inventory);
  // No inventory: the host is the only endpoint, with `reserved:host`.
  static EndpointSet implicit_host(std::vector<IpAddr> host_ips);

  const std::vector<Endpoint> &all() const { return endpoints_; }
  const Endpoint *find_name(const std::string &name) const;
  const Endpoint *find_ip(const IpAddr &ip) const;
  bool is_implicit_host() const { return implicit_host_; }

 private:
  void index();
  std::vector<Endpoint> endpoints_;
  std::unordered_map<std::string, size_t> by_name_;
  std::vector<std::pair<IpAddr, size_t>> by_ip_;  // sorted
  bool implicit_host_ = false;
};

bool selector_matches(const Selector &s, const LabelSet &labels);
// Address in the peer's CIDR and in none of its excepts (ignores whether the
// address is an endpoint's; callers apply that rule).
bool cidr_contains(const Peer &p, const IpAddr &ip);

}  // namespace polc::ir
