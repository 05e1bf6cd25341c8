// The pins of one interface under /sys/fs/bpf/polc/<scope>/<iface>
// (docs/runtime.md): a link per program of the hook, the maps shared by
// every object (conntrack), and one obj-N folder per loaded object with
// its programs and its slot maps. What is in force is read from these and
// the kernel, never from the state file alone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frontend/result.h"
#include "runtime/iface_link.h"
#include "runtime/iface_state.h"
#include "runtime/policy_slots.h"

namespace polc::runtime {

enum class HookKind { Tc, Xdp };
const char *hook_kind_name(HookKind hook);

// One program of a hook: its name in the object, its pin, its link's pin.
struct HookProgram {
  const char *program;
  const char *prog_pin;
  const char *link_pin;
  AttachPoint point;
};
// In hook order: the first link decides what is in force (find_live).
std::vector<HookProgram> hook_programs(HookKind hook);

std::string object_dir(const IfaceId &id, uint64_t object);
// The slot arrays and the active-slot map pinned in an object's folder.
Result<SlotMaps> open_slot_maps(const std::string &dir);
// The hook whose links are pinned, if any.
std::optional<HookKind> pinned_hook(const IfaceId &id);
// The numbers of the obj-N folders.
std::vector<uint64_t> object_dirs(const IfaceId &id);
// Unpins everything of the interface (its links first: the programs leave
// the hook) and forgets its state; the scope folder goes too once empty.
void remove_interface_pins(const IfaceId &id);

// A generation's place: an object and one of its two slots.
struct Live {
  uint64_t object = 0;
  uint32_t slot = 0;
};
// What the kernel has in force: the object whose program the first link
// runs, and that object's active slot. Pins of an interface that is gone
// are removed, and nothing is in force.
Result<std::optional<Live>> find_live(const IfaceId &id, HookKind hook);
// The generation a rollback would restore: the newest one, other than the
// live one, that has been in force and whose maps are still there.
std::optional<Live> rollback_target(const IfaceId &id, const IfaceState &state, const Live &live);

}  // namespace polc::runtime
