#include "cli/app.h"

#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace polc {

int run_cli(int argc, char **argv) {
  CLI::App app{"polc: a network policy compiler to eBPF"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "polc 0.1.0");

  int exit_code = kExitOk;
  cli::add_compile_command(app, exit_code);
  cli::add_convert_command(app, exit_code);
  cli::add_test_command(app, exit_code);
  cli::add_verify_command(app, exit_code);
  cli::add_lint_command(app, exit_code);
  cli::add_fmt_command(app, exit_code);
  cli::add_apply_command(app, exit_code);
  cli::add_status_command(app, exit_code);
  cli::add_rollback_command(app, exit_code);
  cli::add_detach_command(app, exit_code);

  // Commands of CONTRACT §2 that later work brings.
  for (const char *name : {"stats", "monitor"}) {
    auto *sub = app.add_subcommand(name, std::string(name) + " (not implemented yet)");
    sub->allow_extras();
    sub->callback([&exit_code, name] {
      std::cerr << "polc: " << name << ": not implemented yet\n";
      exit_code = kExitUsage;
    });
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    app.exit(e);
    return kExitUsage;
  }
  return exit_code;
}

}  // namespace polc
