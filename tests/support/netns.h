// Network namespaces for traffic tests: a pair of namespaces joined by a
// veth pair, addresses only inside them (IPv4 10.200.0.1/.2, IPv6
// fd77::1/::2), names unique per test run (polc-t-<pid>-<n>), always
// removed by the destructor. Never touches the root namespace's network.
#pragma once

#include <string>

#include "tests/support/test_env.h"

namespace polc::test {

class VethPair {
 public:
  // `client` and `server` namespaces, veth "c0" in client, "s0" in server.
  VethPair();
  ~VethPair();
  VethPair(const VethPair &) = delete;
  VethPair &operator=(const VethPair &) = delete;

  bool ok() const { return ok_; }
  const std::string &client() const { return client_; }
  const std::string &server() const { return server_; }
  static constexpr const char *kServerIface = "s0";
  static constexpr const char *kClient4 = "10.200.0.1";
  static constexpr const char *kServer4 = "10.200.0.2";
  static constexpr const char *kClient6 = "fd77::1";
  static constexpr const char *kServer6 = "fd77::2";

  // A command inside a namespace.
  CommandResult in_client(const std::string &command) const;
  CommandResult in_server(const std::string &command) const;

 private:
  std::string client_, server_;
  bool ok_ = false;
};

}  // namespace polc::test
