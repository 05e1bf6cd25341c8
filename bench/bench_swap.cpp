// bench_swap: how long `polc apply` takes to swap a large policy on a real
// interface, under traffic. The policy: the datapath benchmark's rules
// (bench/policy_gen.h, 10,000 by default, one allow entry each) over its
// inventory of 1,100 endpoints, plus one endpoint "bench-server" (the
// server's veth address) that the traffic of tests/data/netns/traffic.py
// may reach on TCP 7001 and UDP 7002, and not on UDP 7003.
//
//   phase 1: 100 swaps alternating a new program shape (an ICMP rule added
//            or removed, nothing else) and a map-only update (the same
//            shape, every rule's port moved); after the first round trip
//            the object of the other shape is still loaded and is reused;
//   phase 2: swaps through four shapes in rotation (deny rules, egress
//            rules, both, neither), so that every one loads a new object
//            (polc keeps at most three loaded); the first time a shape is
//            seen it is compiled, then its object comes from polc's object
//            cache (cli/object_cache.h; a cache of the bench's own);
//   phase 3: the same rotation with the object cache off: every swap
//            compiles.
//
// Each swap runs the polc binary, as an operator would. `apply --format
// json` reports where its time went (timings_ms: read = policy and
// inventory read and lowered; plan; digest; compile = generate + LLVM, or
// the cache read; load = libbpf open + maps + verifier; fill; pin; commit =
// the slot flip or the link updates) and switch_ms, from the start of the
// update (policy read and planned, lock held) to the switch. The bench
// prints, per kind of swap, the median and p99 of the switch and of the
// whole command, and the median of every step. Targets (issue 4): map-only
// < 50 ms, new program shape < 300 ms; judged on the switch, and shown
// beside the whole command.
//
// Needs root. Makes and removes its own pair of network namespaces
// (polc-b-<pid>-c/-s, addresses 10.200.0.1/.2 only inside them).
// Usage: bench_swap [--rules N] [--swaps N] [--fresh N] [--compiled N]
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/policy_gen.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using polc::bench::datapath_inventory_json;
using polc::bench::datapath_rules_json;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

int sh(const std::string &command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const fs::path &path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const fs::path &path, const std::string &text) { std::ofstream(path) << text; }

struct Run {
  int exit_code = -1;
  std::string out, err;
  double ms = 0;  // wall, fork to exit
};

// Runs polc (no shell), stdout through a pipe, stderr into a file.
Run run_polc(const std::vector<std::string> &args, const fs::path &err_file) {
  Run run;
  int out[2];
  if (pipe(out) != 0) return run;
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out[1], 1);
    dup2(err, 2);
    close(out[0]);
    std::vector<char *> argv;
    std::string bin = POLC_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (std::string &a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) run.out.append(buf, size_t(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  run.ms = seconds_since(start) * 1000;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = read_text(err_file);
  return run;
}

// Two namespaces joined by a veth pair, as tests/support/netns.cpp makes
// them; removed (with whatever polc attached there) by the destructor.
struct Namespaces {
  std::string client, server;
  bool ok = false;
  Namespaces() {
    std::string base = "polc-b-" + std::to_string(getpid()) + "-";
    client = base + "c";
    server = base + "s";
    ok = sh("set -e; ip netns add " + client + "; ip netns add " + server + "; ip link add c0 netns " + client +
            " address 02:00:00:00:00:01 type veth peer name s0 netns " + server + " address 02:00:00:00:00:02" +
            "; for ns in " + client + " " + server + "; do ip -n $ns link set lo up; done" + "; ip -n " + client +
            " addr add 10.200.0.1/24 dev c0; ip -n " + server + " addr add 10.200.0.2/24 dev s0" + "; ip -n " +
            client + " link set c0 up; ip -n " + server + " link set s0 up" + "; ip -n " + client +
            " neigh replace 10.200.0.2 lladdr 02:00:00:00:00:02 dev c0 nud permanent" + "; ip -n " + server +
            " neigh replace 10.200.0.1 lladdr 02:00:00:00:00:01 dev s0 nud permanent") == 0;
  }
  ~Namespaces() {
    sh(std::string(POLC_BINARY) + " detach --iface s0 --netns " + server + " >/dev/null 2>&1");
    sh("rm -rf /sys/fs/bpf/polc/" + server + " /run/polc/" + server);
    sh("ip netns pids " + server + " | xargs -r kill -9; ip netns pids " + client +
       " | xargs -r kill -9; ip netns del " + client + " 2>/dev/null; ip netns del " + server + " 2>/dev/null");
  }
  int in(const std::string &ns, const std::string &command) const {
    return sh("ip netns exec " + ns + " sh -c '" + command + "'");
  }
};

// The traffic server's endpoint in the inventory.
std::string inventory_json() {
  std::string inventory = datapath_inventory_json();
  inventory.insert(inventory.rfind("]}"),
                   ",\n  {\"name\": \"bench-server\", \"labels\": {\"app\": \"bench-server\"}, \"ips\": [\"10.200.0.2\"]}\n");
  return inventory;
}

struct Shape {
  bool icmp = false, deny = false, egress = false;
  std::string name() const {
    std::string n = "base";
    if (icmp) n += "+icmp";
    if (deny) n += "+deny";
    if (egress) n += "+egress";
    return n;
  }
};

// `rules` generated rules (their ports moved by `variant`), the traffic
// rule, and the rules that make `shape`.
std::string policy_json(size_t rules, size_t variant, const Shape &shape) {
  std::string text = datapath_rules_json(rules, variant);
  text.erase(text.rfind(']'));
  text += ",\n"
          R"({"endpointSelector":{"matchLabels":{"app":"bench-server"}},"ingress":[{"fromCIDR":["10.200.0.0/24"],)"
          R"("toPorts":[{"ports":[{"port":"7001","protocol":"TCP"},{"port":"7002","protocol":"UDP"}]}]}]})";
  if (shape.icmp)
    text += ",\n"
            R"({"endpointSelector":{"matchLabels":{"app":"bench-server"}},"ingress":[{"fromCIDR":["10.200.0.0/24"],)"
            R"("icmps":[{"fields":[{"type":8,"family":"IPv4"}]}]}]})";
  if (shape.deny)
    text += ",\n"
            R"({"endpointSelector":{"matchLabels":{"app":"svc1"}},"ingressDeny":[{"fromCIDR":["192.0.2.0/24"]}]})";
  if (shape.egress)
    text += ",\n"
            R"({"endpointSelector":{"matchLabels":{"app":"svc2"}},"egress":[{"toCIDR":["192.0.2.0/24"]}]})";
  return text + "]\n";
}

struct Sample {
  double command_ms = 0, switch_ms = 0;
  std::map<std::string, double> steps;  // timings_ms
};

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = size_t(std::ceil(q * double(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

void report(const std::string &kind, const std::vector<Sample> &samples, double target_ms) {
  if (samples.empty()) {
    fmt::print("{}: no samples\n", kind);
    return;
  }
  std::vector<double> command, sw;
  for (const Sample &s : samples) {
    command.push_back(s.command_ms);
    sw.push_back(s.switch_ms);
  }
  double sw50 = quantile(sw, 0.5), sw99 = quantile(sw, 0.99);
  double c50 = quantile(command, 0.5), c99 = quantile(command, 0.99);
  fmt::print("{} ({} swaps):\n", kind, samples.size());
  fmt::print("    switch (update start -> in force): median {:7.1f} ms, p99 {:7.1f} ms; target < {:.0f} ms: {}\n",
             sw50, sw99, target_ms, sw99 < target_ms ? "met" : sw50 < target_ms ? "met by the median, MISSED by p99" : "MISSED");
  fmt::print("    whole `polc apply` command:        median {:7.1f} ms, p99 {:7.1f} ms; target < {:.0f} ms: {}\n", c50,
             c99, target_ms, c99 < target_ms ? "met" : c50 < target_ms ? "met by the median, MISSED by p99" : "MISSED");
  std::string steps = "    median of each step:";
  double before = 0;  // read + plan (with the digests): before the update starts
  for (const char *step : {"read", "plan", "compile", "load", "fill", "pin", "commit"}) {
    std::vector<double> v;
    for (const Sample &s : samples) v.push_back(s.steps.count(step) ? s.steps.at(step) : 0.0);
    steps += fmt::format(" {} {:.1f}", step, quantile(v, 0.5));
    if (std::string(step) == "read" || std::string(step) == "plan")
      before += quantile(v, 0.5);
  }
  fmt::print("{} ms;\n    outside them (start-up, lock, state files, clean-up, exit) about {:.1f} ms\n", steps,
             c50 - sw50 - before);
}

}  // namespace

int run(int argc, char **argv) {
  size_t rules = 10000;
  int swaps = 100, fresh_swaps = 30, compiled_swaps = 10;
  for (int i = 1; i < argc; i += 2) {
    std::string a = argv[i];
    if (i + 1 < argc && a == "--rules") rules = std::stoul(argv[i + 1]);
    else if (i + 1 < argc && a == "--swaps") swaps = std::stoi(argv[i + 1]);
    else if (i + 1 < argc && a == "--fresh") fresh_swaps = std::stoi(argv[i + 1]);
    else if (i + 1 < argc && a == "--compiled") compiled_swaps = std::stoi(argv[i + 1]);
    else {
      fmt::print(stderr, "usage: bench_swap [--rules N] [--swaps N] [--fresh N] [--compiled N]\n");
      return 2;
    }
  }
  if (geteuid() != 0) {
    fmt::print(stderr, "bench_swap: needs root (network namespaces, BPF)\n");
    return 3;
  }
  char tmpl[] = "/tmp/polc-bench-swap-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  const fs::path dir = tmpl;
  struct RemoveDir {
    fs::path p;
    ~RemoveDir() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } remove_dir{dir};

  Namespaces ns;
  if (!ns.ok) {
    fmt::print(stderr, "bench_swap: cannot make the network namespaces\n");
    return 1;
  }
  // polc's object cache: the bench's own, empty at the start.
  setenv("POLC_OBJECT_CACHE", (dir / "objects").c_str(), 1);
  const fs::path inventory = dir / "endpoints.json";
  write_text(inventory, inventory_json());
  int files = 0;
  // One swap: the policy written (not timed), polc run and its report read.
  auto apply = [&](size_t variant, const Shape &shape, Sample *sample) -> std::string {
    fs::path file = dir / fmt::format("policy-{}.json", files++);
    write_text(file, policy_json(rules, variant, shape));
    Run r = run_polc({"apply", file.string(), "--iface", "s0", "--netns", ns.server, "--endpoints", inventory.string(),
                      "--format", "json"},
                     dir / "stderr");
    if (r.exit_code != 0) throw std::runtime_error(fmt::format("polc apply failed ({}): {}", r.exit_code, r.err));
    auto j = nlohmann::json::parse(r.out);
    if (sample) {
      sample->command_ms = r.ms;
      sample->switch_ms = j.value("switch_ms", 0.0);
      for (auto &[step, ms] : j["timings_ms"].items()) sample->steps[step] = ms.get<double>();
    }
    std::string result = j.value("result", "");
    if (result == "program-swap")
      result += j.value("reused_object", false) ? " (reused)" : j.value("compiled", true) ? " (compiled)" : " (cached)";
    return result;
  };

  // The traffic: its server first, then the first policy, then the client.
  const std::string script = std::string(POLC_SOURCE_DIR) + "/tests/data/netns/traffic.py";
  const fs::path sink = dir / "sink", control = dir / "control", traffic_report = dir / "traffic.json";
  fs::create_directories(control);
  ns.in(ns.server, "(python3 " + script + " server " + sink.string() + " >/dev/null 2>&1 &)");
  ns.in(ns.server, "for i in $(seq 200); do ss -Hlun | grep -q \":7003 \" && exit 0; sleep 0.05; done; exit 1");

  Shape base;
  Sample first;
  std::string attached = apply(0, base, &first);
  auto status = run_polc({"status", "--iface", "s0", "--netns", ns.server, "--format", "json"}, dir / "stderr");
  auto maps = nlohmann::json::parse(status.out)["interfaces"][0]["maps"];
  fmt::print("policy: {} generated rules + traffic rules over {} + 1 endpoints; maps: ipcache4 {}, ipcache6 {}, allow "
             "{}, deny {}\n",
             rules, 1100, maps.value("ipcache4", 0), maps.value("ipcache6", 0), maps.value("allow", 0),
             maps.value("deny", 0));
  fmt::print("first apply ({}): {:.0f} ms (compile {:.0f}, load {:.0f}, fill {:.0f})\n\n", attached, first.command_ms,
             first.steps["compile"], first.steps["load"], first.steps["fill"]);

  // Stopped and joined however this scope ends.
  struct Client {
    std::thread thread;
    fs::path stop;
    ~Client() {
      if (!thread.joinable()) return;
      write_text(stop, "");
      thread.join();
    }
  } client{std::thread([&] {
             ns.in(ns.client,
                   "python3 " + script + " client 900 " + traffic_report.string() + " 10.200.0.2 " + control.string());
           }),
           control / "stop"};
  for (auto start = Clock::now(); !fs::exists(control / "ready") && seconds_since(start) < 10;)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));

  std::map<std::string, std::vector<Sample>> by_kind;
  // Phase 1: shape change and map-only update in turn.
  size_t variant = 0;
  Shape shape = base;
  auto phase1 = Clock::now();
  for (int i = 0; i < swaps; ++i) {
    if (i % 2 == 0)
      shape.icmp = !shape.icmp;
    else
      ++variant;
    Sample s;
    std::string kind = apply(variant, shape, &s);
    by_kind[kind].push_back(s);
  }
  double phase1_s = seconds_since(phase1);
  // Phase 2: four shapes in rotation, none of them kept loaded when its
  // turn comes; then phase 3, the same without the object cache.
  const Shape rotation[] = {{false, true, false}, {false, false, true}, {false, true, true}, {false, false, false}};
  auto phase2 = Clock::now();
  std::map<std::string, std::vector<Sample>> rotated, compiled;
  for (int i = 0; i < fresh_swaps; ++i) {
    Sample s;
    std::string kind = apply(variant, rotation[i % 4], &s);
    rotated[kind].push_back(s);
  }
  double phase2_s = seconds_since(phase2);
  setenv("POLC_OBJECT_CACHE", "off", 1);
  auto phase3 = Clock::now();
  for (int i = 0; i < compiled_swaps; ++i) {
    Sample s;
    std::string kind = apply(variant, rotation[(fresh_swaps + i) % 4], &s);
    compiled[kind].push_back(s);
  }
  double phase3_s = seconds_since(phase3);
  write_text(control / "stop", "");
  client.thread.join();

  auto name = [](const std::string &kind) -> std::string {
    if (kind == "map-swap") return "map-only";
    if (kind == "program-swap (reused)") return "new shape, object still loaded (reused)";
    if (kind == "program-swap (cached)") return "new shape, object loaded (compiled before: from the object cache)";
    if (kind == "program-swap (compiled)") return "new shape, object compiled and loaded";
    return kind;
  };
  fmt::print("phase 1: {} swaps alternating shape (ICMP rule on/off) and map-only changes, {:.1f} s\n", swaps,
             phase1_s);
  for (auto &[kind, samples] : by_kind) report("  " + name(kind), samples, kind == "map-swap" ? 50 : 300);
  fmt::print("phase 2: {} swaps through four shapes in rotation, {:.1f} s\n", fresh_swaps, phase2_s);
  for (auto &[kind, samples] : rotated) report("  " + name(kind), samples, kind == "map-swap" ? 50 : 300);
  fmt::print("phase 3: {} swaps through the same shapes, object cache off, {:.1f} s\n", compiled_swaps, phase3_s);
  for (auto &[kind, samples] : compiled) report("  " + name(kind), samples, kind == "map-swap" ? 50 : 300);

  // The traffic across the three phases.
  auto t = nlohmann::json::parse(read_text(traffic_report));
  ns.in(ns.server, "for i in $(seq 100); do test -s " + sink.string() + ".retrans && exit 0; sleep 0.05; done");
  std::string server_retrans = fs::exists(sink.string() + ".retrans") ? read_text(sink.string() + ".retrans") : "?";
  bool lossless = t.value("udp_answered", 0) == t.value("udp_sent", -1) && t.value("tcp_retransmits", -1) == 0 &&
                  server_retrans == "0" && t.value("tcp_ok", false) && t.value("stopped", false);
  fmt::print("\ntraffic during the {} swaps ({:.1f} s): UDP {} sent, {} answered; TCP {} echoes, {}, retransmitted "
             "segments: client {}, server {}; datagrams delivered to the denied port: {}: {}\n",
             swaps + fresh_swaps + compiled_swaps, t.value("seconds", 0.0), t.value("udp_sent", 0), t.value("udp_answered", 0),
             t.value("tcp_echoes", 0), t.value("tcp_ok", false) ? "never reset" : "BROKEN: " + t.value("tcp_error", std::string()),
             t.value("tcp_retransmits", -1), server_retrans, fs::exists(sink) ? read_text(sink) : "0",
             lossless && !fs::exists(sink) ? "nothing lost, nothing denied delivered" : "FAILED");
  return lossless && !fs::exists(sink) ? 0 : 1;
}

int main(int argc, char **argv) {
  try {
    return run(argc, argv);  // the namespaces and the temporary files go on every way out
  } catch (const std::exception &e) {
    fmt::print(stderr, "bench_swap: {}\n", e.what());
    return 1;
  }
}
