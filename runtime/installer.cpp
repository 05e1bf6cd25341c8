#include "runtime/installer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <unistd.h>
#include <optional>

#include "runtime/bpf_object.h"
#include "runtime/bpffs.h"
#include "runtime/iface_link.h"
#include "runtime/netns_guard.h"
#include "runtime/policy_maps.h"
#include "runtime/policy_slots.h"

namespace polc::runtime {
namespace {

namespace fs = std::filesystem;

// One program of a hook: its name in the object, its pin, its link's pin.
struct HookProgram {
  const char *program;
  const char *prog_pin;
  const char *link_pin;
  AttachPoint point;
};

std::vector<HookProgram> hook_programs(HookKind hook) {
  if (hook == HookKind::Xdp) return {{"polc_xdp_ingress", "prog_xdp", "link_xdp", AttachPoint::Xdp}};
  return {{"polc_ingress", "prog_ingress", "link_ingress", AttachPoint::TcxIngress},
          {"polc_egress", "prog_egress", "link_egress", AttachPoint::TcxEgress}};
}

// Maps pinned beside the programs of an object, by their names in it.
constexpr std::array<const char *, 6> kPinnedMaps = {"polc_ipcache4_slots", "polc_ipcache6_slots", "polc_allow_slots",
                                                     "polc_deny_slots",     "polc_active",         "polc_drops"};

std::string object_dir(const IfaceId &id, uint64_t object) { return id.pin_dir() + "/obj-" + std::to_string(object); }

Result<SlotMaps> open_slot_maps(const std::string &dir) {
  SlotMaps maps;
  for (size_t i = 0; i < kSlotArrayNames.size(); ++i) {
    auto fd = open_pinned(dir + "/" + kSlotArrayNames[i]);
    if (!fd) return fd.error();
    if (!fd->valid()) return environment_error("missing pin " + dir + "/" + kSlotArrayNames[i]);
    maps.arrays[i] = std::move(*fd);
  }
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

struct Live {
  uint64_t object = 0;
  uint32_t slot = 0;
};

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
    remove_pins(id.pin_dir());
    std::remove(id.state_path().c_str());
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

// Drops the objects neither in force nor needed for a rollback, and
// leftovers of an apply that was interrupted.
void collect_garbage(const IfaceId &id, IfaceState &state, const Live &live) {
  std::optional<Live> keep = rollback_target(id, state, live);
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(id.pin_dir(), ec)) {
    std::string name = entry.path().filename();
    if (name.rfind("new-obj-", 0) == 0) {
      remove_pins(entry.path());  // staging left by an interrupted apply
      continue;
    }
    if (name.rfind("obj-", 0) != 0) continue;
    bool in_use = name == "obj-" + std::to_string(live.object) || (keep && name == "obj-" + std::to_string(keep->object));
    if (!in_use) remove_pins(entry.path());
  }
  for (auto it = state.objects.begin(); it != state.objects.end();) {
    bool in_use = it->first == live.object || (keep && it->first == keep->object);
    it = in_use ? std::next(it) : state.objects.erase(it);
  }
}

Result<void> pin_object_dir(const BpfObject &object, HookKind hook, const std::string &dir) {
  // bpffs refuses dots in names: the staging directory is "new-obj-<K>".
  const fs::path final_path(dir);
  std::string tmp = (final_path.parent_path() / ("new-" + final_path.filename().string())).string();
  remove_pins(tmp);
  if (auto made = make_private_dirs(tmp); !made) return made;
  for (const HookProgram &p : hook_programs(hook)) {
    int fd = object.program_fd(p.program);
    if (fd < 0) return internal_error(std::string("the object has no program ") + p.program);
    if (auto pinned = pin_object(fd, tmp + "/" + p.prog_pin); !pinned) return pinned;
  }
  for (const char *map : kPinnedMaps) {
    int fd = object.map_fd(map);
    if (fd < 0) return internal_error(std::string("the object has no map ") + map);
    if (auto pinned = pin_object(fd, tmp + "/" + map); !pinned) return pinned;
  }
  // The directory appears whole or not at all.
  if (std::rename(tmp.c_str(), dir.c_str()) != 0) return environment_error("cannot rename " + tmp + " to " + dir);
  return {};
}

// Loads a new object, sharing the interface's conntrack map when there is one.
Result<BpfObject> load_object(const std::vector<uint8_t> &elf, const IfaceId &id) {
  auto object = BpfObject::open_memory(elf, "polc");
  if (!object) return object.error();
  auto ct = open_pinned(id.pin_dir() + "/ct");
  if (!ct) return ct.error();
  if (ct->valid()) {
    ::bpf_map *map = bpf_object__find_map_by_name(object->raw(), "polc_ct");
    if (!map) return internal_error("the object has no map polc_ct");
    if (bpf_map__reuse_fd(map, ct->get()) != 0)
      return environment_error("cannot reuse the conntrack map of " + id.iface + " (" + std::to_string(errno) + ")");
  }
  if (auto loaded = object->load(); !loaded) return loaded.error();
  return object;
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

Result<void> switch_programs(const ApplyRequest &request, const BpfObject &object, bool attached) {
  const IfaceId &id = request.id;
  if (attached) {
    for (const HookProgram &p : hook_programs(request.hook)) {
      auto link = open_pinned(id.pin_dir() + "/" + p.link_pin);
      if (!link) return link.error();
      if (!link->valid()) return environment_error(std::string("missing link pin ") + p.link_pin);
      if (auto swapped = link_replace_program(link->get(), object.program_fd(p.program)); !swapped) return swapped;
    }
    return {};
  }
  if (auto pinned = pin_object(object.map_fd("polc_ct"), id.pin_dir() + "/ct"); !pinned) return pinned;
  std::vector<std::pair<UniqueFd, std::string>> links;
  {
    auto ns = NetnsGuard::enter(id.netns);
    if (!ns) return ns.error();
    auto ifindex = interface_index(id.iface);
    if (!ifindex) return ifindex.error();
    for (const HookProgram &p : hook_programs(request.hook)) {
      auto link = link_attach(object.program_fd(p.program), *ifindex, p.point);
      if (!link) return link.error();  // links made so far close with their fds
      links.emplace_back(std::move(*link), id.pin_dir() + "/" + p.link_pin);
    }
  }
  for (auto &[fd, path] : links)
    if (auto pinned = pin_object(fd.get(), path); !pinned) return pinned;
  return {};
}

}  // namespace

const char *hook_kind_name(HookKind hook) { return hook == HookKind::Xdp ? "xdp" : "tc"; }

const char *outcome_name(ApplyOutcome::Kind kind) {
  switch (kind) {
    case ApplyOutcome::Kind::Unchanged: return "unchanged";
    case ApplyOutcome::Kind::Attached: return "attached";
    case ApplyOutcome::Kind::MapSwap: return "map-swap";
    case ApplyOutcome::Kind::ProgramSwap: return "program-swap";
  }
  return "?";
}

Result<ApplyOutcome> apply_policy(const ApplyRequest &request) {
  const IfaceId &id = request.id;
  if (auto mounted = ensure_bpffs_mounted(); !mounted) return mounted.error();
  if (auto made = make_private_dirs(id.pin_dir()); !made) return made.error();
  auto lock = IfaceLock::acquire(id);
  if (!lock) return lock.error();

  IfaceState state = load_state(id);
  std::optional<HookKind> attached_hook = pinned_hook(id);
  if (attached_hook && *attached_hook != request.hook)
    return environment_error(std::string("interface ") + id.iface + " is enforced with the " +
                             hook_kind_name(*attached_hook) + " hook; run `polc detach` before changing hooks");
  auto live = find_live(id, request.hook);
  if (!live) return live.error();

  ApplyOutcome outcome;
  auto start = std::chrono::steady_clock::now();
  if (*live) {
    SlotRecord &current = state.objects[(*live)->object].slots[(*live)->slot];
    if (current.policy_digest == request.policy_digest) {
      if (!current.activated) mark_in_force(state, current);
      outcome.generation = current.generation;
      return outcome;  // idempotent: nothing to write
    }
  }
  const uint64_t generation = state.next_generation++;
  outcome.generation = generation;

  if (*live && state.objects[(*live)->object].shape_digest == request.shape_digest) {
    // Same program: a new generation in the idle slot, then one flip.
    const Live was = **live;
    const uint32_t slot = 1 - was.slot;
    state.objects[was.object].slots[slot] = SlotRecord{generation, request.policy_digest, "", 0};
    if (auto saved = save_state(id, state); !saved) return saved.error();
    auto maps = open_slot_maps(object_dir(id, was.object));
    if (!maps) return maps.error();
    if (auto installed = install_slot(*maps, slot, request.plan); !installed) return installed.error();
    if (auto flipped = set_active_slot(*maps, slot); !flipped) return flipped.error();
    outcome.switch_ms = ms_since(start);
    outcome.kind = ApplyOutcome::Kind::MapSwap;
    SlotRecord &now = state.objects[was.object].slots[slot];
    mark_in_force(state, now);
    now.since = utc_now();
    collect_garbage(id, state, Live{was.object, slot});
    if (auto saved = save_state(id, state); !saved) return saved.error();
    return outcome;
  }

  // A new program: built, loaded and verified before anything changes.
  auto elf = request.build_object();
  if (!elf) return elf.error();
  auto object = load_object(*elf, id);
  if (!object) return object.error();
  if (auto filled = fill_policy_maps(*object, request.plan); !filled) return filled.error();
  const uint64_t number = state.next_object++;
  state.objects[number] = ObjectRecord{request.shape_digest, {{0, SlotRecord{generation, request.policy_digest, "", 0}}}};
  if (auto saved = save_state(id, state); !saved) return saved.error();
  if (auto pinned = pin_object_dir(*object, request.hook, object_dir(id, number)); !pinned) return pinned.error();
  const bool attached = live->has_value();
  if (auto switched = switch_programs(request, *object, attached); !switched) return switched.error();
  outcome.switch_ms = ms_since(start);
  outcome.kind = attached ? ApplyOutcome::Kind::ProgramSwap : ApplyOutcome::Kind::Attached;
  if (!attached) state.attached_since = utc_now();
  state.hook = hook_kind_name(request.hook);
  SlotRecord &now = state.objects[number].slots[0];
  mark_in_force(state, now);
  now.since = utc_now();
  collect_garbage(id, state, Live{number, 0});
  if (auto saved = save_state(id, state); !saved) return saved.error();
  return outcome;
}

Result<uint64_t> rollback_policy(const IfaceId &id) {
  auto lock = IfaceLock::acquire(id);
  if (!lock) return lock.error();
  std::optional<HookKind> hook = pinned_hook(id);
  if (!hook) return Error{"polc enforces nothing on " + id.iface, 1};
  IfaceState state = load_state(id);
  auto live = find_live(id, *hook);
  if (!live) return live.error();
  if (!*live) return Error{"polc enforces nothing on " + id.iface, 1};
  std::optional<Live> target = rollback_target(id, state, **live);
  if (!target) return Error{"no previous generation to roll back to on " + id.iface, 1};

  auto maps = open_slot_maps(object_dir(id, target->object));
  if (!maps) return maps.error();
  if (target->object == (*live)->object) {
    if (auto flipped = set_active_slot(*maps, target->slot); !flipped) return flipped.error();
  } else {
    // The previous object's own active slot is set while it is idle, then
    // each link goes back to its programs.
    if (auto flipped = set_active_slot(*maps, target->slot); !flipped) return flipped.error();
    for (const HookProgram &p : hook_programs(*hook)) {
      auto prog = open_pinned(object_dir(id, target->object) + "/" + p.prog_pin);
      auto link = open_pinned(id.pin_dir() + "/" + p.link_pin);
      if (!prog || !prog->valid() || !link || !link->valid())
        return environment_error("the pins of the previous generation are incomplete");
      if (auto swapped = link_replace_program(link->get(), prog->get()); !swapped) return swapped.error();
    }
  }
  SlotRecord &now = state.objects[target->object].slots[target->slot];
  mark_in_force(state, now);
  now.since = utc_now();
  if (auto saved = save_state(id, state); !saved) return saved.error();
  return now.generation;
}

Result<bool> detach_policy(const IfaceId &id) {
  auto lock = IfaceLock::acquire(id);
  if (!lock) return lock.error();
  bool present = path_exists(id.pin_dir());
  // Unpinning a link drops its last reference: the program leaves the hook.
  for (HookKind hook : {HookKind::Tc, HookKind::Xdp})
    for (const HookProgram &p : hook_programs(hook)) ::unlink((id.pin_dir() + "/" + p.link_pin).c_str());
  remove_pins(id.pin_dir());
  std::remove(id.state_path().c_str());
  // The scope folders go too once empty (rmdir fails harmlessly otherwise).
  ::rmdir(fs::path(id.pin_dir()).parent_path().c_str());
  return present;
}

std::vector<IfaceId> enforced_interfaces() {
  std::vector<IfaceId> out;
  std::error_code ec;
  for (const auto &scope : fs::directory_iterator(std::string(kBpffsRoot) + "/polc", ec)) {
    std::error_code ec2;
    for (const auto &iface : fs::directory_iterator(scope.path(), ec2)) {
      std::string s = scope.path().filename();
      out.push_back(IfaceId{s == "host" ? "" : s, iface.path().filename()});
    }
  }
  std::sort(out.begin(), out.end(), [](const IfaceId &a, const IfaceId &b) {
    return std::tie(a.netns, a.iface) < std::tie(b.netns, b.iface);
  });
  return out;
}

nlohmann::ordered_json interface_status(const IfaceId &id) {
  nlohmann::ordered_json j = {{"iface", id.iface}, {"netns", id.netns.empty() ? "host" : id.netns}};
  std::optional<HookKind> hook = pinned_hook(id);
  if (!hook) {
    j["attached"] = false;
    return j;
  }
  IfaceState state = load_state(id);
  j["attached"] = true;
  j["hook"] = hook_kind_name(*hook);
  j["attach_mode"] = *hook == HookKind::Xdp ? "xdp link" : "tcx link";
  j["attached_since"] = state.attached_since;
  auto live = find_live(id, *hook);
  if (!live || !*live) {
    j["error"] = live ? "no live object" : live.error().message;
    return j;
  }
  const Live now = **live;
  const SlotRecord record = state.objects.count(now.object) && state.objects[now.object].slots.count(now.slot)
                                ? state.objects[now.object].slots[now.slot]
                                : SlotRecord{};
  j["generation"] = record.generation;
  j["policy_digest"] = record.policy_digest;
  j["shape_digest"] = state.objects.count(now.object) ? state.objects[now.object].shape_digest : "";
  j["since"] = record.since;
  j["object"] = now.object;
  j["slot"] = now.slot;
  nlohmann::ordered_json programs = nlohmann::ordered_json::array();
  for (const HookProgram &p : hook_programs(*hook)) {
    auto prog = open_pinned(object_dir(id, now.object) + "/" + p.prog_pin);
    uint32_t pid = 0;
    if (prog && prog->valid())
      if (auto got = program_id(prog->get())) pid = *got;
    programs.push_back({{"name", p.program}, {"id", pid}, {"attach", attach_point_name(p.point)}});
  }
  j["programs"] = programs;
  nlohmann::ordered_json maps = nlohmann::ordered_json::object();
  if (auto slots = open_slot_maps(object_dir(id, now.object))) {
    if (auto fill = slot_fill(*slots, now.slot)) {
      maps["ipcache4"] = fill->ipcache4;
      maps["ipcache6"] = fill->ipcache6;
      maps["allow"] = fill->allow;
      maps["deny"] = fill->deny;
    }
  }
  if (auto ct = open_pinned(id.pin_dir() + "/ct"); ct && ct->valid())
    maps["conntrack"] = {{"entries", count_entries(ct->get())}, {"max_entries", map_max_entries(ct->get())}};
  j["maps"] = maps;
  if (auto previous = rollback_target(id, state, now))
    j["previous_generation"] = state.objects[previous->object].slots[previous->slot].generation;
  return j;
}

}  // namespace polc::runtime
