#include "fleet/agent.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>
#include <variant>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fleet/fleet_keys.h"
#include "fleet/status_publisher.h"

namespace polc::fleet {

namespace {

using Clock = std::chrono::steady_clock;

// Waits between attempts at an unreachable etcd: 100 ms, doubling to 2 s,
// back to the start once a call succeeds. Wakes early on stop.
class Backoff {
 public:
  void wait(const std::atomic<bool> &stop) {
    for (auto left = delay_; left.count() > 0 && !stop.load(); left -= std::chrono::milliseconds(50))
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
    delay_ = std::min(delay_ * 2, std::chrono::milliseconds(2000));
  }
  void reset() { delay_ = std::chrono::milliseconds(100); }

 private:
  std::chrono::milliseconds delay_{100};
};

// What the watcher hands the agent's loop: a watch response, or the whole
// store read again after the watch's start revision was compacted.
using StoreChange = std::variant<WatchBatch, RangeResult>;

class ChangeQueue {
 public:
  void push(StoreChange change) {
    {
      std::lock_guard lock(mutex_);
      items_.push_back(std::move(change));
    }
    ready_.notify_one();
  }
  // Everything queued, waiting up to `timeout` for the first item.
  std::deque<StoreChange> take_all(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, timeout, [this] { return !items_.empty(); });
    return std::exchange(items_, {});
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<StoreChange> items_;
};

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(now)), ms);
}

// The policy, endpoint and namespace keys, from the first to the last: the
// status keys (which sort after "policies/") are the agents' own, and
// every agent would otherwise wake for every other agent's status.
std::string watch_start(const std::string &prefix) { return prefix + "endpoints/"; }
std::string watch_end(const std::string &prefix) { return prefix + "policies0"; }  // "policies/" + 1

}  // namespace

struct Agent::State {
  std::string prefix;
  StatusPublisher *status = nullptr;
  bool in_force = false;  // a revision was enforced by this process
  int64_t revision = 0;   // the revision in force
  std::string digest;
  std::string applied_at;
  // For the status: how many revisions were applied, by kind, and how many
  // needed a compiled program.
  uint64_t applies = 0, map_swaps = 0, program_swaps = 0, unchanged = 0, compiles = 0, errors = 0;
};

std::string describe_changes(const StoreView &before, const StoreView &after, const std::string &prefix) {
  std::vector<std::string> parts;
  size_t count = 0;
  auto note = [&](const std::string &key, const char *what) {
    if (++count <= 3) parts.push_back(fmt::format("{} {}", key.substr(prefix.size()), what));
  };
  for (const auto &[key, value] : after.values) {
    auto it = before.values.find(key);
    if (it == before.values.end())
      note(key, "added");
    else if (it->second != value)
      note(key, "changed");
  }
  for (const auto &[key, value] : before.values)
    if (!after.values.count(key)) note(key, "removed");
  if (count == 0) return "no key changed";
  std::string text = fmt::format("{}", fmt::join(parts, ", "));
  if (count > parts.size()) text += fmt::format(" and {} more", count - parts.size());
  return text;
}

Agent::Agent(AgentOptions options, Enforcer enforcer, std::ostream &log)
    : options_(std::move(options)), enforcer_(std::move(enforcer)), log_(log) {}

void Agent::say(const std::string &text) {
  std::lock_guard lock(log_mutex_);
  log_ << text << std::flush;
}

void Agent::enforce(State &state, const StoreView &view, const std::string &changes) {
  const auto started = Clock::now();
  CompiledRevision compiled = compile_revision(view, state.prefix);
  std::string error;
  std::string diagnostics;
  Result<Enforcement> done = Enforcement{};
  if (compiled.ok()) {
    done = enforcer_(compiled);
    if (!done) {
      const Error &e = done.error();
      if (e.loc.valid()) compiled.diags->error(e.loc, "datapath-limit", e.message).hint = e.hint;
      error = e.loc.valid() ? compiled.first_error() : e.message;
      diagnostics = compiled.diagnostics_text();
    }
  } else {
    error = compiled.first_error();
    diagnostics = compiled.diagnostics_text();
  }
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  nlohmann::ordered_json status = {{"node", options_.node}};
  if (!error.empty()) {
    ++state.errors;
    say(fmt::format("revision {}: {}: not applied, {}: {}\n{}", view.revision, changes,
                    state.in_force ? fmt::format("revision {} stays in force", state.revision)
                                   : std::string("nothing in force from this agent"),
                    error, diagnostics));
    status["revision"] = state.in_force ? nlohmann::ordered_json(state.revision) : nlohmann::ordered_json();
    status["policy_digest"] = state.in_force ? nlohmann::ordered_json(state.digest) : nlohmann::ordered_json();
    status["applied_at"] = state.in_force ? nlohmann::ordered_json(state.applied_at) : nlohmann::ordered_json();
    status["state"] = "error";
    status["error"] = error;
    status["error_revision"] = view.revision;
  } else {
    const Enforcement &e = *done;
    ++state.applies;
    if (e.kind == "map-swap") ++state.map_swaps;
    if (e.kind == "program-swap" || e.kind == "attached") ++state.program_swaps;
    if (e.kind == "unchanged") ++state.unchanged;
    if (e.compiled) ++state.compiles;
    // "unchanged" on a restart: in force already, from an earlier agent.
    if (e.kind != "unchanged" || !state.in_force) state.applied_at = utc_now();
    state.in_force = true;
    state.revision = view.revision;
    state.digest = e.policy_digest;
    say(fmt::format("revision {}: {}: {}{} in {:.1f} ms\n", view.revision, changes, e.kind,
                    e.compiled ? " (compiled)" : "", ms));
    status["revision"] = state.revision;
    status["policy_digest"] = state.digest;
    status["applied_at"] = state.applied_at;
    status["state"] = "ok";
    status["error"] = nullptr;
    status["last_change"] = {{"revision", view.revision}, {"kind", e.kind}, {"compiled", e.compiled}, {"ms", ms}};
  }
  status["counters"] = {{"applies", state.applies},     {"map_swaps", state.map_swaps},
                        {"program_swaps", state.program_swaps}, {"unchanged", state.unchanged},
                        {"compiles", state.compiles},   {"errors", state.errors}};
  state.status->publish(status.dump());
}

int Agent::run(const std::atomic<bool> &stop) {
  State state;
  state.prefix = normalized_prefix(options_.prefix);
  StatusPublisher status(options_.etcd, status_key(state.prefix, options_.node), options_.lease_ttl_seconds);
  state.status = &status;
  const std::string &prefix = state.prefix;

  // Everything under the prefix at one revision; retried until etcd answers.
  auto read_all = [&](EtcdClient &client, Backoff &backoff) -> std::optional<RangeResult> {
    bool told = false;
    while (!stop.load()) {
      auto range = client.range_prefix(prefix);
      if (range) {
        backoff.reset();
        return std::move(range).value();
      }
      if (!told) say("etcd unreachable: " + range.error().message + "; retrying\n");
      told = true;
      backoff.wait(stop);
    }
    return std::nullopt;
  };

  EtcdClient client(options_.etcd);
  Backoff backoff;
  auto first = read_all(client, backoff);
  if (!first) {
    status.revoke();
    return 0;
  }
  StoreView view = view_of_range(*first, prefix);
  enforce(state, view, fmt::format("read {} keys", view.values.size()));

  ChangeQueue queue;
  std::atomic<int64_t> next_revision = view.revision + 1;
  std::thread watcher([&] {
    EtcdClient watch_client(options_.etcd);
    Backoff watch_backoff;
    bool told = false;
    while (!stop.load()) {
      auto end = watch_client.watch_range(
          watch_start(prefix), watch_end(prefix), next_revision.load(),
          [&](WatchBatch &&batch) {
            next_revision = last_revision(batch) + 1;
            queue.push(std::move(batch));
          },
          stop, [&] {
            if (told) say(fmt::format("etcd reachable again: watching from revision {}\n", next_revision.load()));
            told = false;
            watch_backoff.reset();
          });
      if (stop.load()) break;
      if (!end) {
        if (!told) say("watch lost: " + end.error().message + "; the policy in force stays, reconnecting\n");
        told = true;
        watch_backoff.wait(stop);
        continue;
      }
      if (end->why == WatchEnd::Why::Compacted) {
        // History up to the revision we needed is gone: read everything
        // again, and watch from there.
        say(fmt::format("watch from revision {} compacted (at {}): reading the store again\n", next_revision.load(),
                        end->compact_revision));
        auto again = read_all(watch_client, watch_backoff);
        if (!again) break;
        next_revision = again->revision + 1;
        queue.push(std::move(*again));
      }
    }
  });

  auto last_apply = Clock::now() - options_.min_apply_interval;
  while (!stop.load()) {
    std::deque<StoreChange> changes = queue.take_all(std::chrono::milliseconds(100));
    if (changes.empty()) continue;
    // Changes closer together than the interval wait for it, and what came
    // meanwhile joins them: under churn the agent applies the latest
    // revision a few times a second, not every revision (each costs a full
    // compile and plan); a change after a quiet spell goes at once.
    if (auto due = last_apply + options_.min_apply_interval; Clock::now() < due) {
      while (Clock::now() < due && !stop.load())
        std::this_thread::sleep_for(std::min<Clock::duration>(due - Clock::now(), std::chrono::milliseconds(20)));
      for (StoreChange &c : queue.take_all(std::chrono::milliseconds(0))) changes.push_back(std::move(c));
    }
    StoreView next = view;
    bool changed = false;
    for (StoreChange &c : changes) {
      if (auto *batch = std::get_if<WatchBatch>(&c)) {
        changed = apply_batch(next, prefix, *batch) || changed;
      } else {
        StoreView fresh = view_of_range(std::get<RangeResult>(c), prefix);
        changed = changed || fresh.values != next.values;
        next = std::move(fresh);
      }
    }
    if (!changed) {
      view.revision = next.revision;
      continue;
    }
    enforce(state, next, describe_changes(view, next, prefix));
    last_apply = Clock::now();
    view = std::move(next);
  }
  watcher.join();
  status.revoke();
  say("stopped; the policy in force stays\n");
  return 0;
}

}  // namespace polc::fleet
