// `polc monitor` (CONTRACT §2): the interface's event stream, read from
// its ring buffer (templates/maps_abi.h, "The live event stream") and
// decoded with what the state file knows: the rules' file:line:col and the
// inventory's endpoint names.
//
// Opening a monitor registers a reader in the interface's polc_monitor
// map, which is what makes the datapath produce events at all; closing it
// (the destructor) unregisters it. A monitor killed with SIGKILL leaves its
// registration: events then go on being made, at the rate limit, into a
// ring no one reads, until the next monitor of the interface exits.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "frontend/result.h"
#include "runtime/iface_state.h"

namespace polc::runtime {

struct HttpHead {
  std::string method, path, host;
};

struct MonitorEvent {
  std::string time;        // RFC 3339, UTC, microseconds
  std::string direction;   // "ingress" | "egress"
  std::string verdict;     // "drop" | "allow" | "audit"
  std::string reason;      // runtime/rule_stats.h names; "" for an allowed connection
  int family = 4;
  std::string proto;       // "tcp", "udp", "icmp", "icmpv6", or the number
  std::string src, dst;
  uint16_t sport = 0, dport = 0;  // ICMP: 0 and the type
  std::optional<std::string> src_endpoint, dst_endpoint;
  std::optional<std::string> rule;  // file:line:col; none: no rule allows it (or an unenforced endpoint's)
  std::optional<HttpHead> http;     // a request refused at layer 7
  uint64_t suppressed = 0;          // events the rate limit refused on that CPU before this one
};

// The method, path and Host of a request head's first bytes (partial
// heads give what they hold).
HttpHead parse_http_head(std::string_view head);

class EventMonitor {
 public:
  // Events per second and burst per CPU that monitors set (templates/monitor.h).
  static constexpr uint64_t kEventsPerSecond = 1000;
  static constexpr uint64_t kBurst = 200;

  // `verdicts`: also the first packet of every allowed connection.
  static Result<EventMonitor> open(const IfaceId &id, bool verdicts);
  EventMonitor(EventMonitor &&) noexcept;
  EventMonitor &operator=(EventMonitor &&) = delete;
  ~EventMonitor();

  // Waits up to timeout_ms for events and hands each to `on_event`, which
  // returns false to stop. Returns how many were handed over; 0 on a
  // timeout or a signal (EINTR).
  Result<int> poll(int timeout_ms, const std::function<bool(const MonitorEvent &)> &on_event);

 private:
  struct Impl;
  explicit EventMonitor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace polc::runtime
