// What every benchmark needs: wall and CPU clocks, peak RSS, and running a
// case in a child process so that peaks of different cases do not mix
// (ru_maxrss only ever grows).
#pragma once

#include <chrono>
#include <functional>

namespace polc::bench {

// CPU time (user + system) of this process so far, in seconds.
double cpu_seconds();
// This process's peak resident set so far, in MiB.
double peak_rss_mib();

class Stopwatch {
 public:
  Stopwatch();
  double wall_seconds() const;
  double cpu_seconds() const;

 private:
  std::chrono::steady_clock::time_point wall_start_;
  double cpu_start_;
};

struct ChildResult {
  bool ok = false;          // exited with status 0
  double peak_rss_mib = 0;  // the child's peak, from wait4
};

// Runs `body` in a forked child (stdout flushed on both sides). The child
// exits 0 when `body` returns true.
ChildResult run_in_child(const std::function<bool()> &body);

}  // namespace polc::bench
