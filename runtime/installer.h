// `polc apply`, `rollback` and `detach` on a host interface: the
// kernel side of enforcing a policy (docs/runtime.md).
//
// apply: with the program shape in force unchanged, a map-only update (a
// new generation in the idle slot, then one flip of polc_active); with a
// new shape that a kept object has, that object gets the new generation in
// its idle slot and each link is switched to it with BPF_LINK_UPDATE;
// otherwise a new object is loaded and verified first (reusing the
// conntrack map), its maps filled, and each link switched. Any failure
// before the switch leaves the old policy in force. The same input twice
// changes nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>


#include "frontend/result.h"
#include "ir/map_plan.h"
#include "runtime/iface_pins.h"
#include "runtime/iface_state.h"

namespace polc::runtime {

struct ApplyRequest {
  IfaceId id;
  HookKind hook = HookKind::Tc;
  std::string shape_digest;   // programs of equal shape digests are interchangeable
  std::string policy_digest;  // the policy and inventory: equal digests, nothing to do
  ir::MapPlan plan;  // rule ids are source ids: indices into `rules`, 1-based
  // The policy's rule elements (ir::Policy::sources): each gets a counter of
  // the interface (runtime/rule_counters.h) that the plan's entries name.
  std::vector<ir::RuleSource> rules;
  // Inventory endpoint names by address, kept for `polc monitor`.
  std::map<std::string, std::string> endpoint_names;
  // Builds the ELF for this hook; called only when a new program is needed.
  std::function<Result<std::vector<uint8_t>>()> build_object;
};

// Where an apply's time went, in ms; steps that did not happen stay 0.
struct ApplyTimings {
  double compile_ms = 0;  // build_object (generate + LLVM), only for a new program
  double load_ms = 0;     // libbpf open + load: maps created, the verifier
  double fill_ms = 0;     // new policy maps created and filled (map-only: and put in the idle slot)
  double pin_ms = 0;      // the new object pinned under bpffs
  double commit_ms = 0;   // the switch itself: the slot flip, or the link updates
};

struct ApplyOutcome {
  enum class Kind { Unchanged, Attached, MapSwap, ProgramSwap } kind = Kind::Unchanged;
  uint64_t generation = 0;
  double switch_ms = 0;  // from the start of the update to the switch
  // A program swap that reused a loaded object of the same shape (the one
  // kept for rollback) instead of compiling and loading a new one.
  bool reused_object = false;
  ApplyTimings timings;
};
const char *outcome_name(ApplyOutcome::Kind kind);

Result<ApplyOutcome> apply_policy(const ApplyRequest &request);
// Back to the previous generation, atomically; returns the generation now
// in force. Exit code 1 when there is none.
Result<uint64_t> rollback_policy(const IfaceId &id);
// Removes every pin and link polc made for the interface, and its state.
// False when nothing was there.
Result<bool> detach_policy(const IfaceId &id);

}  // namespace polc::runtime
