// Where polc keeps an interface's pins, and what they say is in force.
#include "runtime/iface_pins.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <unistd.h>

#include "runtime/bpffs.h"
#include "runtime/iface_link.h"

namespace polc::runtime {

namespace fs = std::filesystem;

const char *hook_kind_name(HookKind hook) { return hook == HookKind::Xdp ? "xdp" : "tc"; }

std::vector<HookProgram> hook_programs(HookKind hook) {
  if (hook == HookKind::Xdp) return {{"polc_xdp_ingress", "prog_xdp", "link_xdp", AttachPoint::Xdp}};
  return {{"polc_ingress", "prog_ingress", "link_ingress", AttachPoint::TcxIngress},
          {"polc_egress", "prog_egress", "link_egress", AttachPoint::TcxEgress}};
}

void remove_interface_pins(const IfaceId &id) {
  for (HookKind hook : {HookKind::Tc, HookKind::Xdp})
    for (const HookProgram &p : hook_programs(hook)) ::unlink((id.pin_dir() + "/" + p.link_pin).c_str());
  remove_pins(id.pin_dir());
  std::remove(id.state_path().c_str());
  ::rmdir(fs::path(id.pin_dir()).parent_path().c_str());  // fails harmlessly unless empty
}

std::string object_dir(const IfaceId &id, uint64_t object) { return id.pin_dir() + "/obj-" + std::to_string(object); }

Result<SlotMaps> open_slot_maps(const std::string &dir) {
  SlotMaps maps;
  for (size_t i = 0; i < kSlotArrayNames.size(); ++i) {
    auto fd = open_pinned(dir + "/" + kSlotArrayNames[i]);
    if (!fd) return fd.error();
    if (!fd->valid()) return environment_error("missing pin " + dir + "/" + kSlotArrayNames[i]);
    maps.arrays[i] = std::move(*fd);
  }
  // HTTP arrays: pinned only by objects compiled with HTTP rules.
  for (size_t i = 0; i < kHttpSlotArrayNames.size(); ++i) {
    auto fd = open_pinned(dir + "/" + kHttpSlotArrayNames[i]);
    if (!fd) return fd.error();
    maps.http_arrays[i] = std::move(*fd);
  }
  if (std::any_of(maps.http_arrays.begin(), maps.http_arrays.end(), [&](const UniqueFd &fd) {
        return fd.valid() != maps.http_arrays[0].valid();
      }))
    return environment_error("incomplete HTTP pins in " + dir);
  auto active = open_pinned(dir + "/polc_active");
  if (!active) return active.error();
  if (!active->valid()) return environment_error("missing pin " + dir + "/polc_active");
  maps.active = std::move(*active);
  return maps;
}

// The hook whose links are pinned, if any.
std::optional<HookKind> pinned_hook(const IfaceId &id) {
  for (HookKind hook : {HookKind::Tc, HookKind::Xdp})
    if (path_exists(id.pin_dir() + "/" + hook_programs(hook)[0].link_pin)) return hook;
  return std::nullopt;
}

std::vector<uint64_t> object_dirs(const IfaceId &id) {
  std::vector<uint64_t> objects;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(id.pin_dir(), ec)) {
    std::string name = entry.path().filename();
    if (name.rfind("obj-", 0) == 0) objects.push_back(std::stoull(name.substr(4)));
  }
  return objects;
}

// What the kernel has in force: the object whose program the first link
// runs, and that object's active slot.
Result<std::optional<Live>> find_live(const IfaceId &id, HookKind hook) {
  const HookProgram first = hook_programs(hook)[0];
  auto link = open_pinned(id.pin_dir() + "/" + first.link_pin);
  if (!link) return link.error();
  if (!link->valid()) return std::optional<Live>();
  if (auto ifindex = link_ifindex(link->get()); ifindex && *ifindex == 0) {
    // The interface these pins were made for is gone (a deleted veth or
    // namespace): nothing is enforced, and the pins are only leftovers.
    remove_interface_pins(id);
    return std::optional<Live>();
  }
  auto running = link_program_id(link->get());
  if (!running) return running.error();
  for (uint64_t object : object_dirs(id)) {
    auto prog = open_pinned(object_dir(id, object) + "/" + first.prog_pin);
    if (!prog || !prog->valid()) continue;
    auto pid = program_id(prog->get());
    if (!pid || *pid != *running) continue;
    auto maps = open_slot_maps(object_dir(id, object));
    if (!maps) return maps.error();
    auto slot = active_slot(*maps);
    if (!slot) return slot.error();
    return std::optional<Live>(Live{object, *slot});
  }
  return environment_error("the program attached to " + id.iface + " is not one polc pinned under " + id.pin_dir() +
                           "; run `polc detach` first");
}

// The generation a rollback would restore: the newest one, other than the
// live one, that has been in force and whose maps are still there.
std::optional<Live> rollback_target(const IfaceId &id, const IfaceState &state, const Live &live) {
  std::optional<Live> best;
  uint64_t best_activation = 0;
  for (const auto &[object, record] : state.objects) {
    if (!path_exists(object_dir(id, object))) continue;
    for (const auto &[slot, s] : record.slots) {
      if (!s.activated || (object == live.object && slot == live.slot) || s.activated <= best_activation) continue;
      auto maps = open_slot_maps(object_dir(id, object));
      if (!maps) continue;
      auto populated = slot_populated(*maps, slot);
      if (!populated || !*populated) continue;
      best = Live{object, slot};
      best_activation = s.activated;
    }
  }
  return best;
}

}  // namespace polc::runtime
