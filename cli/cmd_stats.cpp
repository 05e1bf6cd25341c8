// polc stats --iface IF [--netns NAME] [--format text|json|prometheus]
// The counters of the rules in force (runtime/rule_stats.h), printed by
// cli/stats_output.h.
#include <iostream>

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/stats_output.h"
#include "runtime/rule_stats.h"

namespace polc::cli {

namespace {

struct StatsOptions {
  std::string iface, netns, format = "text";
};

int run_stats(const StatsOptions &opt) {
  if (geteuid() != 0) {
    std::cerr << "polc: error: stats needs root to read the counters pinned in /sys/fs/bpf/polc\n";
    return kExitEnvironment;
  }
  const runtime::IfaceId id{opt.netns, opt.iface};
  auto stats = runtime::read_interface_stats(id);
  if (!stats) {
    std::cerr << "polc: error: " << stats.error().message << "\n";
    return stats.error().exit_code;
  }
  if (opt.format == "json") std::cout << stats_json(id, *stats).dump(2) << "\n";
  else if (opt.format == "prometheus") std::cout << stats_prometheus(id, *stats);
  else std::cout << stats_text(id, *stats);
  return kExitOk;
}

}  // namespace

void add_stats_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<StatsOptions>();
  auto *sub = app.add_subcommand("stats", "per-rule counters of the policy in force on an interface");
  sub->add_option("--iface", opt->iface, "the interface")->required();
  sub->add_option("--netns", opt->netns, "named network namespace of the interface");
  sub->add_option("--format", opt->format, "text, json or prometheus")
      ->check(CLI::IsMember({"text", "json", "prometheus"}));
  sub->callback([opt, &exit_code] { exit_code = run_stats(*opt); });
}

}  // namespace polc::cli
