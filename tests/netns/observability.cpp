// polc stats and polc monitor on a real interface (CONTRACT §2), with real
// traffic between two namespaces the test makes (support/netns.h): the
// policy is enforced on the server's veth "s0", and the client sends curl
// requests and UDP datagrams (tests/data/netns/udp_send.py) across it.
//
// The inventory names only the IPv4 addresses, so only IPv4 traffic is
// enforced and counted: the namespaces' own IPv6 chatter (neighbour
// discovery) cannot move a count.
#include <doctest/doctest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/netns.h"
#include "tests/support/test_env.h"

namespace polc::test {
namespace {

constexpr const char *kInventory = R"({"endpoints": [
  {"name": "srv-1", "labels": {"app": "srv"}, "ips": ["10.200.0.2"]},
  {"name": "cli-1", "labels": {"app": "cli"}, "ips": ["10.200.0.1"]}
]})";

// Line 3: TCP 8080 allowed; line 4: UDP 7002 allowed; line 5: UDP 9090
// denied. Everything else to the server is denied by default.
constexpr const char *kPolicy = R"(policy {
  select app = srv;
  allow ingress from endpoints { app = cli } on tcp 8080;
  allow ingress from endpoints { app = cli } on udp 7002;
  deny ingress from endpoints { app = cli } on udp 9090;
}
)";

// The same rules on the same lines, and one more at the end: the same
// program shape, so a map-only swap.
constexpr const char *kPolicyGrown = R"(policy {
  select app = srv;
  allow ingress from endpoints { app = cli } on tcp 8080;
  allow ingress from endpoints { app = cli } on udp 7002;
  deny ingress from endpoints { app = cli } on udp 9090;
  allow ingress from endpoints { app = cli } on tcp 8081;
}
)";

// Line 3: GET /ok only, on TCP 8080.
constexpr const char *kHttpPolicy = R"(policy {
  select app = srv;
  allow ingress from endpoints { app = cli } on tcp 8080 http { method "GET" path "/ok"; }
}
)";

struct Observed {
  VethPair net;
  TempDir dir;
  bool ready = false;

  Observed() {
    if (!net.ok()) return;
    write_file(dir / "eps.json", kInventory);
    net.in_server("(python3 -m http.server 8080 --bind 10.200.0.2 >/dev/null 2>&1 &)");
    ready = net.in_server("for i in $(seq 200); do ss -Hltn | grep -q \":8080 \" && exit 0; sleep 0.05; done; exit 1")
                .exit_code == 0;
  }
  // Always the same file: counters follow a rule by its file:line:col.
  std::string apply(const std::string &policy) {
    write_file(dir / "policy.pol", policy);
    CommandResult r = run_polc({"apply", (dir / "policy.pol").string(), "--endpoints", (dir / "eps.json").string(),
                                "--iface", "s0", "--netns", net.server(), "--format", "json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out).value("result", "");
  }
  nlohmann::json stats() {
    CommandResult r = run_polc({"stats", "--iface", "s0", "--netns", net.server(), "--format", "json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
  }
  // The count on the row of the rule on `line` of policy.pol.
  uint64_t rule_count(const nlohmann::json &stats, int line) {
    const std::string prefix = (dir / "policy.pol").string() + ":" + std::to_string(line) + ":";
    for (const auto &r : stats["rules"])
      if (r["source"].get<std::string>().rfind(prefix, 0) == 0)
        return r.contains("flows") ? r["flows"].get<uint64_t>() : r["packets"].get<uint64_t>();
    FAIL("no row for line " << line << " in " << stats.dump());
    return 0;
  }
  bool curl(const std::string &path = "/") {
    return net.in_client("curl -s -f -m 3 -o /dev/null http://10.200.0.2:8080" + path).exit_code == 0;
  }
  // Datagrams to the server; returns the seconds the sender took.
  double udp(int port, int count, bool flows = false) {
    std::string script = (source_dir() / "tests/data/netns/udp_send.py").string();
    CommandResult r = net.in_client("python3 " + script + " 10.200.0.2 " + std::to_string(port) + " " +
                                    std::to_string(count) + (flows ? " --flows" : ""));
    REQUIRE(r.exit_code == 0);
    return std::stod(r.out);
  }

  // `polc monitor` in the background, printing JSON lines into a file;
  // returns once it says the stream is open.
  struct Monitor {
    std::string out, err;
    int pid = 0;
  };
  Monitor start_monitor(const std::vector<std::string> &extra, const std::string &name) {
    Monitor m{(dir / (name + ".out")).string(), (dir / (name + ".err")).string()};
    std::string args;
    for (const auto &a : extra) args += " " + a;
    CommandResult r = run_shell("setsid " + polc_binary().string() + " monitor --iface s0 --netns " + net.server() +
                                " --format json" + args + " >" + m.out + " 2>" + m.err + " </dev/null & echo $!");
    REQUIRE(r.exit_code == 0);
    m.pid = std::stoi(r.out);
    for (int i = 0; i < 200 && read_file(m.err).find("monitoring") == std::string::npos; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    REQUIRE_MESSAGE(read_file(m.err).find("monitoring") != std::string::npos, read_file(m.err));
    return m;
  }
  // Waits for the monitor to exit by itself (--count or --timeout).
  std::vector<nlohmann::json> finish(const Monitor &m) {
    for (int i = 0; i < 600 && ::kill(m.pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (::kill(m.pid, 0) == 0) {
      ::kill(m.pid, SIGKILL);
      FAIL("polc monitor did not stop by itself");
    }
    std::vector<nlohmann::json> events;
    std::istringstream lines(read_file(m.out));
    for (std::string line; std::getline(lines, line);) events.push_back(nlohmann::json::parse(line));
    return events;
  }
};

}  // namespace

TEST_CASE("stats counts flows per allow rule, packets per deny rule and by default deny, across a map-only swap") {
  if (!bpf_tests_enabled()) return;
  Observed o;
  REQUIRE(o.net.ok());
  REQUIRE(o.ready);
  REQUIRE(o.apply(kPolicy) == "attached");

  for (int i = 0; i < 3; ++i) CHECK(o.curl());  // 3 connections: 3 flows on line 3
  o.udp(7002, 4, true);                          // 4 sockets, 4 flows on line 4
  o.udp(7002, 10);                               // one flow more, whatever its datagrams
  o.udp(9090, 25);                               // 25 packets on the deny rule of line 5
  o.udp(6000, 7);                                // 7 packets no rule allows

  nlohmann::json s = o.stats();
  CHECK(s["iface"] == "s0");
  CHECK(s["netns"] == o.net.server());
  CHECK(o.rule_count(s, 3) == 3);
  CHECK(o.rule_count(s, 4) == 5);
  CHECK(o.rule_count(s, 5) == 25);
  CHECK(s["default_deny"]["ingress"] == 7);
  CHECK(s["default_deny"]["egress"] == 0);
  for (const auto &r : s["rules"]) CHECK(r["direction"] == "ingress");
  CHECK(s["drops"]["invalid"] == 0);

  // A rule added at the end: a map-only swap, and the rules that stay keep
  // counting from where they were; the new one starts at zero.
  CHECK(o.apply(kPolicyGrown) == "map-swap");
  CHECK(o.curl());
  o.udp(9090, 5);
  s = o.stats();
  CHECK(o.rule_count(s, 3) == 4);
  CHECK(o.rule_count(s, 5) == 30);
  CHECK(o.rule_count(s, 6) == 0);
  CHECK(s["default_deny"]["ingress"] == 7);

  // The text table and the status name the rules by their line.
  CommandResult text = run_polc({"stats", "--iface", "s0", "--netns", o.net.server()});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find((o.dir / "policy.pol").string() + ":3:") != std::string::npos);
  CHECK(text.out.find("default deny") != std::string::npos);
  CommandResult status = run_polc({"status", "--iface", "s0", "--netns", o.net.server(), "--format", "json"});
  auto top = nlohmann::json::parse(status.out)["interfaces"][0]["top_rules"];
  REQUIRE(top.size() >= 1);
  CHECK(top[0]["packets"] == 30);  // the deny rule has the most hits
  // Status text is for people: the policy's file, the counts, no JSON.
  CommandResult people = run_polc({"status", "--iface", "s0", "--netns", o.net.server()});
  CHECK(people.exit_code == 0);
  CHECK(people.out.find("policy files") != std::string::npos);
  CHECK(people.out.find((o.dir / "policy.pol").string()) != std::string::npos);
  CHECK(people.out.find("default deny") != std::string::npos);
  CHECK(people.out.find('{') == std::string::npos);
  CHECK(people.out.find('"') == std::string::npos);
  // Asked without --netns: it is not enforced in the host's namespace, and
  // the answer says where it is.
  CommandResult elsewhere = run_polc({"status", "--iface", "s0"});
  CHECK(elsewhere.exit_code == 0);
  CHECK(elsewhere.out.find("s0: not enforced by polc") != std::string::npos);
  CHECK(elsewhere.out.find("--netns " + o.net.server()) != std::string::npos);

  // Prometheus text: one sample per rule and reason, checked by promtool
  // where the Debian package is installed (scripts/setup.sh installs it).
  CommandResult prom = run_polc({"stats", "--iface", "s0", "--netns", o.net.server(), "--format", "prometheus"});
  CHECK(prom.exit_code == 0);
  CHECK(prom.out.find("polc_rule_packets_total{iface=\"s0\",source=\"" + (o.dir / "policy.pol").string() + ":5:") !=
        std::string::npos);
  if (run_shell("command -v promtool").exit_code == 0) {
    write_file(o.dir / "metrics.prom", prom.out);
    CommandResult check = run_shell("promtool check metrics < " + (o.dir / "metrics.prom").string());
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
  } else {
    MESSAGE("promtool not installed: the exposition is checked by the parser test only");
  }
  CHECK(run_polc({"detach", "--iface", "s0", "--netns", o.net.server()}).exit_code == 0);
}

TEST_CASE("monitor prints a refused connection with its endpoints and rule, and new connections with --type verdict") {
  if (!bpf_tests_enabled()) return;
  Observed o;
  REQUIRE(o.net.ok());
  REQUIRE(o.ready);
  REQUIRE(o.apply(kPolicy) == "attached");

  auto denied = o.start_monitor({"--count", "1", "--timeout", "10"}, "denied");
  o.udp(9090, 1);
  auto events = o.finish(denied);
  REQUIRE(events.size() == 1);
  const auto &e = events[0];
  CHECK(e["iface"] == "s0");
  CHECK(e["direction"] == "ingress");
  CHECK(e["verdict"] == "drop");
  CHECK(e["reason"] == "policy");
  CHECK(e["family"] == 4);
  CHECK(e["proto"] == "udp");
  CHECK(e["src"] == "10.200.0.1");
  CHECK(e["dst"] == "10.200.0.2");
  CHECK(e["dport"] == 9090);
  CHECK(e["sport"].get<int>() > 0);
  CHECK(e["src_endpoint"] == "cli-1");
  CHECK(e["dst_endpoint"] == "srv-1");
  CHECK(e["rule"].get<std::string>().rfind((o.dir / "policy.pol").string() + ":5:", 0) == 0);
  CHECK(e["http"].is_null());
  CHECK(e["time"].get<std::string>().size() >= 20);

  // No rule allows it: the rule is null.
  auto unruled = o.start_monitor({"--count", "1", "--timeout", "10"}, "unruled");
  o.udp(6000, 1);
  events = o.finish(unruled);
  REQUIRE(events.size() == 1);
  CHECK(events[0]["rule"].is_null());
  CHECK(events[0]["dport"] == 6000);

  // --type verdict: the first packet of an allowed connection, with the
  // rule that allowed it.
  // The namespaces' own traffic that no policy enforces (IPv6 neighbour
  // discovery) is allowed too and may show: the curl's connection is the
  // one TCP 8080 event.
  auto verdicts = o.start_monitor({"--type", "verdict", "--timeout", "3"}, "verdict");
  CHECK(o.curl());
  events = o.finish(verdicts);
  std::vector<nlohmann::json> opened;
  for (const auto &e : events)
    if (e["proto"] == "tcp" && e["dport"] == 8080) opened.push_back(e);
  REQUIRE(opened.size() == 1);
  CHECK(opened[0]["verdict"] == "allow");
  CHECK(opened[0]["src_endpoint"] == "cli-1");
  REQUIRE(opened[0]["rule"].is_string());
  CHECK(opened[0]["rule"].get<std::string>().rfind((o.dir / "policy.pol").string() + ":3:", 0) == 0);

  // With no monitor running, nothing is made: the switch is off again.
  CHECK(run_polc({"detach", "--iface", "s0", "--netns", o.net.server()}).exit_code == 0);
}

TEST_CASE("monitor names the method and path of a request refused at layer 7") {
  if (!bpf_tests_enabled()) return;
  Observed o;
  REQUIRE(o.net.ok());
  REQUIRE(o.ready);
  REQUIRE(o.apply(kHttpPolicy) == "attached");
  auto m = o.start_monitor({"--count", "1", "--timeout", "10"}, "http");
  CHECK_FALSE(o.curl("/secret/plans"));
  auto events = o.finish(m);
  REQUIRE(events.size() == 1);
  const auto &e = events[0];
  CHECK(e["verdict"] == "drop");
  CHECK(e["reason"] == "http_refused");
  CHECK(e["dport"] == 8080);
  REQUIRE(e["http"].is_object());
  CHECK(e["http"]["method"] == "GET");
  CHECK(e["http"]["path"] == "/secret/plans");
  CHECK(e["http"]["host"] == "10.200.0.2:8080");
  // The allowed request reaches the server (which has no /ok: a 404).
  CHECK(o.net.in_client("curl -s -m 3 -o /dev/null -w %{http_code} http://10.200.0.2:8080/ok").out == "404");
  CHECK(run_polc({"detach", "--iface", "s0", "--netns", o.net.server()}).exit_code == 0);
}

TEST_CASE("a flood of denied packets under a monitor: lines stay under the rate limit, the rest are counted") {
  if (!bpf_tests_enabled()) return;
  Observed o;
  REQUIRE(o.net.ok());
  REQUIRE(o.ready);
  REQUIRE(o.apply(kPolicy) == "attached");
  const uint64_t before = o.rule_count(o.stats(), 5);

  const double timeout = 4;
  auto m = o.start_monitor({"--timeout", "4"}, "flood");
  auto start = std::chrono::steady_clock::now();
  o.udp(9090, 100000);
  // One more after the buckets refill: its event reports what its CPU
  // suppressed during the flood.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  o.udp(9090, 1);
  CHECK(o.curl());  // the policy keeps enforcing: allowed traffic passes...
  auto events = o.finish(m);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const uint64_t denied = o.rule_count(o.stats(), 5) - before;
  CHECK(denied > 1000);  // ...and denied traffic is dropped (the veth's backlog may drop some before it)

  // Per CPU at most the burst, then one event per millisecond
  // (runtime::EventMonitor::kEventsPerSecond, kBurst).
  const long cpus = sysconf(_SC_NPROCESSORS_CONF);
  const double bound = double(cpus) * (200 + 1000 * std::min(elapsed, timeout + 1));
  uint64_t suppressed = 0;
  for (const auto &e : events) suppressed += e["suppressed"].get<uint64_t>();
  INFO("events " << events.size() << ", suppressed " << suppressed << ", denied " << denied << ", bound " << bound);
  CHECK(events.size() >= 2);
  CHECK(double(events.size()) <= bound);
  CHECK(suppressed > 0);
  CHECK(events.size() + suppressed <= denied);  // every event or suppression is a denied packet
  CHECK(run_polc({"detach", "--iface", "s0", "--netns", o.net.server()}).exit_code == 0);
}

}  // namespace polc::test
