// Which HTTP rules each allow entry enforces (its l7 policy), settled the
// way the kernel reads the allow trie (used by ir/plan.cpp only).
//
// The evaluator (CONTRACT §1.1) lets a request through when ANY rule that
// allows the packet has no HTTP rules or has a matching one. The kernel
// sees one entry per lookup: the LONGEST prefix over (protocol, port) of
// allow(peer), and separately of allow(any peer) — it combines those two
// itself. So an entry with HTTP rules must carry, besides its own, those
// of every shorter entry of the same (subject, peer, direction) that
// covers it, and lose them all (l7 0: every request) if one of those has
// none. Requests ride on TCP only: the evaluator lets every packet without
// a request through, so entries of other protocols get l7 0, and an entry
// for every protocol hands its HTTP rules to a TCP entry of its own.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/http_plan.h"
#include "ir/map_plan.h"

namespace polc::ir {

// What the rules that produced one allow entry say about requests.
struct EntryL7 {
  bool restricted = false;      // false: every request (some rule has no HTTP rules)
  std::vector<uint32_t> rules;  // restricted: indices into HttpPlan::rules, ascending
};

// Merges what rule `other` says into `into` (rules add up).
void merge_entry_l7(EntryL7 &into, const EntryL7 &other);

// Settles every allow entry's l7_policy (l7[i] belongs to allow[i]; both
// may grow by TCP entries), numbers the distinct rule sets and plans their
// verdicts into `http`. A failure (too many sets or alternatives) is left
// in http.error.
void assign_l7_policies(std::vector<PolicyEntry> &allow, std::vector<EntryL7> &l7, HttpPlan &http);

}  // namespace polc::ir
