// The endpoint inventory (CONTRACT §1.2): which endpoints exist, their
// namespace, labels and addresses. Validated on reading: duplicate names,
// bad addresses, one address on two endpoints, label syntax.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "frontend/diagnostics.h"
#include "frontend/document.h"
#include "frontend/net.h"

namespace polc {

// Label key (normalized: no "k8s:" prefix) to value.
using LabelMap = std::map<std::string, std::string>;

struct InventoryNamespace {
  std::string name;
  LabelMap labels;
  SourceLoc loc;
};

// A named port of an endpoint, as a pod's containers declare it: what a
// policy's `port: "http"` means on this endpoint (CONTRACT §1.2).
struct InventoryPort {
  std::string name;
  uint16_t port = 0;
  ast::Proto proto = ast::Proto::TCP;
  SourceLoc loc;
};

struct InventoryEndpoint {
  std::string name;
  std::string namespace_ = "default";
  LabelMap labels;  // as written; the namespace label is not added here
  std::vector<IpAddr> ips;
  std::vector<SourceLoc> ip_locs;  // parallel to ips
  std::vector<InventoryPort> ports;  // (name, protocol) unique
  SourceLoc loc;
};

// This host, as a node of the cluster: its labels are what a
// CiliumClusterwideNetworkPolicy's nodeSelector matches, and the host
// endpoint (the one with label reserved:host) carries them.
struct InventoryNode {
  std::string name;
  LabelMap labels;
  SourceLoc loc;
};

struct Inventory {
  std::vector<InventoryNamespace> namespaces;
  std::vector<InventoryEndpoint> endpoints;
  std::optional<InventoryNode> node;

  const InventoryEndpoint *find_endpoint(std::string_view name) const;
  const InventoryEndpoint *find_by_ip(const IpAddr &ip) const;
  const InventoryNamespace *find_namespace(std::string_view name) const;
};

// Reads inventory entries one at a time into an Inventory, with the checks
// that span entries (a name or an address given twice). read_inventory
// reads a whole document through it; `polc agent` reads one etcd key per
// entry, so that a diagnostic names the key that holds the entry.
class InventoryReader {
 public:
  InventoryReader(DiagnosticEngine &diags, Inventory &out);
  void add_namespace(const DocNode &node);
  void add_endpoint(const DocNode &node);
  void set_node(const DocNode &node);

 private:
  DiagnosticEngine &diags_;
  Inventory &out_;
  std::map<IpAddr, size_t> owner_;  // which endpoint holds each address
  std::map<std::string, size_t, std::less<>> by_name_;
};

// Reads an inventory file (JSON or YAML). Returns false when it added an error.
bool load_inventory_file(const std::string &path, SourceManager &sources, DiagnosticEngine &diags, Inventory &out);
// Reads an inventory document already parsed.
bool read_inventory(const DocNode &root, DiagnosticEngine &diags, Inventory &out);

}  // namespace polc
