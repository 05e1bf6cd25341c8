// polc apply / rollback / detach / status on a real interface, proven with
// real traffic between two network namespaces the test makes (support/netns.h):
// the policy is enforced on the server's veth "s0" with --netns, and the
// client tries curl, ping and UDP across it.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/netns.h"
#include "tests/support/test_env.h"

namespace polc::test {
namespace {

// Ingress to the host endpoint (the server's addresses): TCP `port` from
// the client's subnet; egress: only TCP 7000 to the client, so the server's
// replies pass through conntrack alone. With `icmp`, echo requests too
// (a different program shape).
std::string server_policy(int port, bool icmp) {
  std::string ingress = R"({"fromCIDR": ["10.200.0.0/24", "fd77::/64"],
      "toPorts": [{"ports": [{"port": ")" + std::to_string(port) + R"(", "protocol": "TCP"},
                            {"port": "7001", "protocol": "TCP"}, {"port": "7002", "protocol": "UDP"}]}]})";
  if (icmp)
    ingress += R"(, {"fromCIDR": ["10.200.0.0/24"], "icmps": [{"fields": [{"type": 8, "family": "IPv4"}]}]})";
  return R"([{"endpointSelector": {}, "ingress": [)" + ingress + R"(],
    "egress": [{"toCIDR": ["10.200.0.1/32"], "toPorts": [{"ports": [{"port": "7000", "protocol": "TCP"}]}]}]}])";
}

struct World {
  VethPair net;
  TempDir dir;
  World() {
    // Two HTTP servers (dual stack) on 8080 and 8081.
    net.in_server("(python3 -m http.server 8080 --bind :: >/dev/null 2>&1 &); "
                  "(python3 -m http.server 8081 --bind :: >/dev/null 2>&1 &); sleep 1");
  }
  CommandResult apply(const std::string &policy, const std::vector<std::string> &extra = {}) {
    std::string path = (dir / ("p" + std::to_string(counter++) + ".json")).string();
    write_file(path, policy);
    std::vector<std::string> args = {"apply", path, "--iface", "s0", "--netns", net.server(), "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_polc(args);
  }
  std::string apply_result(const std::string &policy, const std::vector<std::string> &extra = {}) {
    CommandResult r = apply(policy, extra);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out).value("result", "");
  }
  bool curl(const std::string &host, int port) {
    return net.in_client("curl -s -m 2 -o /dev/null http://" + host + ":" + std::to_string(port) + "/").exit_code == 0;
  }
  bool ping4() { return net.in_client("ping -c1 -W1 10.200.0.2").exit_code == 0; }
  int counter = 0;
};

}  // namespace

TEST_CASE("apply enforces, swaps maps and programs, rolls back and detaches, IPv4 and IPv6") {
  if (!bpf_tests_enabled()) return;
  World w;
  REQUIRE(w.net.ok());
  REQUIRE(w.curl("10.200.0.2", 8080));
  REQUIRE(w.curl("10.200.0.2", 8081));

  CHECK(w.apply_result(server_policy(8080, false)) == "attached");
  // Allowed by port; the replies pass only through conntrack (egress allows
  // just TCP 7000 to the client).
  CHECK(w.curl("10.200.0.2", 8080));
  CHECK(w.curl("[fd77::2]", 8080));
  CHECK_FALSE(w.curl("10.200.0.2", 8081));
  CHECK_FALSE(w.curl("[fd77::2]", 8081));
  CHECK_FALSE(w.ping4());  // ports present: ICMP not allowed implicitly

  // Same input twice: nothing changes.
  CHECK(w.apply_result(server_policy(8080, false)) == "unchanged");

  // Same shape, new port: a map-only swap.
  CHECK(w.apply_result(server_policy(8081, false)) == "map-swap");
  CHECK(w.curl("10.200.0.2", 8081));
  CHECK(w.curl("[fd77::2]", 8081));
  CHECK_FALSE(w.curl("10.200.0.2", 8080));

  // Rollback: back to 8080 in one flip.
  CommandResult rb = run_polc({"rollback", "--iface", "s0", "--netns", w.net.server()});
  INFO(rb.err);
  CHECK(rb.exit_code == 0);
  CHECK(w.curl("10.200.0.2", 8080));
  CHECK_FALSE(w.curl("10.200.0.2", 8081));

  // New shape (ICMP types): programs swapped by link update.
  CHECK(w.apply_result(server_policy(8080, true)) == "program-swap");
  CHECK(w.ping4());
  CHECK(w.curl("10.200.0.2", 8080));
  // Rollback across objects: the previous programs again.
  CHECK(run_polc({"rollback", "--iface", "s0", "--netns", w.net.server()}).exit_code == 0);
  CHECK_FALSE(w.ping4());
  CHECK(w.curl("10.200.0.2", 8080));

  CommandResult status = run_polc({"status", "--iface", "s0", "--netns", w.net.server(), "--format", "json"});
  REQUIRE(status.exit_code == 0);
  auto s = nlohmann::json::parse(status.out)["interfaces"][0];
  CHECK(s["attached"] == true);
  CHECK(s["attach_mode"] == "tcx link");
  CHECK(s["programs"].size() == 2);
  CHECK(s["maps"]["allow"].get<int>() > 0);
  CHECK(s["maps"]["conntrack"]["entries"].get<int>() > 0);

  CHECK(run_polc({"detach", "--iface", "s0", "--netns", w.net.server()}).exit_code == 0);
  CHECK(w.curl("10.200.0.2", 8081));
  CHECK(w.ping4());
  CHECK_FALSE(std::filesystem::exists("/sys/fs/bpf/polc/" + w.net.server() + "/s0"));
}

TEST_CASE("apply with the XDP hook enforces ingress") {
  if (!bpf_tests_enabled()) return;
  World w;
  REQUIRE(w.net.ok());
  std::string policy = R"([{"endpointSelector": {}, "ingress": [{"fromCIDR": ["10.200.0.0/24", "fd77::/64"],
      "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}]}]}]}])";
  CHECK(w.apply_result(policy, {"--hook", "xdp"}) == "attached");
  CHECK(w.curl("10.200.0.2", 8080));
  CHECK(w.curl("[fd77::2]", 8080));
  CHECK_FALSE(w.curl("10.200.0.2", 8081));
  // Changing hooks needs a detach first: refused, the policy stays.
  CHECK(w.apply(policy).exit_code == 3);
  CHECK_FALSE(w.curl("10.200.0.2", 8081));
  CHECK(run_polc({"detach", "--iface", "s0", "--netns", w.net.server()}).exit_code == 0);
  CHECK(w.curl("10.200.0.2", 8081));
}

TEST_CASE("swaps under traffic lose no allowed packet and deliver no denied one") {
  if (!bpf_tests_enabled()) return;
  World w;
  REQUIRE(w.net.ok());
  std::string script = (source_dir() / "tests/data/netns/traffic.py").string();
  std::string sink = (w.dir / "sink").string();
  w.net.in_server("(python3 " + script + " server " + sink + " >/dev/null 2>&1 &); sleep 0.5");
  REQUIRE(w.apply_result(server_policy(8080, false)) == "attached");

  std::string report = (w.dir / "report.json").string();
  std::thread client([&] { w.net.in_client("python3 " + script + " client 12 " + report + " 10.200.0.2"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  constexpr int kSwaps = 40;  // bounded for the suite; bench/ does more
  int failures = 0;
  for (int i = 0; i < kSwaps; ++i) {
    // Alternate: map-only (port 8080 <-> 8081) and shape (ICMP on/off).
    bool icmp = (i / 2) % 2 == 1;
    int port = i % 2 == 0 ? 8081 : 8080;
    if (w.apply(server_policy(port, icmp)).exit_code != 0) ++failures;
  }
  client.join();
  CHECK(failures == 0);
  auto r = nlohmann::json::parse(read_file(report));
  INFO(r.dump());
  CHECK(r["tcp_ok"] == true);
  CHECK(r["tcp_echoes"].get<int>() > 100);
  CHECK(r["udp_sent"].get<int>() > 1000);
  CHECK(r["udp_answered"] == r["udp_sent"]);
  CHECK_FALSE(std::filesystem::exists(sink));  // the denied port never received anything
  run_polc({"detach", "--iface", "s0", "--netns", w.net.server()});
}

TEST_CASE("apply killed at random points leaves the old or the new policy in force") {
  if (!bpf_tests_enabled()) return;
  World w;
  REQUIRE(w.net.ok());
  REQUIRE(w.apply_result(server_policy(8080, false)) == "attached");
  std::string a = (w.dir / "a.json").string(), b = (w.dir / "b.json").string();
  // Both allow 8080; a allows 8081 too (same shape), b adds ICMP (new shape).
  std::string both = server_policy(8080, false);
  both.replace(both.find("\"7001\""), 6, "\"8081\"");  // 8080 and 8081: same shape
  write_file(a, both);
  write_file(b, server_policy(8080, true));
  std::mt19937 rng(42);
  constexpr int kKills = 15;  // bounded for the suite
  for (int i = 0; i < kKills; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      std::string bin = polc_binary().string(), ns = w.net.server();
      const char *file = i % 2 ? a.c_str() : b.c_str();
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(bin.c_str(), bin.c_str(), "apply", file, "--iface", "s0", "--netns", ns.c_str(), (char *)nullptr);
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 400));
    kill(pid, SIGKILL);
    int st = 0;
    waitpid(pid, &st, 0);
    // Some policy in force: a port only one of them allows is never open
    // unless that one is, and one both deny (8082) is always closed.
    CHECK(w.curl("10.200.0.2", 8080));
    CHECK_FALSE(w.curl("10.200.0.2", 8082));
    CommandResult status = run_polc({"status", "--iface", "s0", "--netns", w.net.server(), "--format", "json"});
    CHECK(status.exit_code == 0);
  }
  // And the next apply works.
  CHECK(w.apply(server_policy(8080, false)).exit_code == 0);
  CHECK(w.curl("10.200.0.2", 8080));
  CHECK_FALSE(w.curl("10.200.0.2", 8081));
  run_polc({"detach", "--iface", "s0", "--netns", w.net.server()});
}

}  // namespace polc::test
