// polc rollback --iface IF [--netns NAME]: back to the previous generation,
// atomically (a slot flip, or a link update to the previous programs).
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "runtime/installer.h"

namespace polc::cli {

void add_rollback_command(CLI::App &app, int &exit_code) {
  struct Options {
    std::string iface, netns;
  };
  auto opt = std::make_shared<Options>();
  auto *sub = app.add_subcommand("rollback", "restore the previous policy generation on an interface");
  sub->add_option("--iface", opt->iface, "interface")->required();
  sub->add_option("--netns", opt->netns, "named network namespace");
  sub->callback([opt, &exit_code] {
    auto generation = runtime::rollback_policy(runtime::IfaceId{opt->netns, opt->iface});
    if (!generation) {
      std::cerr << "polc: error: rollback on " << opt->iface << ": " << generation.error().message << "\n";
      exit_code = generation.error().exit_code;
      return;
    }
    std::cout << opt->iface << ": generation " << *generation << " in force (rolled back)\n";
    exit_code = kExitOk;
  });
}

}  // namespace polc::cli
