#include "runtime/policy_maps.h"

#include <arpa/inet.h>

#include <cstring>

#include <fmt/format.h>

namespace polc::runtime {
namespace {

Result<int> required_map(const BpfObject &object, const char *name) {
  int fd = object.map_fd(name);
  if (fd < 0) return internal_error(fmt::format("the datapath object has no map \"{}\"", name));
  return fd;
}

Result<void> write_policy_entries(int fd, const std::vector<ir::PolicyEntry> &entries) {
  for (const ir::PolicyEntry &entry : entries) {
    polc_policy_key key = policy_key(entry);
    polc_policy_value value = policy_value(entry);
    auto written = map_update(fd, &key, &value);
    if (!written) return written;
  }
  return {};
}

}  // namespace

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
  for (auto [name, fd] : {std::pair{"polc_ipcache4", &fds.ipcache4}, std::pair{"polc_ipcache6", &fds.ipcache6},
                          std::pair{"polc_allow", &fds.allow}, std::pair{"polc_deny", &fds.deny}}) {
    auto found = required_map(object, name);
    if (!found) return found.error();
    *fd = *found;
  }
  return fill_policy_map_fds(fds, plan);
}

Result<void> fill_policy_map_fds(const PolicyMapFds &maps, const ir::MapPlan &plan) {
  for (const ir::IpcacheEntry &entry : plan.ipcache) {
    polc_ipcache_value value = ipcache_value(entry);
    Result<void> written;
    if (entry.prefix.family() == Family::V4) {
      polc_ipcache_key4 key = ipcache_key4(entry.prefix);
      written = map_update(maps.ipcache4, &key, &value);
    } else {
      polc_ipcache_key6 key = ipcache_key6(entry.prefix);
      written = map_update(maps.ipcache6, &key, &value);
    }
    if (!written) return written;
  }
  auto allow = write_policy_entries(maps.allow, plan.allow);
  if (!allow) return allow;
  return write_policy_entries(maps.deny, plan.deny);
}

}  // namespace polc::runtime
