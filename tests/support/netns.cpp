#include "tests/support/netns.h"

#include <unistd.h>

#include <atomic>

namespace polc::test {

namespace {
std::atomic<int> counter{0};
}

VethPair::VethPair() {
  int n = counter++;
  std::string base = "polc-t-" + std::to_string(getpid()) + "-" + std::to_string(n);
  client_ = base + "c";
  server_ = base + "s";
  std::string script =
      "set -e; ip netns add " + client_ + "; ip netns add " + server_ +
      "; ip link add c0 netns " + client_ + " address 02:00:00:00:00:01 type veth peer name s0 netns " + server_ +
      " address 02:00:00:00:00:02" +
      "; for ns in " + client_ + " " + server_ + "; do ip -n $ns link set lo up; done" +
      "; ip -n " + client_ + " addr add 10.200.0.1/24 dev c0; ip -n " + client_ + " addr add fd77::1/64 dev c0 nodad" +
      "; ip -n " + server_ + " addr add 10.200.0.2/24 dev s0; ip -n " + server_ + " addr add fd77::2/64 dev s0 nodad" +
      "; ip -n " + client_ + " link set c0 up; ip -n " + server_ + " link set s0 up" +
      // Static neighbours: NDP is ICMPv6, which an enforcing policy may drop.
      "; ip -n " + client_ + " neigh replace 10.200.0.2 lladdr 02:00:00:00:00:02 dev c0 nud permanent" +
      "; ip -n " + client_ + " neigh replace fd77::2 lladdr 02:00:00:00:00:02 dev c0 nud permanent" +
      "; ip -n " + server_ + " neigh replace 10.200.0.1 lladdr 02:00:00:00:00:01 dev s0 nud permanent" +
      "; ip -n " + server_ + " neigh replace fd77::1 lladdr 02:00:00:00:00:01 dev s0 nud permanent";
  ok_ = run_shell(script).exit_code == 0;
  // Neighbour discovery settles before the first test packet.
  if (ok_) ok_ = in_client("ping -c1 -W2 10.200.0.2 && ping -6 -c1 -W2 fd77::2").exit_code == 0;
}

VethPair::~VethPair() {
  // Whatever a test attached goes first; then any pins and state polc kept
  // for this namespace, so test runs leave nothing behind in bpffs.
  run_polc({"detach", "--iface", "s0", "--netns", server_});
  run_shell("rm -rf /sys/fs/bpf/polc/" + server_ + " /run/polc/" + server_);
  run_shell("ip netns pids " + server_ + " | xargs -r kill -9; ip netns pids " + client_ +
            " | xargs -r kill -9; ip netns del " + client_ + "; ip netns del " + server_);
}

CommandResult VethPair::in_client(const std::string &command) const {
  return run_shell("ip netns exec " + client_ + " sh -c '" + command + "'");
}

CommandResult VethPair::in_server(const std::string &command) const {
  return run_shell("ip netns exec " + server_ + " sh -c '" + command + "'");
}

}  // namespace polc::test
