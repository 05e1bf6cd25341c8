// A process the test starts and leaves running (a `polc agent`), its
// stdout and stderr in a log file; killed (SIGKILL) and reaped when the
// object goes, so no test leaves one behind.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace polc::test {

class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string> &argv, std::string log_path);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess &) = delete;
  BackgroundProcess &operator=(const BackgroundProcess &) = delete;

  bool running();
  // Sends `sig` and waits up to `timeout_ms` for the exit; the exit status
  // (as waitpid gives it), or -1 when it did not exit.
  int stop(int sig, int timeout_ms = 5000);
  std::string log() const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

}  // namespace polc::test
