#include "runtime/netns_guard.h"

#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <net/if.h>
#include <sched.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace polc::runtime {

Result<PrivateNetns> PrivateNetns::create() {
  // unshare() moves the calling thread for good: do it on a thread of its
  // own, which keeps a handle on the namespace and ends.
  PrivateNetns ns;
  int err = 0;
  std::thread maker([&] {
    if (::unshare(CLONE_NEWNET) != 0) {
      err = errno;
      return;
    }
    ns.ns_ = UniqueFd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!ns.ns_.valid()) err = errno;
  });
  maker.join();
  if (err)
    return environment_error(std::string("cannot create a private network namespace: ") + std::strerror(err));
  return ns;
}

Result<NetnsGuard> PrivateNetns::enter() const { return NetnsGuard::enter_fd(ns_.get(), "a private namespace"); }

Result<NetnsGuard> NetnsGuard::enter(const std::string &name) {
  if (name.empty()) return NetnsGuard();
  std::string path = "/run/netns/" + name;
  UniqueFd target(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!target.valid())
    return environment_error("no network namespace \"" + name + "\" (" + path + ": " + std::strerror(errno) + ")");
  return enter_fd(target.get(), "network namespace \"" + name + "\"");
}

Result<NetnsGuard> NetnsGuard::enter_fd(int ns_fd, const std::string &what) {
  NetnsGuard guard;
  UniqueFd home(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!home.valid()) return environment_error(std::string("cannot open this network namespace: ") + std::strerror(errno));
  if (::setns(ns_fd, CLONE_NEWNET) != 0) return environment_error("cannot enter " + what + ": " + std::strerror(errno));
  guard.home_ = std::move(home);
  return guard;
}

NetnsGuard::~NetnsGuard() {
  if (home_.valid()) ::setns(home_.get(), CLONE_NEWNET);
}

Result<int> interface_index(const std::string &iface) {
  unsigned index = if_nametoindex(iface.c_str());
  if (index == 0) return environment_error("no interface \"" + iface + "\": " + std::strerror(errno));
  return static_cast<int>(index);
}

Result<std::vector<IpAddr>> interface_addresses(const std::string &netns, const std::string &iface) {
  auto ns = NetnsGuard::enter(netns);
  if (!ns) return ns.error();
  if (auto index = interface_index(iface); !index) return index.error();
  ifaddrs *list = nullptr;
  if (getifaddrs(&list) != 0) return environment_error(std::string("getifaddrs failed: ") + std::strerror(errno));
  std::vector<IpAddr> out;
  for (ifaddrs *a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || iface != a->ifa_name) continue;
    IpAddr ip;
    if (a->ifa_addr->sa_family == AF_INET) {
      ip.family = Family::V4;
      std::memcpy(ip.bytes.data(), &reinterpret_cast<sockaddr_in *>(a->ifa_addr)->sin_addr, 4);
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      ip.family = Family::V6;
      std::memcpy(ip.bytes.data(), &reinterpret_cast<sockaddr_in6 *>(a->ifa_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    out.push_back(ip);
  }
  freeifaddrs(list);
  return out;
}

}  // namespace polc::runtime
