// A real etcd for the fleet tests: /usr/bin/etcd alone on loopback, at
// ports free when it starts, with its data in a temporary folder. It can be
// stopped and started again on the same ports and data, as an outage.
#pragma once

#include <sys/types.h>

#include <string>

#include "tests/support/test_env.h"

namespace polc::test {

inline constexpr const char *kEtcdBinary = "/usr/bin/etcd";

// True when etcd tests can run. Without etcd they are skipped with a
// message, except in CI (CI=true), where that fails the calling test.
// Call it at the top of a TEST_CASE: `if (!etcd_tests_enabled()) return;`.
bool etcd_tests_enabled();

// A TCP port on 127.0.0.1 that nothing listened on a moment ago: a dead
// endpoint for failover tests.
int unused_port();

class EtcdServer {
 public:
  // Starts etcd and waits (up to 10 s) until it answers. etcd is killed
  // when the thread that started it ends (PR_SET_PDEATHSIG), so that a
  // crashed test run leaves no etcd behind: start it on the test's thread.
  EtcdServer();
  // Stops etcd; the data folder goes with the object.
  ~EtcdServer();
  EtcdServer(const EtcdServer &) = delete;
  EtcdServer &operator=(const EtcdServer &) = delete;

  // Running and answering (the last start() worked, no stop() since).
  bool ok() const { return ok_; }
  // "http://127.0.0.1:PORT", the same across stop() and start().
  const std::string &endpoint() const { return endpoint_; }

  // SIGTERM, then waits for etcd to exit (SIGKILL after 10 s).
  void stop();
  // Starts it again on the same ports and data; true when it answers.
  bool start();

  // What etcd wrote (all its runs), for failure messages.
  std::string log() const;

 private:
  TempDir dir_;
  std::string name_;
  int client_port_ = 0;
  int peer_port_ = 0;
  std::string endpoint_;
  pid_t pid_ = -1;
  bool ok_ = false;
};

}  // namespace polc::test
