// `polc agent`: one long-running process per host that enforces what a
// fleet's etcd store holds (CONTRACT §2, "Fleet"; docs/fleet.md).
//
// It reads every key under the prefix at one revision, compiles the union
// of the policies with the store's endpoints, and hands the result to its
// enforcer (cli/ wires `apply`'s pipeline, or the dry run). Then it follows
// a watch from the next revision. A watch response holds whole revisions,
// and every response already received is applied together: the agent only
// ever enforces the store as it was at some revision. A revision that does
// not compile, or that the enforcer refuses, leaves the last good policy
// in force and its diagnostic in the status. etcd away: what is in force
// stays; the watch reconnects with backoff and resumes from the last
// revision seen, or reads everything again if that revision was compacted.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "fleet/fleet_revision.h"
#include "frontend/result.h"

namespace polc::fleet {

// What the enforcer did with one revision.
struct Enforcement {
  std::string kind;           // "unchanged", "attached", "map-swap", "program-swap"
  std::string policy_digest;  // of the policy now in force
  bool compiled = false;      // a program was compiled for it (not from the cache or a loaded object)
};

// Puts a compiled revision in force on every interface the agent serves.
// An error with a place (an HTTP pattern the datapath cannot hold) is
// reported at that place of the revision's keys.
using Enforcer = std::function<Result<Enforcement>(const CompiledRevision &)>;

struct AgentOptions {
  std::vector<std::string> etcd;  // endpoints
  std::string prefix = "/polc";
  std::string node;
  int64_t lease_ttl_seconds = 10;
  // The least time from one apply to the next (see Agent::run).
  std::chrono::milliseconds min_apply_interval{100};
};

class Agent {
 public:
  Agent(AgentOptions options, Enforcer enforcer, std::ostream &log);
  // Runs until `stop` is set, then revokes the status lease (its key goes;
  // the policy in force stays). Returns the exit code.
  int run(const std::atomic<bool> &stop);

 private:
  struct State;
  void enforce(State &state, const StoreView &view, const std::string &changes);
  void say(const std::string &text);  // the loop and the watcher both log

  AgentOptions options_;
  Enforcer enforcer_;
  std::ostream &log_;
  std::mutex log_mutex_;
};

// "policies/web.yaml changed, endpoints/db-2 added": what differs between
// two views, for the agent's log (at most a few names, then a count).
std::string describe_changes(const StoreView &before, const StoreView &after, const std::string &prefix);

}  // namespace polc::fleet
