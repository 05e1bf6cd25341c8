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
  NetnsGuard(NetnsGuard &&) = default;
  NetnsGuard &operator=(NetnsGuard &&) = default;
  ~NetnsGuard();

 private:
  NetnsGuard() = default;
  UniqueFd home_;
};

// The ifindex of `iface` in the current network namespace.
Result<int> interface_index(const std::string &iface);
// The addresses of `iface` (both families; IPv6 link-local included), in
// the named namespace: the implicit host endpoint of an inventory-less apply.
Result<std::vector<IpAddr>> interface_addresses(const std::string &netns, const std::string &iface);

}  // namespace polc::runtime
