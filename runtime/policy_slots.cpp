#include "runtime/policy_slots.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "runtime/bpf_object.h"
#include "runtime/policy_maps.h"

namespace polc::runtime {
namespace {

std::string errno_text() { return std::strerror(errno); }

// The inner map in `slot` of an array of maps, or an invalid fd.
Result<UniqueFd> inner_map(int array_fd, uint32_t slot) {
  uint32_t id = 0;
  auto found = map_lookup(array_fd, &slot, &id);
  if (!found) return found.error();
  if (!*found || id == 0) return UniqueFd();
  int fd = bpf_map_get_fd_by_id(id);
  if (fd < 0) return environment_error("cannot open inner map id " + std::to_string(id) + ": " + errno_text());
  return UniqueFd(fd);
}

Result<bpf_map_info> map_info(int fd) {
  bpf_map_info info;
  std::memset(&info, 0, sizeof info);
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return environment_error("cannot read a map's info: " + errno_text());
  return info;
}

// A new empty map with the type, sizes and flags of `like`.
Result<UniqueFd> create_like(int like) {
  auto info = map_info(like);
  if (!info) return info.error();
  LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = info->map_flags);
  int fd = bpf_map_create(static_cast<bpf_map_type>(info->type), info->name, info->key_size, info->value_size,
                          info->max_entries, &opts);
  if (fd < 0) return environment_error(std::string("cannot create a policy map: ") + errno_text());
  return UniqueFd(fd);
}

}  // namespace

Result<uint32_t> active_slot(const SlotMaps &maps) {
  uint32_t zero = 0, slot = 0;
  auto found = map_lookup(maps.active.get(), &zero, &slot);
  if (!found) return found.error();
  return slot;
}

Result<void> set_active_slot(const SlotMaps &maps, uint32_t slot) {
  uint32_t zero = 0;
  return map_update(maps.active.get(), &zero, &slot);
}

Result<bool> slot_populated(const SlotMaps &maps, uint32_t slot) {
  for (const UniqueFd &array : maps.arrays) {
    auto inner = inner_map(array.get(), slot);
    if (!inner) return inner.error();
    if (!inner->valid()) return false;
  }
  return true;
}

Result<void> install_slot(const SlotMaps &maps, uint32_t slot, const ir::MapPlan &plan) {
  std::array<UniqueFd, 4> fresh;
  for (size_t i = 0; i < maps.arrays.size(); ++i) {
    // Any populated slot gives the inner maps' shape.
    UniqueFd like;
    for (uint32_t s = 0; s < 2 && !like.valid(); ++s) {
      auto inner = inner_map(maps.arrays[i].get(), s);
      if (!inner) return inner.error();
      like = std::move(*inner);
    }
    if (!like.valid()) return internal_error(std::string(kSlotArrayNames[i]) + " has no inner map to copy");
    auto made = create_like(like.get());
    if (!made) return made.error();
    fresh[i] = std::move(*made);
  }
  PolicyMapFds fds{fresh[0].get(), fresh[1].get(), fresh[2].get(), fresh[3].get()};
  if (auto filled = fill_policy_map_fds(fds, plan); !filled) return filled;
  // Only now, complete, do the new maps become reachable (still idle).
  for (size_t i = 0; i < maps.arrays.size(); ++i) {
    uint32_t value = static_cast<uint32_t>(fresh[i].get());
    if (auto put = map_update(maps.arrays[i].get(), &slot, &value); !put) return put;
  }
  return {};
}

size_t count_entries(int map_fd) {
  auto info = map_info(map_fd);
  if (!info) return 0;
  std::vector<uint8_t> key(info->key_size), next(info->key_size);
  size_t count = 0;
  void *prev = nullptr;
  while (bpf_map_get_next_key(map_fd, prev, next.data()) == 0) {
    ++count;
    key.swap(next);
    prev = key.data();
  }
  return count;
}

uint32_t map_max_entries(int map_fd) {
  auto info = map_info(map_fd);
  return info ? info->max_entries : 0;
}

Result<SlotFill> slot_fill(const SlotMaps &maps, uint32_t slot) {
  SlotFill fill;
  size_t *out[4] = {&fill.ipcache4, &fill.ipcache6, &fill.allow, &fill.deny};
  for (size_t i = 0; i < maps.arrays.size(); ++i) {
    auto inner = inner_map(maps.arrays[i].get(), slot);
    if (!inner) return inner.error();
    if (inner->valid()) *out[i] = count_entries(inner->get());
  }
  return fill;
}

}  // namespace polc::runtime
