#include "runtime/policy_maps.h"

#include <arpa/inet.h>

#include <cstring>
#include <iterator>
#include <vector>

#include <fmt/format.h>

#include "runtime/http_maps.h"

namespace polc::runtime {
namespace {

Result<int> required_map(const BpfObject &object, const char *name) {
  int fd = object.map_fd(name);
  if (fd < 0) return internal_error(fmt::format("the datapath object has no map \"{}\"", name));
  return fd;
}

// Keys and values converted first, then written in one batch.
template <typename Key, typename Value>
Result<void> write_batch(int fd, const std::vector<Key> &keys, const std::vector<Value> &values) {
  return map_update_many(fd, keys.data(), values.data(), keys.size(), sizeof(Key), sizeof(Value));
}

// The datapath looks up only the lengths the shape lists: an entry of
// another length would be dead, and a dead deny would let packets through.
Result<void> check_lengths(const std::vector<ir::PolicyEntry> &entries, const ir::L4Lengths &lengths,
                           const char *map) {
  for (const ir::PolicyEntry &entry : entries) {
    uint32_t mask = entry.peer == POLC_ID_ANY ? lengths.any_peer : lengths.peer;
    if (!(mask & (1u << entry.l4_prefix_bits)))
      return internal_error(fmt::format("{} entry of rule {} has a (protocol, port) prefix of {} bits, which the "
                                        "program's shape does not look up",
                                        map, entry.rule_id, entry.l4_prefix_bits));
  }
  return {};
}

Result<void> write_policy_entries(int fd, const std::vector<ir::PolicyEntry> &entries) {
  std::vector<polc_policy_key> keys;
  std::vector<polc_policy_value> values;
  keys.reserve(entries.size());
  values.reserve(entries.size());
  for (const ir::PolicyEntry &entry : entries) {
    keys.push_back(policy_key(entry));
    values.push_back(policy_value(entry));
  }
  return write_batch(fd, keys, values);
}

}  // namespace

polc_host_key4 host_key4(const Prefix &prefix) {
  polc_host_key4 key{};
  std::memcpy(key.addr, prefix.addr.bytes.data(), sizeof key.addr);
  return key;
}

polc_host_key6 host_key6(const Prefix &prefix) {
  polc_host_key6 key{};
  std::memcpy(key.addr, prefix.addr.bytes.data(), sizeof key.addr);
  return key;
}

polc_ipcache_key4 ipcache_key4(const Prefix &prefix) {
  polc_ipcache_key4 key{};
  key.prefixlen = prefix.len;
  std::memcpy(key.addr, prefix.addr.bytes.data(), sizeof key.addr);
  return key;
}

polc_ipcache_key6 ipcache_key6(const Prefix &prefix) {
  polc_ipcache_key6 key{};
  key.prefixlen = prefix.len;
  std::memcpy(key.addr, prefix.addr.bytes.data(), sizeof key.addr);
  return key;
}

polc_ipcache_value ipcache_value(const ir::IpcacheEntry &entry) {
  polc_ipcache_value value{};
  value.identity = entry.identity;
  value.flags = entry.flags;
  return value;
}

polc_policy_key policy_key(const ir::PolicyEntry &entry) {
  polc_policy_key key{};
  key.prefixlen = POLC_PREFIX_FIXED + entry.l4_prefix_bits;
  key.subject = entry.subject;
  key.peer = entry.peer;
  key.direction = static_cast<__u8>(entry.direction);
  key.proto = entry.proto;
  key.dport = htons(entry.port);
  return key;
}

polc_policy_value policy_value(const ir::PolicyEntry &entry) {
  polc_policy_value value{};
  value.rule_id = entry.rule_id;
  value.l7_policy = entry.l7_policy;
  return value;
}

Result<void> fill_policy_maps(const BpfObject &object, const ir::MapPlan &plan) {
  PolicyMapFds fds;
  int *const slots[] = {&fds.hosts4, &fds.hosts6, &fds.ipcache4, &fds.ipcache6, &fds.allow, &fds.deny};
  static_assert(std::size(slots) == std::size(kPolicyMapNames));
  for (size_t i = 0; i < std::size(slots); ++i) {
    auto found = required_map(object, kPolicyMapNames[i]);
    if (!found) return found.error();
    *slots[i] = *found;
  }
  // The HTTP maps exist only in objects compiled with HTTP rules.
  const bool has_http = object.map_fd(kHttpMetaMap) >= 0;
  if (auto supported = check_http_support(has_http, plan); !supported) return supported;
  if (auto filled = fill_policy_map_fds(fds, plan); !filled) return filled;
  if (!has_http || !plan.shape.http) return {};
  HttpMapFds http;
  for (auto [name, fd] : {std::pair{kHttpMetaMap, &http.meta}, std::pair{kHttpTableMap, &http.table},
                          std::pair{kHttpVerdictMap, &http.verdict}}) {
    auto found = required_map(object, name);
    if (!found) return found.error();
    *fd = *found;
  }
  return fill_http_map_fds(http, plan.http);
}

namespace {

// Keys and values of one ipcache map, written in one batch.
template <typename Key>
struct IpcacheBatch {
  std::vector<Key> keys;
  std::vector<polc_ipcache_value> values;
  void add(Key key, const ir::IpcacheEntry &entry) {
    keys.push_back(key);
    values.push_back(ipcache_value(entry));
  }
  Result<void> write(int fd) const { return write_batch(fd, keys, values); }
};

}  // namespace

Result<void> fill_policy_map_fds(const PolicyMapFds &maps, const ir::MapPlan &plan) {
  if (auto checked = check_lengths(plan.allow, plan.shape.allow_lengths, "an allow"); !checked) return checked;
  if (auto checked = check_lengths(plan.deny, plan.shape.deny_lengths, "a deny"); !checked) return checked;
  IpcacheBatch<polc_host_key4> hosts4;
  IpcacheBatch<polc_host_key6> hosts6;
  IpcacheBatch<polc_ipcache_key4> cidrs4;
  IpcacheBatch<polc_ipcache_key6> cidrs6;
  for (const ir::IpcacheEntry &entry : plan.ipcache) {
    const Prefix &p = entry.prefix;
    const bool v4 = p.family() == Family::V4;
    if (p.len == p.addr.width_bits()) {
      v4 ? hosts4.add(host_key4(p), entry) : hosts6.add(host_key6(p), entry);
      continue;
    }
    // Only programs whose policy has CIDR peers look in the tries.
    if (!plan.shape.cidr)
      return internal_error(
          fmt::format("the ipcache has the CIDR prefix {} but the program's shape has no CIDR lookup", p.str()));
    v4 ? cidrs4.add(ipcache_key4(p), entry) : cidrs6.add(ipcache_key6(p), entry);
  }
  if (auto written = hosts4.write(maps.hosts4); !written) return written;
  if (auto written = hosts6.write(maps.hosts6); !written) return written;
  if (auto written = cidrs4.write(maps.ipcache4); !written) return written;
  if (auto written = cidrs6.write(maps.ipcache6); !written) return written;
  auto allow = write_policy_entries(maps.allow, plan.allow);
  if (!allow) return allow;
  return write_policy_entries(maps.deny, plan.deny);
}

}  // namespace polc::runtime
