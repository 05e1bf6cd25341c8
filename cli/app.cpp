#include "cli/app.h"

#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/exit_codes.h"

namespace polc {

namespace {

int not_implemented(const std::string &command) {
  std::cerr << "polc: " << command << ": not implemented yet\n";
  return kExitUsage;
}

}  // namespace

int run_cli(int argc, char **argv) {
  CLI::App app{"polc: a network policy compiler to eBPF"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "polc 0.1.0");

  std::vector<std::string> all_commands = {"compile", "verify", "test",     "lint",
                                           "apply",   "status", "rollback", "detach",
                                           "convert", "fmt",    "stats",    "monitor"};
  for (const auto &name : all_commands) {
    auto *sub = app.add_subcommand(name);
    sub->allow_extras();
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    app.exit(e);
    return kExitUsage;
  }
  for (auto *sub : app.get_subcommands()) return not_implemented(sub->get_name());
  return kExitUsage;
}

}  // namespace polc
