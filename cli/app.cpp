#include "cli/app.h"

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "frontend/diagnostics.h"

namespace polc {

namespace {

constexpr const char *kVersion = "polc 0.1.0";

// `polc compil`: CLI11 would only say that a subcommand is required.
// Names the word and the nearest command instead, as git does.
bool unknown_command(const CLI::App &app, int argc, char **argv) {
  if (argc < 2 || argv[1][0] == '-') return false;
  std::string_view word = argv[1];
  std::vector<std::string_view> names;
  for (const CLI::App *sub : app.get_subcommands([](const CLI::App *) { return true; })) {
    if (sub->get_name() == word) return false;
    names.push_back(sub->get_name());
  }
  std::string hint = nearest(word, names);
  std::cerr << "polc: unknown command \"" << word << "\""
            << (hint.empty() ? std::string("") : "; did you mean \"" + hint + "\"?") << "\n"
            << "Run 'polc help' for the list of commands.\n";
  return true;
}

// `polc apply --ifac eth0`: checked before parsing, since CLI11 would
// first complain that --iface is missing. Names each long option the
// command does not take, with the nearest one it does.
bool unknown_option(const CLI::App &app, int argc, char **argv) {
  if (argc < 3) return false;
  const CLI::App *cmd = nullptr;
  for (const CLI::App *sub : app.get_subcommands([](const CLI::App *) { return true; }))
    if (sub->get_name() == argv[1]) cmd = sub;
  if (!cmd) return false;
  std::vector<std::string> names = {"--help"};
  for (const CLI::Option *opt : cmd->get_options())
    for (const std::string &l : opt->get_lnames()) names.push_back("--" + l);
  std::vector<std::string_view> views(names.begin(), names.end());
  bool found = false;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;  // what follows is operands
    if (arg.rfind("--", 0) != 0) continue;
    std::string_view word = arg.substr(0, arg.find('='));
    if (std::find(views.begin(), views.end(), word) != views.end()) continue;
    std::string hint = nearest(word, views);
    std::cerr << "polc " << cmd->get_name() << ": unknown option \"" << word << "\""
              << (hint.empty() ? std::string("") : "; did you mean \"" + hint + "\"?") << "\n";
    found = true;
  }
  if (found) std::cerr << "Run 'polc " << cmd->get_name() << " --help' for its options.\n";
  return found;
}

}  // namespace

int run_cli(int argc, char **argv) {
  // Named "polc" whatever path it was started by, so usage lines read as
  // the user types them.
  CLI::App app{"polc: a network policy compiler to eBPF", "polc"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kVersion);

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

  cli::add_stats_command(app, exit_code);
  cli::add_monitor_command(app, exit_code);
  cli::add_agent_command(app, exit_code);
  cli::add_push_command(app, exit_code);

  app.add_subcommand("version", "print polc's version")->callback([] { std::cout << kVersion << "\n"; });
  app.add_subcommand("help", "list the commands")->callback([&app] {
    std::cout << app.get_formatter()->make_help(&app, "polc", CLI::AppFormatMode::Normal);
  });

  if (unknown_command(app, argc, argv) || unknown_option(app, argc, argv)) return kExitUsage;
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
