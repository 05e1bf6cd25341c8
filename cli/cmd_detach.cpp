// polc detach --iface IF [--netns NAME]: removes every link, program and map
// polc put on the interface, and its state; nothing else.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "runtime/installer.h"

namespace polc::cli {

void add_detach_command(CLI::App &app, int &exit_code) {
  struct Options {
    std::string iface, netns;
  };
  auto opt = std::make_shared<Options>();
  auto *sub = app.add_subcommand("detach", "remove what polc attached to an interface");
  sub->add_option("--iface", opt->iface, "interface")->required();
  sub->add_option("--netns", opt->netns, "named network namespace");
  sub->callback([opt, &exit_code] {
    auto removed = runtime::detach_policy(runtime::IfaceId{opt->netns, opt->iface});
    if (!removed) {
      std::cerr << "polc: error: detach on " << opt->iface << ": " << removed.error().message << "\n";
      exit_code = removed.error().exit_code;
      return;
    }
    std::cout << opt->iface << (*removed ? ": detached\n" : ": polc had nothing attached\n");
    exit_code = kExitOk;
  });
}

}  // namespace polc::cli
