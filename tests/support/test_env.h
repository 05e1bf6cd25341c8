// What the tests need from their surroundings: paths, the polc binary,
// temporary folders, and whether BPF tests may run.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace polc::test {

std::filesystem::path source_dir();   // the repository
std::filesystem::path corpus_dir();   // ../shared/corpus beside the clone; may be absent
std::filesystem::path polc_binary();

// True when tests that load BPF programs should run. Outside CI a non-root
// user gets false and a message; in CI (CI=true) BPF tests always run, so a
// machine without BPF fails them instead of skipping.
bool bpf_tests_enabled();

// POLC_TEST_QUICK=1: the sanitizer pass of scripts/test.sh, after a plain
// pass that ran every randomized and repeated test at its full count.
// Such tests then run a fraction of their rounds.
bool quick_mode();
// `full`, or about a tenth of it (at least `floor`) in quick mode.
int scaled_count(int full, int floor = 1);

std::string read_file(const std::filesystem::path &p);
void write_file(const std::filesystem::path &p, const std::string &text);

// A fresh directory removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const std::filesystem::path &path() const { return path_; }
  std::filesystem::path operator/(const std::string &name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// `s` as one single-quoted shell word.
std::string shell_quote(const std::string &s);

// Runs `polc` with the given arguments (no shell), capturing both streams.
CommandResult run_polc(const std::vector<std::string> &args);
// Runs a shell command line, capturing both streams.
CommandResult run_shell(const std::string &command_line);

}  // namespace polc::test
