// `polc agent` on two simulated hosts that follow one real etcd
// (support/etcd_server.h). Each host is a pair of network namespaces
// (support/netns.h) with its own agent enforcing on the server's veth; the
// client's curl proves what is enforced. `polc push` writes the policies.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <functional>
#include <memory>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "fleet/etcd_client.h"
#include "tests/support/background_process.h"
#include "tests/support/etcd_server.h"
#include "tests/support/fleet_store.h"
#include "tests/support/netns.h"
#include "tests/support/test_env.h"

namespace polc::test {
namespace {

using Clock = std::chrono::steady_clock;

// web (the server side of each host) takes TCP `port` from client alone.
std::string web_policy(int port) {
  return R"([{"endpointSelector": {"matchLabels": {"app": "web"}},
  "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "client"}}],
               "toPorts": [{"ports": [{"port": ")" +
         std::to_string(port) + R"(", "protocol": "TCP"}]}]}]}]
)";
}

// Both hosts have the same addresses, each in namespaces of its own.
std::string inventory(bool second_client) {
  std::string extra =
      second_client ? R"(, {"name": "client-2", "labels": {"app": "client"}, "ips": ["10.200.0.3"]})" : "";
  return R"({"endpoints": [
  {"name": "web", "labels": {"app": "web"}, "ips": ["10.200.0.2", "fd77::2"]},
  {"name": "client", "labels": {"app": "client"}, "ips": ["10.200.0.1", "fd77::1"]})" +
         extra + "]}\n";
}

struct Host {
  std::string node;
  VethPair net;
  std::unique_ptr<BackgroundProcess> agent;
  std::string log_path;

  Host(std::string name, const TempDir &dir) : node(std::move(name)), log_path((dir / (node + ".log")).string()) {
    if (!net.ok()) return;
    net.in_server("(python3 -m http.server 8080 --bind :: >/dev/null 2>&1 &); "
                  "(python3 -m http.server 8081 --bind :: >/dev/null 2>&1 &)");
    net.in_server("for i in $(seq 200); do ss -Hltn | grep -q ':8080 ' && ss -Hltn | grep -q ':8081 ' && exit 0; "
                  "sleep 0.05; done; exit 1");
  }
  void start_agent(const std::string &etcd) {
    agent = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{polc_binary().string(), "agent", "--etcd", etcd, "--node", node, "--iface", "s0",
                                 "--netns", net.server(), "--lease-ttl", "3"},
        log_path);
  }
  std::string log() const { return read_file(log_path); }
  bool open(int port) {
    return net.in_client("curl -s -m 2 -o /dev/null http://10.200.0.2:" + std::to_string(port) + "/").exit_code == 0;
  }
  bool blocked(int port) {
    return net.in_client("curl -s --connect-timeout 0.5 -m 1 -o /dev/null http://10.200.0.2:" +
                         std::to_string(port) + "/")
               .exit_code != 0;
  }
  // `allowed` answers, the other port's connection is dropped.
  bool enforces(int allowed, int denied) { return open(allowed) && blocked(denied); }
};

bool at_revision(const nlohmann::json &s, int64_t revision) {
  return s.value("state", "") == "ok" && s["revision"].is_number() && s["revision"].get<int64_t>() >= revision;
}

TEST_CASE("fleet: two hosts' agents follow one etcd store, through a broken policy, an outage and a restart") {
  if (!bpf_tests_enabled() || !etcd_tests_enabled()) return;
  EtcdServer etcd;
  REQUIRE_MESSAGE(etcd.ok(), etcd.log());
  TempDir dir;
  Host a("host-a", dir), b("host-b", dir);
  REQUIRE(a.net.ok());
  REQUIRE(b.net.ok());
  std::vector<Host *> hosts = {&a, &b};
  const std::vector<std::string> nodes = {a.node, b.node};
  fleet::EtcdClient client({etcd.endpoint()});
  std::filesystem::create_directories(dir / "v1");
  std::filesystem::create_directories(dir / "v2");
  write_file(dir / "v1" / "web.json", web_policy(8080));
  write_file(dir / "v2" / "web.json", web_policy(8081));
  write_file(dir / "eps.json", inventory(false));
  write_file(dir / "eps2.json", inventory(true));
  auto push = [&](const std::vector<std::string> &extra) {
    std::vector<std::string> args = {"push", "--etcd", etcd.endpoint()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_polc(args);
  };
  auto logs = [&] { return "host-a:\n" + a.log() + "\nhost-b:\n" + b.log() + "\netcd:\n" + etcd.log(); };

  // A pushed policy is enforced on both hosts.
  CommandResult first = push({(dir / "v1" / "web.json").string(), "--endpoints", (dir / "eps.json").string()});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  int64_t rev1 = pushed_revision(first);
  REQUIRE(rev1 > 0);
  for (Host *h : hosts) h->start_agent(etcd.endpoint());
  REQUIRE_MESSAGE(!wait_statuses(client, nodes, [&](const auto &s) { return at_revision(s, rev1); }).empty(), logs());
  CHECK(a.enforces(8080, 8081));
  CHECK(b.enforces(8080, 8081));

  // A change is enforced on both; the time from the push to both statuses.
  auto pushed_at = Clock::now();
  CommandResult second = push({(dir / "v2" / "web.json").string()});
  REQUIRE(second.exit_code == 0);
  int64_t rev2 = pushed_revision(second);
  REQUIRE(rev2 > rev1);
  REQUIRE_MESSAGE(!wait_statuses(client, nodes, [&](const auto &s) { return at_revision(s, rev2); }).empty(), logs());
  MESSAGE("push to both statuses at revision " << rev2 << ": "
                                               << std::chrono::duration<double, std::milli>(Clock::now() - pushed_at).count()
                                               << " ms (the push command included)");
  CHECK(a.enforces(8081, 8080));
  CHECK(b.enforces(8081, 8080));

  // A broken policy written straight into etcd: both report it at its key,
  // and the last good policy stays in force.
  auto broken = client.put("/polc/policies/broken.json",
                           "[{\"endpointSelector\": {},\n  \"ingress\": [{\"fromCIDR\": [\"10.0.0.300/8\"]}]}]\n");
  REQUIRE(broken.ok());
  REQUIRE_MESSAGE(!wait_statuses(client, nodes,
                              [&](const auto &s) {
                                return s.value("state", "") == "error" && s["error"].is_string() &&
                                       s["error"].template get<std::string>().find(
                                           "/polc/policies/broken.json:2:") != std::string::npos;
                              }).empty(),
                  logs());
  for (Host *h : hosts) CHECK(status_of(client, h->node)["revision"] == rev2);
  CHECK(a.enforces(8081, 8080));
  CHECK(b.enforces(8081, 8080));
  auto removed = client.txn({fleet::TxnOp::erase("/polc/policies/broken.json")});
  REQUIRE(removed.ok());
  REQUIRE_MESSAGE(!wait_statuses(client, nodes, [&](const auto &s) { return at_revision(s, *removed); }).empty(), logs());

  // `polc push` of a broken policy writes nothing and exits 1.
  auto before = client.range_prefix("/polc/policies/");
  REQUIRE(before.ok());
  write_file(dir / "bad.json", "[{\"endpointSelector\": {}, \"ingress\": [{\"toPorts\": [{\"ports\": "
                               "[{\"port\": \"99999\"}]}]}]}]\n");
  CommandResult refused = push({(dir / "bad.json").string(), (dir / "v1" / "web.json").string()});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("bad.json:1:") != std::string::npos);
  auto after = client.range_prefix("/polc/policies/");
  REQUIRE(after.ok());
  CHECK(after->kvs.size() == before->kvs.size());
  for (size_t i = 0; i < std::min(after->kvs.size(), before->kvs.size()); ++i)
    CHECK(after->kvs[i].mod_revision == before->kvs[i].mod_revision);

  // etcd away for 10 s: enforcement never changes; a change after it is
  // back is applied.
  etcd.stop();
  auto outage = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - outage).count() < 10) {
    CHECK(a.enforces(8081, 8080));
    CHECK(b.enforces(8081, 8080));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  REQUIRE_MESSAGE(etcd.start(), etcd.log());
  CommandResult third = push({(dir / "v1" / "web.json").string()});
  INFO(third.err);
  REQUIRE(third.exit_code == 0);
  int64_t rev3 = pushed_revision(third);
  REQUIRE_MESSAGE(!wait_statuses(client, nodes, [&](const auto &s) { return at_revision(s, rev3); }).empty(), logs());
  CHECK(a.enforces(8080, 8081));
  CHECK(b.enforces(8080, 8081));

  // SIGKILL, then a new agent: it finds the policy in force already.
  a.agent->stop(SIGKILL);
  const size_t log_before = a.log().size();
  a.start_agent(etcd.endpoint());
  REQUIRE_MESSAGE(!wait_status(client, a.node,
                              [&](const auto &s) {
                                return at_revision(s, rev3) && s["counters"]["applies"] == 1 &&
                                       s["last_change"]["kind"] == "unchanged";
                              }).is_null(),
                  logs());
  CHECK(a.log().substr(log_before).find("unchanged") != std::string::npos);
  CHECK(a.enforces(8080, 8081));

  // An endpoint added: a map-only swap, nothing compiled.
  CommandResult fourth = push({"--endpoints", (dir / "eps2.json").string()});
  INFO(fourth.err);
  REQUIRE(fourth.exit_code == 0);
  int64_t rev4 = pushed_revision(fourth);
  REQUIRE_MESSAGE(!wait_statuses(client, nodes,
                              [&](const auto &s) {
                                return at_revision(s, rev4) && s["last_change"]["kind"] == "map-swap" &&
                                       s["last_change"]["compiled"] == false;
                              }).empty(),
                  logs());
  CHECK(a.enforces(8080, 8081));

  // SIGTERM: the status key goes with the lease; the policy stays.
  for (Host *h : hosts) CHECK(h->agent->stop(SIGTERM) == 0);
  CHECK(status_of(client, "host-a").is_null());
  CHECK(status_of(client, "host-b").is_null());
  CHECK(a.enforces(8080, 8081));
  for (Host *h : hosts) run_polc({"detach", "--iface", "s0", "--netns", h->net.server()});
}

}  // namespace
}  // namespace polc::test
