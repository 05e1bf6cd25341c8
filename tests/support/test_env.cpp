#include "tests/support/test_env.h"

#include <algorithm>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <vector>

namespace polc::test {

bool quick_mode() {
  const char *v = std::getenv("POLC_TEST_QUICK");
  return v && std::string(v) == "1";
}

int scaled_count(int full, int floor) {
  if (!quick_mode()) return full;
  return std::max(floor, full / 10);
}

std::filesystem::path source_dir() { return POLC_SOURCE_DIR; }
std::filesystem::path corpus_dir() { return POLC_CORPUS_DIR; }
std::filesystem::path polc_binary() { return POLC_BINARY; }

bool bpf_tests_enabled() {
  const char *ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") return true;
  if (geteuid() != 0) {
    static bool said = false;
    if (!said) std::cerr << "note: not root: skipping tests that load BPF programs\n";
    said = true;
    return false;
  }
  return true;
}

std::string shell_quote(const std::string &s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_file(const std::filesystem::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::filesystem::path &p, const std::string &text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << text;
}

TempDir::TempDir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (;;) {
    path_ = base / ("polc-test-" + std::to_string(rd()));
    if (std::filesystem::create_directory(path_)) break;
  }
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

static std::string slurp_fd(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  return out;
}

static CommandResult run_argv(const std::vector<std::string> &argv) {
  CommandResult r;
  char out_tmpl[] = "/tmp/polc-out-XXXXXX";
  char err_tmpl[] = "/tmp/polc-err-XXXXXX";
  int out_fd = mkstemp(out_tmpl);
  int err_fd = mkstemp(err_tmpl);
  unlink(out_tmpl);
  unlink(err_tmpl);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    std::vector<char *> args;
    for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  lseek(out_fd, 0, SEEK_SET);
  lseek(err_fd, 0, SEEK_SET);
  r.out = slurp_fd(out_fd);
  r.err = slurp_fd(err_fd);
  close(out_fd);
  close(err_fd);
  return r;
}

namespace {

// polc's object cache (cli/object_cache.h) for the polc runs of this test
// process: a directory of its own, removed at exit, so that tests leave
// nothing in /run/polc/objects. A POLC_OBJECT_CACHE already set wins.
struct TestObjectCache {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("polc-test-objects-" + std::to_string(::getpid()));
  TestObjectCache() { ::setenv("POLC_OBJECT_CACHE", dir.c_str(), 0); }
  ~TestObjectCache() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace

CommandResult run_polc(const std::vector<std::string> &args) {
  static TestObjectCache object_cache;
  std::vector<std::string> argv{polc_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_argv(argv);
}

CommandResult run_shell(const std::string &command_line) {
  return run_argv({"/bin/sh", "-c", command_line});
}

}  // namespace polc::test
