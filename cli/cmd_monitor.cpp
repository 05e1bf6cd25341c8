// polc monitor --iface IF [--netns NAME] [--format text|json]
//              [--type drop|verdict] [--count N] [--timeout S]
// Prints the interface's events, one per line, as they come
// (runtime/event_monitor.h), until --count events, --timeout seconds, or
// SIGINT/SIGTERM. A line on stderr says when the stream is open, so that
// scripts know events from then on are seen.
#include <csignal>
#include <chrono>
#include <iostream>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "runtime/event_monitor.h"

namespace polc::cli {

namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void stop_monitor(int) { g_stop = 1; }

struct MonitorOptions {
  std::string iface, netns, format = "text", type = "drop";
  long count = 0;       // 0: no limit
  double timeout = 0;   // seconds; 0: none
};

nlohmann::ordered_json optional(const std::optional<std::string> &s) {
  return s ? nlohmann::ordered_json(*s) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json event_json(const std::string &iface, const runtime::MonitorEvent &e) {
  nlohmann::ordered_json j = {{"time", e.time},
                              {"iface", iface},
                              {"direction", e.direction},
                              {"verdict", e.verdict},
                              {"reason", e.reason.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.reason)},
                              {"family", e.family},
                              {"proto", e.proto},
                              {"src", e.src},
                              {"sport", e.sport},
                              {"dst", e.dst},
                              {"dport", e.dport},
                              {"src_endpoint", optional(e.src_endpoint)},
                              {"dst_endpoint", optional(e.dst_endpoint)},
                              {"rule", optional(e.rule)},
                              {"http", nullptr},
                              {"suppressed", e.suppressed}};
  if (e.http) j["http"] = {{"method", e.http->method}, {"path", e.http->path}, {"host", e.http->host}};
  return j;
}

std::string endpoint_text(const std::string &addr, uint16_t port, const std::optional<std::string> &name, bool ports) {
  std::string out = addr.find(':') != std::string::npos && ports ? "[" + addr + "]" : addr;
  if (ports) out += ":" + std::to_string(port);
  if (name) out += " (" + *name + ")";
  return out;
}

// A line in the manner of `cilium monitor`: what happened, then the flow.
std::string event_text(const std::string &iface, const runtime::MonitorEvent &e) {
  const bool icmp = e.proto == "icmp" || e.proto == "icmpv6";
  std::string what = e.verdict == "allow" ? "allow" : fmt::format("{} ({})", e.verdict, e.reason);
  std::string line = fmt::format("{} {} {} {} {} {} -> {}", e.time, iface, what, e.direction, e.proto,
                                 endpoint_text(e.src, e.sport, e.src_endpoint, !icmp),
                                 endpoint_text(e.dst, e.dport, e.dst_endpoint, !icmp));
  if (icmp) line += fmt::format(" type {}", e.dport);
  if (e.rule) line += ", rule " + *e.rule;
  else if (e.reason == "policy") line += ", no rule allows it";
  if (e.http) line += fmt::format(", http {} {} host {}", e.http->method, e.http->path, e.http->host.empty() ? "-" : e.http->host);
  if (e.suppressed) line += fmt::format(" [{} events suppressed before this one]", e.suppressed);
  return line;
}

int run_monitor(const MonitorOptions &opt) {
  if (geteuid() != 0) {
    std::cerr << "polc: error: monitor needs root to read the events pinned in /sys/fs/bpf/polc\n";
    return kExitEnvironment;
  }
  auto monitor = runtime::EventMonitor::open(runtime::IfaceId{opt.netns, opt.iface}, opt.type == "verdict");
  if (!monitor) {
    std::cerr << "polc: error: " << monitor.error().message << "\n";
    return monitor.error().exit_code;
  }
  // No SA_RESTART: the wait returns on a signal, and the reader unregisters.
  struct sigaction sa {};
  sa.sa_handler = stop_monitor;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::cerr << "polc: monitoring " << opt.iface << (opt.type == "verdict" ? " (drops and new connections)" : " (drops)")
            << "\n";

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(opt.timeout);
  long printed = 0;
  auto print = [&](const runtime::MonitorEvent &e) {
    if (opt.format == "json") std::cout << event_json(opt.iface, e).dump() << "\n";
    else std::cout << event_text(opt.iface, e) << "\n";
    std::cout.flush();
    ++printed;
    return opt.count == 0 || printed < opt.count;
  };
  while (!g_stop && (opt.count == 0 || printed < opt.count)) {
    int wait_ms = 200;
    if (opt.timeout > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      wait_ms = static_cast<int>(std::min<long>(wait_ms, left.count()));
    }
    auto got = monitor->poll(wait_ms, print);
    if (!got) {
      std::cerr << "polc: error: " << got.error().message << "\n";
      return got.error().exit_code;
    }
  }
  return kExitOk;
}

}  // namespace

void add_monitor_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<MonitorOptions>();
  auto *sub = app.add_subcommand("monitor", "print drops (and new connections) on an interface as they happen");
  sub->add_option("--iface", opt->iface, "the interface")->required();
  sub->add_option("--netns", opt->netns, "named network namespace of the interface");
  sub->add_option("--format", opt->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  sub->add_option("--type", opt->type, "drop, or verdict for new connections too")
      ->check(CLI::IsMember({"drop", "verdict"}));
  sub->add_option("--count", opt->count, "stop after N events")->check(CLI::PositiveNumber);
  sub->add_option("--timeout", opt->timeout, "stop after S seconds")->check(CLI::PositiveNumber);
  sub->callback([opt, &exit_code] { exit_code = run_monitor(*opt); });
}

}  // namespace polc::cli
