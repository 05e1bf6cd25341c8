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

std::string joined(const std::vector<std::string> &parts) {
  std::string out;
  for (const auto &p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

uint64_t number(const nlohmann::ordered_json &j, const char *key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<uint64_t>() : 0;
}

// One interface for people: a line per topic, labels aligned, no JSON.
void print_text(const nlohmann::ordered_json &s) {
  std::string where = s["netns"] == "host" ? std::string(s["iface"]) : fmt::format("{} (netns {})", std::string(s["iface"]), std::string(s["netns"]));
  if (!s.value("attached", false)) {
    std::cout << where << ": not enforced by polc\n";
    return;
  }
  std::cout << fmt::format("{}: enforced since {} ({})\n", where, std::string(s["attached_since"]),
                           std::string(s["attach_mode"]));
  auto line = [](const char *label, const std::string &text) { std::cout << fmt::format("  {:<13}{}\n", label, text); };
  if (s.contains("error")) {
    line("error", std::string(s["error"]));
    return;
  }
  line("generation", fmt::format("{}, in force since {} (policy digest {})", number(s, "generation"),
                                 std::string(s["since"]), std::string(s["policy_digest"])));
  if (s.value("audit", false)) line("audit mode", "nothing is dropped; the drops below are what enforcing would drop");
  if (s.contains("policy_files") && !s["policy_files"].empty())
    line("policy files", joined(s["policy_files"].get<std::vector<std::string>>()));
  if (s.contains("previous_generation"))
    line("rollback", fmt::format("to generation {} (polc rollback)", number(s, "previous_generation")));
  std::vector<std::string> programs;
  for (const auto &p : s["programs"])
    programs.push_back(fmt::format("{} (id {}, {})", std::string(p["name"]), p["id"].get<uint32_t>(), std::string(p["attach"])));
  line("programs", joined(programs));
  const auto &m = s["maps"];
  std::vector<std::string> maps;
  if (m.contains("ipcache4")) maps.push_back(fmt::format("{} IPv4 and {} IPv6 addresses", number(m, "ipcache4"), number(m, "ipcache6")));
  if (m.contains("allow")) maps.push_back(fmt::format("{} allow and {} deny entries", number(m, "allow"), number(m, "deny")));
  if (m.contains("conntrack"))
    maps.push_back(fmt::format("{} of {} connections tracked", number(m["conntrack"], "entries"), number(m["conntrack"], "max_entries")));
  if (!maps.empty()) line("maps", joined(maps));
  if (s.contains("packets")) {
    std::vector<std::string> dropped;
    uint64_t passed = 0;
    for (const auto &[name, value] : s["packets"].items()) {
      if (name == "passed") passed = value.get<uint64_t>();
      else if (value.get<uint64_t>() != 0) dropped.push_back(fmt::format("{} {}", name, value.get<uint64_t>()));
    }
    line("packets", fmt::format("{} passed{}", passed, dropped.empty() ? ", none dropped" : "; " + joined(dropped)));
  }
  if (s.contains("default_deny"))
    line("default deny", fmt::format("{} packets ingress, {} egress", number(s["default_deny"], "ingress"),
                                     number(s["default_deny"], "egress")));
  if (s.contains("top_rules") && !s["top_rules"].empty()) {
    line("top rules", "(polc stats lists every rule)");
    for (const auto &r : s["top_rules"]) {
      bool allow = r["verdict"] == "allow";
      std::cout << fmt::format("    {:>10} {} {} {} {}\n", r[allow ? "flows" : "packets"].get<uint64_t>(),
                               allow ? "flows  " : "packets", std::string(r["direction"]), std::string(r["verdict"]),
                               std::string(r["source"]));
    }
  }
}

// `--iface X` without --netns, for an interface polc enforces only inside
// a namespace: the namespaces where it does.
std::vector<std::string> namespaces_enforcing(const std::string &iface) {
  std::vector<std::string> out;
  for (const auto &id : runtime::enforced_interfaces())
    if (id.iface == iface && !id.netns.empty()) out.push_back(id.netns);
  return out;
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
    if (!opt.iface.empty() && opt.netns.empty() && !all.empty() && !all[0].value("attached", false))
      for (const auto &ns : namespaces_enforcing(opt.iface))
        std::cout << fmt::format("  polc enforces {} in netns {}: polc status --iface {} --netns {}\n", opt.iface, ns,
                                 opt.iface, ns);
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
