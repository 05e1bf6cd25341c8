#include "runtime/installer.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <set>

#include "runtime/bpf_object.h"
#include "runtime/bpffs.h"
#include "runtime/iface_link.h"
#include "runtime/iface_pins.h"
#include "runtime/netns_guard.h"
#include "runtime/policy_maps.h"
#include "runtime/policy_slots.h"
#include "runtime/rule_counters.h"

namespace polc::runtime {
namespace {

namespace fs = std::filesystem;

// Maps pinned beside the programs of an object, by their names in it.
constexpr std::array<const char *, 8> kPinnedMaps = {
    "polc_hosts4_slots", "polc_hosts6_slots", "polc_ipcache4_slots", "polc_ipcache6_slots",
    "polc_allow_slots",  "polc_deny_slots",   "polc_active",         "polc_drops"};

// A loaded object other than the live one, compiled for the requested
// shape (usually the one kept for rollback), and the slot a new generation
// may take in it: never the slot holding the rollback target.
std::optional<Live> reusable_object(const IfaceId &id, const IfaceState &state, const Live &live,
                                    const ApplyRequest &request) {
  std::optional<Live> keep = rollback_target(id, state, live);
  for (const auto &[object, record] : state.objects) {
    if (object == live.object || record.shape_digest != request.shape_digest) continue;
    const std::string dir = object_dir(id, object);
    bool complete = true;
    for (const HookProgram &p : hook_programs(request.hook)) complete = complete && path_exists(dir + "/" + p.prog_pin);
    if (!complete) continue;
    auto maps = open_slot_maps(dir);
    if (!maps) continue;
    if (keep && keep->object == object) return Live{object, 1 - keep->slot};
    auto active = active_slot(*maps);
    if (!active) continue;
    return Live{object, 1 - *active};
  }
  return std::nullopt;
}

// Points every link at `object`'s programs, in hook order (the first link
// decides what is in force: find_live).
Result<void> link_object_programs(const IfaceId &id, HookKind hook, uint64_t object) {
  for (const HookProgram &p : hook_programs(hook)) {
    auto prog = open_pinned(object_dir(id, object) + "/" + p.prog_pin);
    if (!prog) return prog.error();
    auto link = open_pinned(id.pin_dir() + "/" + p.link_pin);
    if (!link) return link.error();
    if (!prog->valid() || !link->valid())
      return environment_error(std::string("missing pin ") + (prog->valid() ? p.link_pin : p.prog_pin));
    if (auto swapped = link_replace_program(link->get(), prog->get()); !swapped) return swapped;
  }
  return {};
}

// A program swap interrupted between its link updates leaves the first
// link on the new object and the others on the old one: the others follow
// the first again (what the first link runs is what is in force).
Result<void> repair_links(const IfaceId &id, HookKind hook, const Live &live) {
  const std::vector<HookProgram> programs = hook_programs(hook);
  for (size_t i = 1; i < programs.size(); ++i) {
    auto link = open_pinned(id.pin_dir() + "/" + programs[i].link_pin);
    auto prog = open_pinned(object_dir(id, live.object) + "/" + programs[i].prog_pin);
    if (!link || !prog || !link->valid() || !prog->valid()) continue;
    auto running = link_program_id(link->get());
    auto wanted = program_id(prog->get());
    if (!running || !wanted || *running == *wanted) continue;
    if (auto swapped = link_replace_program(link->get(), prog->get()); !swapped) return swapped;
  }
  return {};
}

// Drops the objects neither in force nor needed for a rollback, and
// leftovers of an apply that was interrupted. One more object is kept as a
// cache: the last one in force of a shape neither of those has, so that
// policies alternating between two shapes swap programs without compiling
// or loading (reusable_object).
void collect_garbage(const IfaceId &id, IfaceState &state, const Live &live) {
  std::optional<Live> keep = rollback_target(id, state, live);
  std::set<uint64_t> kept = {live.object};
  std::set<std::string> shapes = {state.objects[live.object].shape_digest};
  if (keep) {
    kept.insert(keep->object);
    shapes.insert(state.objects[keep->object].shape_digest);
  }
  uint64_t cache = 0, cache_activated = 0;
  for (const auto &[object, record] : state.objects) {
    if (kept.count(object) || shapes.count(record.shape_digest) || !path_exists(object_dir(id, object))) continue;
    for (const auto &[slot, s] : record.slots)
      if (s.activated > cache_activated) {
        cache = object;
        cache_activated = s.activated;
      }
  }
  if (cache_activated) kept.insert(cache);
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(id.pin_dir(), ec)) {
    std::string name = entry.path().filename();
    if (name.rfind("new-obj-", 0) == 0) {
      remove_pins(entry.path());  // staging left by an interrupted apply
      continue;
    }
    if (name.rfind("obj-", 0) != 0) continue;
    bool in_use = false;
    for (uint64_t object : kept) in_use = in_use || name == "obj-" + std::to_string(object);
    if (!in_use) remove_pins(entry.path());
  }
  for (auto it = state.objects.begin(); it != state.objects.end();)
    it = kept.count(it->first) ? std::next(it) : state.objects.erase(it);
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
  for (const char *map : kHttpSlotArrayNames) {
    int fd = object.map_fd(map);
    if (fd < 0) continue;  // an object without HTTP rules
    if (auto pinned = pin_object(fd, tmp + "/" + map); !pinned) return pinned;
  }
  // The request parser's program array (templates/http.h): the kernel
  // empties a program array when its last user reference goes, which
  // would leave every HTTP connection to fail closed once polc exits.
  if (int fd = object.map_fd("polc_http_progs"); fd >= 0)
    if (auto pinned = pin_object(fd, tmp + "/polc_http_progs"); !pinned) return pinned;
  // The directory appears whole or not at all.
  if (std::rename(tmp.c_str(), dir.c_str()) != 0) return environment_error("cannot rename " + tmp + " to " + dir);
  return {};
}

// Maps that hold the interface's connections rather than its policy: every
// new object of the interface reuses them, so established connections (and
// the HTTP parser's place in each client stream) survive every swap.
struct SharedMap {
  const char *map;  // name in the object
  const char *pin;  // under the interface's pin directory
  bool required = false;  // every datapath object has it
};
// The counters and the event stream are the interface's too, so that no
// apply resets a count and a running `polc monitor` follows every swap.
constexpr SharedMap kSharedMaps[] = {{"polc_ct", "ct", true},
                                     {"polc_ct4", "ct4", true},
                                     {"polc_http_conn", "http_conn"},
                                     {"polc_drops", "drops"},
                                     {"polc_rule_stats", "rule_stats"},
                                     {"polc_monitor", "monitor"},
                                     {"polc_monitor_bucket", "monitor_bucket"},
                                     {"polc_events", "events"}};

// Loads a new object, sharing the interface's connection maps when pinned.
Result<BpfObject> load_object(const std::vector<uint8_t> &elf, const IfaceId &id) {
  auto object = BpfObject::open_memory(elf, "polc");
  if (!object) return object.error();
  for (const SharedMap &shared : kSharedMaps) {
    ::bpf_map *map = bpf_object__find_map_by_name(object->raw(), shared.map);
    if (!map) {
      if (shared.required) return internal_error(std::string("the object has no map ") + shared.map);
      continue;  // polc_http_conn exists only in objects with HTTP rules
    }
    auto pinned = open_pinned(id.pin_dir() + "/" + shared.pin);
    if (!pinned) return pinned.error();
    if (pinned->valid() && bpf_map__reuse_fd(map, pinned->get()) != 0)
      return environment_error(std::string("cannot reuse the map ") + shared.pin + " of " + id.iface + " (" +
                               std::to_string(errno) + ")");
  }
  if (auto loaded = object->load(); !loaded) return loaded.error();
  return object;
}

// Pins the object's connection maps that the interface does not have yet
// (the first object, or the first with HTTP rules).
Result<void> pin_shared_maps(const BpfObject &object, const IfaceId &id) {
  for (const SharedMap &shared : kSharedMaps) {
    int fd = object.map_fd(shared.map);
    if (fd < 0) continue;
    auto pinned = open_pinned(id.pin_dir() + "/" + shared.pin);
    if (!pinned) return pinned.error();
    if (pinned->valid()) continue;
    if (auto made = pin_object(fd, id.pin_dir() + "/" + shared.pin); !made) return made;
  }
  return {};
}

double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

Result<void> switch_programs(const ApplyRequest &request, const BpfObject &object, bool attached) {
  const IfaceId &id = request.id;
  if (auto pinned = pin_shared_maps(object, id); !pinned) return pinned;
  if (attached) {
    for (const HookProgram &p : hook_programs(request.hook)) {
      auto link = open_pinned(id.pin_dir() + "/" + p.link_pin);
      if (!link) return link.error();
      if (!link->valid()) return environment_error(std::string("missing link pin ") + p.link_pin);
      if (auto swapped = link_replace_program(link->get(), object.program_fd(p.program)); !swapped) return swapped;
    }
    return {};
  }
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

const char *outcome_name(ApplyOutcome::Kind kind) {
  switch (kind) {
    case ApplyOutcome::Kind::Unchanged: return "unchanged";
    case ApplyOutcome::Kind::Attached: return "attached";
    case ApplyOutcome::Kind::MapSwap: return "map-swap";
    case ApplyOutcome::Kind::ProgramSwap: return "program-swap";
  }
  return "?";
}

namespace {

// apply_policy with the interface locked.
Result<ApplyOutcome> apply_locked(const ApplyRequest &request) {
  const IfaceId &id = request.id;
  IfaceState state = load_state(id);
  std::optional<HookKind> attached_hook = pinned_hook(id);
  if (attached_hook && *attached_hook != request.hook)
    return environment_error(std::string("interface ") + id.iface + " is enforced with the " +
                             hook_kind_name(*attached_hook) + " hook; run `polc detach` before changing hooks");
  auto live = find_live(id, request.hook);
  if (!live) return live.error();
  if (*live)
    if (auto repaired = repair_links(id, request.hook, **live); !repaired) return repaired.error();

  ApplyOutcome outcome;
  ApplyTimings &times = outcome.timings;
  auto start = std::chrono::steady_clock::now();
  auto step = start;
  // The ms since the previous step ended.
  auto lap = [&step] {
    auto now = std::chrono::steady_clock::now();
    double ms = std::chrono::duration<double, std::milli>(now - step).count();
    step = now;
    return ms;
  };
  if (*live) {
    SlotRecord &current = state.objects[(*live)->object].slots[(*live)->slot];
    if (current.policy_digest == request.policy_digest) {
      bool changed = !current.activated;
      if (!current.activated) mark_in_force(state, current);
      // The same rules from another path: only their names change.
      changed = assign_rule_counters(state, request.rules).renamed || changed;
      outcome.generation = current.generation;
      if (changed)
        if (auto saved = save_state(id, state); !saved) return saved.error();
      return outcome;  // idempotent: nothing to write to the kernel
    }
  }
  const uint64_t generation = state.next_generation++;
  outcome.generation = generation;

  // Each rule element's counter: kept for rules that stay, fresh (and
  // zeroed before the maps name it) for new ones.
  CounterAssignment counters = assign_rule_counters(state, request.rules);
  ir::MapPlan plan = request.plan;
  use_counter_indices(plan, counters.index_of_source);
  auto slot_record = [&] {
    SlotRecord r;
    r.generation = generation;
    r.policy_digest = request.policy_digest;
    r.rules = counters.index_of_source;
    r.endpoints = request.endpoint_names;
    return r;
  };
  auto zero_fresh = [&](int stats_fd) -> Result<void> {
    if (stats_fd < 0) return {};  // pins of an older polc: no counters
    return zero_rule_counters(stats_fd, counters.fresh);
  };
  auto zero_pinned = [&]() -> Result<void> {
    auto stats = open_pinned(id.pin_dir() + "/rule_stats");
    if (!stats) return stats.error();
    return zero_fresh(stats->valid() ? stats->get() : -1);
  };

  if (*live && state.objects[(*live)->object].shape_digest == request.shape_digest) {
    // Same program: a new generation in the idle slot, then one flip.
    const Live was = **live;
    const uint32_t slot = 1 - was.slot;
    state.objects[was.object].slots[slot] = slot_record();
    if (auto saved = save_state(id, state); !saved) return saved.error();
    auto maps = open_slot_maps(object_dir(id, was.object));
    if (!maps) return maps.error();
    lap();
    if (auto zeroed = zero_pinned(); !zeroed) return zeroed.error();
    if (auto installed = install_slot(*maps, slot, plan); !installed) return installed.error();
    times.fill_ms = lap();
    if (auto flipped = set_active(*maps, slot, generation); !flipped) return flipped.error();
    times.commit_ms = lap();
    outcome.switch_ms = ms_since(start);
    outcome.kind = ApplyOutcome::Kind::MapSwap;
    SlotRecord &now = state.objects[was.object].slots[slot];
    mark_in_force(state, now);
    now.since = utc_now();
    collect_garbage(id, state, Live{was.object, slot});
    if (auto saved = save_state(id, state); !saved) return saved.error();
    return outcome;
  }

  if (*live) {
    if (std::optional<Live> into = reusable_object(id, state, **live, request)) {
      // The shape of an object still loaded (the one kept for rollback):
      // no compile, no verifier. A new generation goes into its idle slot,
      // its active slot flips while no link runs it, then each link is
      // switched to its programs with BPF_LINK_UPDATE.
      state.objects[into->object].slots[into->slot] = slot_record();
      if (auto saved = save_state(id, state); !saved) return saved.error();
      auto maps = open_slot_maps(object_dir(id, into->object));
      if (!maps) return maps.error();
      lap();
      if (auto zeroed = zero_pinned(); !zeroed) return zeroed.error();
      if (auto installed = install_slot(*maps, into->slot, plan); !installed) return installed.error();
      if (auto flipped = set_active(*maps, into->slot, generation); !flipped) return flipped.error();
      times.fill_ms = lap();
      if (auto switched = link_object_programs(id, request.hook, into->object); !switched) return switched.error();
      times.commit_ms = lap();
      outcome.switch_ms = ms_since(start);
      outcome.kind = ApplyOutcome::Kind::ProgramSwap;
      outcome.reused_object = true;
      SlotRecord &now = state.objects[into->object].slots[into->slot];
      mark_in_force(state, now);
      now.since = utc_now();
      collect_garbage(id, state, *into);
      if (auto saved = save_state(id, state); !saved) return saved.error();
      return outcome;
    }
  }

  // A new program: built, loaded and verified before anything changes.
  auto elf = request.build_object();
  if (!elf) return elf.error();
  times.compile_ms = lap();
  auto object = load_object(*elf, id);
  if (!object) return object.error();
  times.load_ms = lap();
  if (auto zeroed = zero_fresh(object->map_fd("polc_rule_stats")); !zeroed) return zeroed.error();
  if (auto filled = fill_policy_maps(*object, plan); !filled) return filled.error();
  if (auto stamped = write_active_word(object->map_fd("polc_active"), polc_active_word(generation, 0)); !stamped)
    return stamped.error();
  times.fill_ms = lap();
  const uint64_t number = state.next_object++;
  state.objects[number] = ObjectRecord{request.shape_digest, {{0, slot_record()}}};
  if (auto saved = save_state(id, state); !saved) return saved.error();
  if (auto pinned = pin_object_dir(*object, request.hook, object_dir(id, number)); !pinned) return pinned.error();
  times.pin_ms = lap();
  const bool attached = live->has_value();
  if (auto switched = switch_programs(request, *object, attached); !switched) return switched.error();
  times.commit_ms = lap();
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

}  // namespace

Result<ApplyOutcome> apply_policy(const ApplyRequest &request) {
  const IfaceId &id = request.id;
  if (auto mounted = ensure_bpffs_mounted(); !mounted) return mounted.error();
  if (auto made = make_private_dirs(id.pin_dir()); !made) return made.error();
  auto lock = IfaceLock::acquire(id);
  if (!lock) return lock.error();
  const bool was_attached = pinned_hook(id).has_value();
  auto outcome = apply_locked(request);
  // A first apply that failed before attaching leaves nothing behind: no
  // pinned maps, no state, no empty folders (a wrong interface name would
  // otherwise leave one under /sys/fs/bpf/polc per attempt).
  if (!outcome && !was_attached && !pinned_hook(id)) {
    remove_interface_pins(id);
    lock->remove_file();
  }
  return outcome;
}

Result<uint64_t> rollback_policy(const IfaceId &id) {
  auto lock = IfaceLock::acquire(id);
  if (!lock) return lock.error();
  std::optional<HookKind> hook = pinned_hook(id);
  if (!hook) {
    lock->remove_file();  // nothing here before, nothing after
    return Error{"polc enforces nothing on " + id.iface, 1};
  }
  IfaceState state = load_state(id);
  auto live = find_live(id, *hook);
  if (!live) return live.error();
  if (!*live) return Error{"polc enforces nothing on " + id.iface, 1};
  if (auto repaired = repair_links(id, *hook, **live); !repaired) return repaired.error();
  std::optional<Live> target = rollback_target(id, state, **live);
  if (!target) return Error{"no previous generation to roll back to on " + id.iface, 1};

  // The restored policy is a new generation (maps_abi.h): the connections
  // stamped since it was last in force are judged by it again.
  const uint64_t generation = state.next_generation++;
  state.objects[target->object].slots[target->slot].generation = generation;
  if (auto saved = save_state(id, state); !saved) return saved.error();
  auto maps = open_slot_maps(object_dir(id, target->object));
  if (!maps) return maps.error();
  if (target->object == (*live)->object) {
    if (auto flipped = set_active(*maps, target->slot, generation); !flipped) return flipped.error();
  } else {
    // The previous object's own active slot is set while it is idle, then
    // each link goes back to its programs.
    if (auto flipped = set_active(*maps, target->slot, generation); !flipped) return flipped.error();
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
  remove_interface_pins(id);
  lock->remove_file();
  return present;
}

}  // namespace polc::runtime
