// Acting on an interface inside a named network namespace (`--netns NAME`,
// as `ip netns` knows it): the calling thread enters the namespace for the
// interface lookup and the link creation, and the guard's destructor brings
// it back. Pins stay in the host's bpffs (mount namespaces are untouched).
#pragma once

#include <string>
#include <vector>

#include "frontend/net.h"
#include "frontend/result.h"
#include "runtime/unique_fd.h"

namespace polc::runtime {

class NetnsGuard {
 public:
  // An empty name stays where we are.
  static Result<NetnsGuard> enter(const std::string &name);
  // A namespace by file descriptor; `what` names it in errors.
  static Result<NetnsGuard> enter_fd(int ns_fd, const std::string &what);
  NetnsGuard(NetnsGuard &&) = default;
  NetnsGuard &operator=(NetnsGuard &&) = default;
  ~NetnsGuard();

 private:
  NetnsGuard() = default;
  UniqueFd home_;
};


// A network namespace of polc's own, holding only a loopback device that
// is down, alive as long as this object. For BPF_PROG_TEST_RUN: a program
// under test that sends a packet (the HTTP 403, bpf_clone_redirect to the
// skb's device, which a test run sets to the loopback device of the
// caller's namespace) must not reach the host's network stack, so test
// runs happen inside it.
class PrivateNetns {
 public:
  static Result<PrivateNetns> create();
  // The calling thread is in the namespace until the guard goes.
  Result<NetnsGuard> enter() const;

 private:
  PrivateNetns() = default;
  UniqueFd ns_;
};

// The ifindex of `iface` in the current network namespace.
Result<int> interface_index(const std::string &iface);
// The addresses of `iface` (both families; IPv6 link-local included), in
// the named namespace: the implicit host endpoint of an inventory-less apply.
Result<std::vector<IpAddr>> interface_addresses(const std::string &netns, const std::string &iface);

}  // namespace polc::runtime
