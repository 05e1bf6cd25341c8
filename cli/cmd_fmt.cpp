// polc fmt [--check | --diff] FILE.pol...   ("-": standard input to standard output)
// Rewrites DSL files in the canonical layout (frontend/dsl_writer.h),
// comments kept. With --check nothing is written: the exit code says
// whether some file would change (1), as `gofmt -l`/`black --check` do.
// A file with errors is reported and left alone.
#include <stdio.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/session.h"
#include "frontend/dsl_reader.h"
#include "frontend/dsl_writer.h"
#include "frontend/source_reader.h"

namespace polc::cli {

namespace {

struct FmtOptions {
  std::vector<std::string> files;
  bool check = false;
  bool diff = false;
};

// The change as a unified diff, by diffutils' `diff -u` (Essential on
// Debian): the same format users read from git and gofmt -d.
std::string unified_diff(const std::string &path, const std::string &before, const std::string &after) {
  char dir_template[] = "/tmp/polc-fmt-XXXXXX";
  if (!::mkdtemp(dir_template)) return "";
  std::string dir = dir_template, a = dir + "/a", b = dir + "/b";
  std::ofstream(a, std::ios::binary) << before;
  std::ofstream(b, std::ios::binary) << after;
  auto quoted = [](const std::string &s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  };
  std::string command = "diff -u --label " + quoted(path) + " --label " + quoted(path) + " " + a + " " + b;
  std::string out;
  if (FILE *pipe = ::popen(command.c_str(), "r")) {
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    ::pclose(pipe);
  }
  std::filesystem::remove_all(dir);
  return out;
}

int run_fmt(const FmtOptions &opt) {
  Session session;
  bool input_error = false, would_change = false;
  for (const std::string &path : opt.files) {
    bool from_stdin = path == "-";  // formatted to standard output, as gofmt does
    if (!from_stdin && !has_extension(path, ".pol")) {
      std::cerr << "polc: fmt: " << path << ": not a DSL file (.pol); convert it with `polc convert --to pol`\n";
      input_error = true;
      continue;
    }
    uint32_t file = read_source_file(path, session.sources(), session.diags());
    ast::PolicySet rules;
    std::vector<DslComment> comments;
    if (file == 0 || !read_dsl(file, session.sources(), session.diags(), rules, &comments)) {
      input_error = true;
      continue;
    }
    std::string formatted = write_dsl(rules, comments);
    if (from_stdin && !opt.check && !opt.diff) {
      std::cout << formatted << std::flush;
      continue;
    }
    if (formatted == session.sources().contents(file)) continue;
    would_change = true;
    if (opt.diff) {
      std::cout << unified_diff(from_stdin ? std::string(kStdinName) : path, session.sources().contents(file), formatted);
    } else if (opt.check) {
      std::cerr << path << ": would be reformatted\n";
    } else if (!write_output(path, formatted)) {
      input_error = true;
    }
  }
  session.flush_diagnostics();
  if (input_error || ((opt.check || opt.diff) && would_change)) return kExitInputError;
  return kExitOk;
}

}  // namespace

void add_fmt_command(CLI::App &app, int &exit_code) {
  auto opt = std::make_shared<FmtOptions>();
  auto *sub = app.add_subcommand("fmt", "rewrite DSL files in the canonical layout");
  sub->add_option("files", opt->files, "DSL files (.pol); - reads standard input and writes standard output")->required();
  sub->add_flag("--check", opt->check, "write nothing; exit 1 when a file would change");
  sub->add_flag("--diff", opt->diff, "write nothing; print the change as a unified diff, exit 1 when there is one");
  sub->callback([opt, &exit_code] { exit_code = run_fmt(*opt); });
}

}  // namespace polc::cli
