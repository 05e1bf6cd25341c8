// One function per subcommand; each returns a CONTRACT §2 exit code.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace polc::cli {

void add_compile_command(CLI::App &app, int &exit_code);
void add_convert_command(CLI::App &app, int &exit_code);
void add_test_command(CLI::App &app, int &exit_code);
void add_verify_command(CLI::App &app, int &exit_code);
void add_lint_command(CLI::App &app, int &exit_code);
void add_fmt_command(CLI::App &app, int &exit_code);
void add_apply_command(CLI::App &app, int &exit_code);
void add_status_command(CLI::App &app, int &exit_code);
void add_rollback_command(CLI::App &app, int &exit_code);
void add_detach_command(CLI::App &app, int &exit_code);
void add_stats_command(CLI::App &app, int &exit_code);
void add_monitor_command(CLI::App &app, int &exit_code);
void add_agent_command(CLI::App &app, int &exit_code);
void add_push_command(CLI::App &app, int &exit_code);

}  // namespace polc::cli
