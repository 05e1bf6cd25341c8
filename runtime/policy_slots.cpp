#include "runtime/policy_slots.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "runtime/bpf_object.h"
#include "runtime/http_maps.h"
#include "runtime/policy_maps.h"
#include "templates/maps_abi.h"

namespace polc::runtime {
namespace {

std::string errno_text() { return std::strerror(errno); }

}  // namespace

Result<SlotMaps> object_slot_maps(const BpfObject &object) {
  auto own = [&object](const char *name) -> Result<UniqueFd> {
    int fd = object.map_fd(name);
    if (fd < 0) return UniqueFd();
    int copy = ::dup(fd);
    if (copy < 0) return environment_error(std::string("cannot duplicate the fd of ") + name + ": " + errno_text());
    return UniqueFd(copy);
  };
  SlotMaps maps;
  for (size_t i = 0; i < kSlotArrayNames.size(); ++i) {
    auto fd = own(kSlotArrayNames[i]);
    if (!fd) return fd.error();
    if (!fd->valid()) return internal_error(std::string("the object has no map ") + kSlotArrayNames[i]);
    maps.arrays[i] = std::move(*fd);
  }
  for (size_t i = 0; i < kHttpSlotArrayNames.size(); ++i) {
    auto fd = own(kHttpSlotArrayNames[i]);
    if (!fd) return fd.error();
    maps.http_arrays[i] = std::move(*fd);
  }
  auto active = own("polc_active");
  if (!active) return active.error();
  if (!active->valid()) return internal_error("the object has no map polc_active");
  maps.active = std::move(*active);
  return maps;
}

Result<UniqueFd> inner_map(int array_fd, uint32_t slot) {
  uint32_t id = 0;
  auto found = map_lookup(array_fd, &slot, &id);
  if (!found) return found.error();
  if (!*found || id == 0) return UniqueFd();
  int fd = bpf_map_get_fd_by_id(id);
  if (fd < 0) return environment_error("cannot open inner map id " + std::to_string(id) + ": " + errno_text());
  return UniqueFd(fd);
}

namespace {

Result<bpf_map_info> map_info(int fd) {
  bpf_map_info info;
  std::memset(&info, 0, sizeof info);
  uint32_t len = sizeof info;
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return environment_error("cannot read a map's info: " + errno_text());
  return info;
}

// A new empty map with the type, sizes and flags of `like`; `max_entries`
// 0 keeps its size.
Result<UniqueFd> create_like(int like, uint32_t max_entries = 0) {
  auto info = map_info(like);
  if (!info) return info.error();
  LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = info->map_flags);
  int fd = bpf_map_create(static_cast<bpf_map_type>(info->type), info->name, info->key_size, info->value_size,
                          max_entries ? max_entries : info->max_entries, &opts);
  if (fd < 0) return environment_error(std::string("cannot create a policy map: ") + errno_text());
  return UniqueFd(fd);
}

// A fresh inner map for `array`, shaped like one of its populated slots.
Result<UniqueFd> fresh_inner(int array, const char *name, uint32_t max_entries = 0) {
  UniqueFd like;
  for (uint32_t s = 0; s < POLC_SLOTS && !like.valid(); ++s) {
    auto inner = inner_map(array, s);
    if (!inner) return inner.error();
    like = std::move(*inner);
  }
  if (!like.valid()) return internal_error(std::string(name) + " has no inner map to copy");
  return create_like(like.get(), max_entries);
}

}  // namespace

Result<uint64_t> read_active_word(int active_fd) {
  uint32_t zero = 0;
  uint64_t word = 0;
  auto found = map_lookup(active_fd, &zero, &word);
  if (!found) return found.error();
  return word;
}

Result<void> write_active_word(int active_fd, uint64_t word) {
  // One aligned 64-bit store into the map's page: a packet reads the slot
  // and the generation of one write (maps_abi.h). A map update copies the
  // value with memcpy, which promises no such thing.
  const long page = sysconf(_SC_PAGESIZE);
  void *mem = mmap(nullptr, static_cast<size_t>(page), PROT_READ | PROT_WRITE, MAP_SHARED, active_fd, 0);
  if (mem == MAP_FAILED) return environment_error("cannot map polc_active: " + errno_text());
  __atomic_store_n(static_cast<uint64_t *>(mem), word, __ATOMIC_SEQ_CST);
  munmap(mem, static_cast<size_t>(page));
  return {};
}

Result<uint32_t> active_slot(const SlotMaps &maps) {
  auto word = read_active_word(maps.active.get());
  if (!word) return word.error();
  return static_cast<uint32_t>(*word & 1);
}

Result<void> set_active(const SlotMaps &maps, uint32_t slot, uint64_t generation) {
  return write_active_word(maps.active.get(), polc_active_word(generation, slot));
}

Result<bool> slot_populated(const SlotMaps &maps, uint32_t slot) {
  std::vector<int> arrays;
  for (const UniqueFd &array : maps.arrays) arrays.push_back(array.get());
  if (maps.has_http())
    for (const UniqueFd &array : maps.http_arrays) arrays.push_back(array.get());
  for (int array : arrays) {
    auto inner = inner_map(array, slot);
    if (!inner) return inner.error();
    if (!inner->valid()) return false;
  }
  return true;
}

Result<void> install_slot(const SlotMaps &maps, uint32_t slot, const ir::MapPlan &plan) {
  if (auto supported = check_http_support(maps.has_http(), plan); !supported) return supported;
  std::array<UniqueFd, 6> fresh;
  for (size_t i = 0; i < maps.arrays.size(); ++i) {
    auto made = fresh_inner(maps.arrays[i].get(), kSlotArrayNames[i]);
    if (!made) return made.error();
    fresh[i] = std::move(*made);
  }
  PolicyMapFds fds{fresh[0].get(), fresh[1].get(), fresh[2].get(), fresh[3].get(), fresh[4].get(), fresh[5].get()};
  if (auto filled = fill_policy_map_fds(fds, plan); !filled) return filled;

  std::array<UniqueFd, 3> fresh_http;
  if (maps.has_http()) {
    // Sizes as compiled in (ir/http_plan.h, table_capacity): the installer
    // loads another object for a policy whose tables need more.
    for (size_t i = 0; i < maps.http_arrays.size(); ++i) {
      auto made = fresh_inner(maps.http_arrays[i].get(), kHttpSlotArrayNames[i]);
      if (!made) return made.error();
      fresh_http[i] = std::move(*made);
    }
    if (plan.shape.http) {
      HttpMapFds http{fresh_http[0].get(), fresh_http[1].get(), fresh_http[2].get()};
      if (auto filled = fill_http_map_fds(http, plan.http); !filled) return filled;
    }
  }

  // Only now, complete, do the new maps become reachable (still idle). All
  // at once: each array's update waits for an RCU grace period, and
  // concurrent updates share it (runtime/bpf_object.h).
  std::array<uint32_t, 9> values{};
  std::vector<MapWrite> writes;
  for (size_t i = 0; i < maps.arrays.size(); ++i) {
    values[i] = static_cast<uint32_t>(fresh[i].get());
    writes.push_back({maps.arrays[i].get(), &slot, &values[i]});
  }
  if (maps.has_http())
    for (size_t i = 0; i < maps.http_arrays.size(); ++i) {
      const size_t at = fresh.size() + i;
      values[at] = static_cast<uint32_t>(fresh_http[i].get());
      writes.push_back({maps.http_arrays[i].get(), &slot, &values[at]});
    }
  return map_update_concurrently(writes);
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
  size_t *out[6] = {&fill.ipcache4, &fill.ipcache6, &fill.ipcache4, &fill.ipcache6, &fill.allow, &fill.deny};
  for (size_t i = 0; i < maps.arrays.size(); ++i) {
    auto inner = inner_map(maps.arrays[i].get(), slot);
    if (!inner) return inner.error();
    if (inner->valid()) *out[i] += count_entries(inner->get());
  }
  return fill;
}

}  // namespace polc::runtime
