#include "bench/bench_support.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace polc::bench {

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval &tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; };
  return secs(ru.ru_utime) + secs(ru.ru_stime);
}

double peak_rss_mib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_maxrss) / 1024.0;  // Linux reports KiB
}

Stopwatch::Stopwatch() : wall_start_(std::chrono::steady_clock::now()), cpu_start_(bench::cpu_seconds()) {}

double Stopwatch::wall_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count();
}

double Stopwatch::cpu_seconds() const { return bench::cpu_seconds() - cpu_start_; }

ChildResult run_in_child(const std::function<bool()> &body) {
  std::cout.flush();
  std::fflush(nullptr);
  ChildResult result;
  pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return result;
  }
  if (pid == 0) {
    bool ok = body();
    std::cout.flush();
    std::fflush(nullptr);
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) < 0) {
    std::perror("wait4");
    return result;
  }
  result.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  result.peak_rss_mib = double(ru.ru_maxrss) / 1024.0;
  return result;
}

}  // namespace polc::bench
