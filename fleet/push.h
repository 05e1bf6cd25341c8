// `polc push`: one etcd transaction that writes policies (and the
// inventory) under a fleet's prefix, for every agent to follow. Linting
// before the push is the command's job (cli/cmd_push.cpp); this is the
// write.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fleet/etcd_client.h"
#include "frontend/inventory.h"
#include "frontend/result.h"

namespace polc::fleet {

struct PolicyDocument {
  std::string name;  // the key's NAME: the file's name, whose extension gives the format
  std::string text;
};

struct PushRequest {
  std::vector<PolicyDocument> policies;
  // The inventory is the whole truth when given: its endpoints and
  // namespaces are written, and those of the store it does not list go.
  std::optional<Inventory> inventory;
  std::vector<std::string> deletes;  // policy names to remove
};

struct PushResult {
  int64_t revision = 0;  // the transaction's; 0 when nothing had to change
  size_t written = 0, deleted = 0, unchanged = 0;
};

// One entry of the inventory as the JSON of CONTRACT §1.2.
std::string endpoint_json(const InventoryEndpoint &endpoint);
std::string namespace_json(const InventoryNamespace &ns);

// Writes what changed in one transaction: keys whose value is already the
// same are not written again (no revision, no agent woken). A --delete
// naming no policy in the store is an input error (exit 1), and nothing is
// written.
Result<PushResult> push(EtcdClient &client, const std::string &prefix, const PushRequest &request);

}  // namespace polc::fleet
