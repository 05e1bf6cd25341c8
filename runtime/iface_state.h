// What polc keeps about one interface it enforces, and the lock that keeps
// two commands on one interface from interleaving.
//
//   /sys/fs/bpf/polc/<netns|host>/<iface>/     pins (owner-only)
//     ct                       conntrack map, shared by every object
//     link_ingress, link_egress | link_xdp
//     obj-<K>/                 one loaded datapath object (staged as new-obj-<K>)
//       prog_ingress, prog_egress | prog_xdp, active, *_slots, drops
//   /run/polc/<netns|host>/<iface>.json        metadata (this file)
//   /run/polc/<netns|host>/<iface>.lock        flock
//
// The kernel is the truth about what is in force (the links' programs and
// the object's polc_active); the JSON only names generations, digests and
// times, keyed by (object, slot), and is replaced atomically (rename).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "frontend/result.h"
#include "runtime/unique_fd.h"

namespace polc::runtime {

struct IfaceId {
  std::string netns;  // empty: the host's namespace
  std::string iface;
  std::string scope() const { return netns.empty() ? "host" : netns; }
  std::string pin_dir() const;    // /sys/fs/bpf/polc/<scope>/<iface>
  std::string state_path() const; // /run/polc/<scope>/<iface>.json
  std::string lock_path() const;
};

// A rule element that has a counter of the interface (rule_counters.h).
// It is known by its anchor (its place without the file's path,
// ir::rule_anchors), direction, verdict and meaning; `source` is how it was
// last named.
struct CountedRule {
  std::string source;  // "file:line:col"
  std::string anchor;  // "<file number>:line:col"
  std::string direction, verdict;  // "ingress"/"egress", "allow"/"deny"
  std::string digest;  // its meaning (ir::RuleSource::digest)
  friend bool operator==(const CountedRule &, const CountedRule &) = default;
};

struct SlotRecord {
  uint64_t generation = 0;
  std::string policy_digest;
  std::string since;       // ISO 8601 UTC, when it came into force
  // The counters (polc_rule_stats indices) of the generation's rules, in
  // source order: what `polc stats` lists while it is in force.
  std::vector<uint32_t> rules;
  // The inventory's endpoint names by address, for `polc monitor`.
  std::map<std::string, std::string> endpoints;
  // 0: never in force; else when it last came into force, as a count that
  // only grows (IfaceState::activations): the rollback target is the slot
  // with the highest count after the live one.
  uint64_t activated = 0;
};

struct ObjectRecord {
  std::string shape_digest;
  std::map<uint32_t, SlotRecord> slots;
};

struct IfaceState {
  std::string hook;  // "tc" or "xdp"
  std::string attached_since;
  uint64_t next_object = 1;
  uint64_t next_generation = 1;
  uint64_t activations = 0;
  std::map<uint64_t, ObjectRecord> objects;
  // Every counter a kept generation uses, by index.
  std::map<uint32_t, CountedRule> counters;
};

// Records that `slot` has just come into force.
void mark_in_force(IfaceState &state, SlotRecord &slot);

// Missing or unreadable file: an empty state (the kernel side is then
// reconciled from the pins).
IfaceState load_state(const IfaceId &id);
Result<void> save_state(const IfaceId &id, const IfaceState &state);

// An exclusive flock on the interface's lock file; waits up to
// `timeout_ms`, then fails saying another polc holds it.
class IfaceLock {
 public:
  static Result<IfaceLock> acquire(const IfaceId &id, int timeout_ms = 60000);

  // For a command that leaves the interface with nothing in force (a
  // detach, a first apply that failed): the lock file and its folder go
  // too, while still held. A waiter that opened the old file sees, once it
  // gets the lock, that the path no longer names it, and opens again.
  void remove_file();

 private:
  IfaceLock(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}
  UniqueFd fd_;
  std::string path_;
};

std::string utc_now();

}  // namespace polc::runtime
