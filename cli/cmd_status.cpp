// polc status [--iface IF] [--netns NAME] [--format text|json]
// Per enforced interface: generation, policy digest, programs, map fill
// levels, attach mode, since when (runtime/iface_status.h).
#include <iostream>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "runtime/installer.h"
#include "runtime/iface_status.h"

namespace polc::cli {

namespace {

struct StatusOptions {
  std::string iface, netns, format = "text";
};

void print_text(const nlohmann::ordered_json &s) {
  std::string where = s["netns"] == "host" ? std::string(s["iface"]) : fmt::format("{} (netns {})", std::string(s["iface"]), std::string(s["netns"]));
  if (!s.value("attached", false)) {
    std::cout << where << ": not enforced by polc\n";
    return;
  }
  std::cout << fmt::format("{}: {} since {}\n", where, std::string(s["attach_mode"]), std::string(s["attached_since"]));
  if (s.contains("error")) {
    std::cout << "  error: " << std::string(s["error"]) << "\n";
    return;
  }
  std::cout << fmt::format("  generation {} (policy {}), in force since {}\n", s["generation"].get<uint64_t>(),
                           std::string(s["policy_digest"]), std::string(s["since"]));
  if (s.value("audit", false))
    std::cout << "  audit mode: nothing is dropped; the drop counts below are what enforcing would drop\n";
  if (s.contains("previous_generation"))
    std::cout << fmt::format("  rollback to generation {} available\n", s["previous_generation"].get<uint64_t>());
  for (const auto &p : s["programs"])
    std::cout << fmt::format("  program {} id {} ({})\n", std::string(p["name"]), p["id"].get<uint32_t>(),
                             std::string(p["attach"]));
  for (const auto &[name, value] : s["maps"].items()) std::cout << "  map " << name << ": " << value.dump() << "\n";
  if (s.contains("top_rules") && !s["top_rules"].empty()) {
    std::cout << "  top rules (polc stats lists every rule):\n";
    for (const auto &r : s["top_rules"]) {
      bool allow = r["verdict"] == "allow";
      std::cout << fmt::format("    {:>10} {} {} {} {}\n", r[allow ? "flows" : "packets"].get<uint64_t>(),
                               allow ? "flows  " : "packets", std::string(r["direction"]), std::string(r["verdict"]),
                               std::string(r["source"]));
    }
  }
  if (s.contains("packets"))
    for (const auto &[name, value] : s["packets"].items())
      if (value.get<uint64_t>() != 0 || name == "passed") std::cout << "  packets " << name << ": " << value.dump() << "\n";
}

int run_status(const StatusOptions &opt) {
  // The pins under /sys/fs/bpf are root's: without root every interface
  // would look unenforced, which is not an answer.
  if (geteuid() != 0) {
    std::cerr << "polc: error: status needs root to read pins in /sys/fs/bpf/polc\n";
    return kExitEnvironment;
  }
  std::vector<runtime::IfaceId> ids;
  if (!opt.iface.empty()) ids.push_back({opt.netns, opt.iface});
  else
    for (auto &id : runtime::enforced_interfaces())
      if (opt.netns.empty() || id.netns == opt.netns) ids.push_back(id);
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto &id : ids) all.push_back(runtime::interface_status(id));
  if (opt.format == "json") {
    std::cout << nlohmann::ordered_json{{"interfaces", all}}.dump(2) << "\n";
  } else {
    if (all.empty()) std::cout << "polc enforces no interface\n";
    for (const auto &s : all) print_text(s);
  }
  return kExitOk;
}

}  // namespace

void add_status_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<StatusOptions>();
  auto *sub = app.add_subcommand("status", "what polc enforces, per interface");
  sub->add_option("--iface", opt->iface, "one interface");
  sub->add_option("--netns", opt->netns, "named network namespace");
  sub->add_option("--format", opt->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  sub->callback([opt, &exit_code] { exit_code = run_status(*opt); });
}

}  // namespace polc::cli
