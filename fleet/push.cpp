#include "fleet/push.h"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fleet/fleet_keys.h"
#include "ir/ir.h"

namespace polc::fleet {

std::string endpoint_json(const InventoryEndpoint &e) {
  nlohmann::ordered_json j = {{"name", e.name}, {"namespace", e.namespace_}, {"labels", e.labels}};
  nlohmann::ordered_json ips = nlohmann::ordered_json::array();
  for (const IpAddr &ip : e.ips) ips.push_back(ip.str());
  j["ips"] = ips;
  if (!e.ports.empty()) {
    nlohmann::ordered_json ports = nlohmann::ordered_json::array();
    for (const InventoryPort &p : e.ports)
      ports.push_back({{"name", p.name}, {"port", p.port}, {"protocol", std::string(ir::proto_name(p.proto))}});
    j["ports"] = ports;
  }
  return j.dump();
}

std::string namespace_json(const InventoryNamespace &ns) {
  return nlohmann::ordered_json{{"name", ns.name}, {"labels", ns.labels}}.dump();
}

Result<PushResult> push(EtcdClient &client, const std::string &prefix_given, const PushRequest &request) {
  const std::string prefix = normalized_prefix(prefix_given);
  auto store = client.range_prefix(prefix);
  if (!store) return store.error();
  std::map<std::string, std::string> current;
  for (const KeyValue &kv : store->kvs) current[kv.key] = kv.value;

  std::map<std::string, std::string> wanted;  // key -> value
  std::vector<std::string> gone;
  for (const PolicyDocument &p : request.policies) wanted[policy_key(prefix, p.name)] = p.text;
  for (const std::string &name : request.deletes) {
    std::string key = policy_key(prefix, name);
    if (!current.count(key))
      return input_error(fmt::format("--delete {}: no policy {} in the store (at {}policies/)", name, name, prefix));
    if (wanted.count(key))
      return input_error(fmt::format("--delete {}: the same push also writes it", name));
    gone.push_back(key);
  }
  if (request.inventory) {
    std::map<std::string, std::string> listed;
    for (const InventoryEndpoint &e : request.inventory->endpoints) listed[endpoint_key(prefix, e.name)] = endpoint_json(e);
    for (const InventoryNamespace &n : request.inventory->namespaces)
      listed[namespace_key(prefix, n.name)] = namespace_json(n);
    for (const auto &[key, value] : current) {
      KeyKind kind = classify_key(prefix, key).kind;
      if ((kind == KeyKind::Endpoint || kind == KeyKind::Namespace) && !listed.count(key)) gone.push_back(key);
    }
    wanted.merge(listed);
  }

  PushResult result;
  std::vector<TxnOp> ops;
  for (const auto &[key, value] : wanted) {
    auto it = current.find(key);
    if (it != current.end() && it->second == value) {
      ++result.unchanged;
      continue;
    }
    ops.push_back(TxnOp::put(key, value));
    ++result.written;
  }
  for (const std::string &key : gone) ops.push_back(TxnOp::erase(key));
  result.deleted = gone.size();
  if (ops.empty()) return result;
  auto revision = client.txn(ops);
  if (!revision) return revision.error();
  result.revision = *revision;
  return result;
}

}  // namespace polc::fleet
