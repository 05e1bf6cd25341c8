// bench_fleet: `polc push` to N agents through one etcd on this machine.
//
// For each N (default 1, 10, 50): a fresh etcd on loopback (data on tmpfs,
// /dev/shm, so the disk's fsync is not what is measured), an inventory of
// 100 endpoints and one policy pushed, then N `polc agent --dry-run`
// processes (compile, plan, status; no attach), sharing an object cache.
//  1. Push latency: --pushes pushes, each moving the policy's port (a
//     map-only change), one at a time. For each, the time from starting
//     `polc push` (which lints first) to the moment the status keys of all
//     N agents name the pushed revision, seen through a watch on
//     P/status/. Also from the push's exit (the write) to the last status.
//  2. Endpoint churn: --churn-rate endpoint updates per second for
//     --churn-seconds seconds (a client endpoint's address changes, which
//     changes the maps), written one put at a time at a fixed cadence.
//     Every agent must keep up with map-only swaps and never compile: its
//     status counters before and after tell. Also the agents' lag behind
//     the store (sampled every 200 ms) and the time to catch up after the
//     last write.
// Needs /usr/bin/etcd (scripts/setup.sh) and the polc binary; not root.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fleet/etcd_client.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using polc::fleet::EtcdClient;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

pid_t spawn(const std::vector<std::string> &argv, const std::string &log, const std::map<std::string, std::string> &env = {}) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    for (const auto &[k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char *> args;
    for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

void stop(pid_t pid, int sig = SIGTERM) {
  if (pid <= 0) return;
  kill(pid, sig);
  for (int i = 0; i < 500; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

// Runs a command to its end; its stdout, or "" when it failed.
std::string run(const std::vector<std::string> &argv) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], 1);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    close(pipefd[0]);
    std::vector<char *> args;
    for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(pipefd[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(pipefd[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? out : std::string();
}

std::string web_policy(int port) {
  return fmt::format(R"([{{"endpointSelector": {{"matchLabels": {{"app": "web"}}}},
  "ingress": [{{"fromEndpoints": [{{"matchLabels": {{"app": "client"}}}}],
               "toPorts": [{{"ports": [{{"port": "{}", "protocol": "TCP"}}]}}]}}]}}]
)",
                     port);
}

std::string client_endpoint(int i, int version) {
  return fmt::format(R"({{"name": "client-{}", "labels": {{"app": "client"}}, "ips": ["10.{}.{}.{}"]}})", i,
                     1 + version / 65536 % 200, version / 256 % 256, version % 256);
}

// 50 web and 50 client endpoints.
std::string inventory() {
  nlohmann::json eps = nlohmann::json::array();
  for (int i = 0; i < 50; ++i) {
    eps.push_back({{"name", fmt::format("web-{}", i)}, {"labels", {{"app", "web"}}}, {"ips", {fmt::format("10.0.0.{}", i + 1)}}});
    eps.push_back(nlohmann::json::parse(client_endpoint(i, i)));
  }
  return nlohmann::json{{"endpoints", eps}}.dump(1);
}

// The status keys, as a watch sees them: node -> its last status.
class StatusBoard {
 public:
  void update(const std::string &node, nlohmann::json status) {
    std::lock_guard lock(mutex_);
    statuses_[node] = std::move(status);
  }
  // How many nodes are ok at `revision` or later.
  size_t at(int64_t revision) {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const auto &[node, s] : statuses_)
      if (s.value("state", "") == "ok" && s["revision"].is_number() && s["revision"].get<int64_t>() >= revision) ++n;
    return n;
  }
  int64_t min_revision(size_t nodes) {
    std::lock_guard lock(mutex_);
    if (statuses_.size() < nodes) return 0;
    int64_t least = INT64_MAX;
    for (const auto &[node, s] : statuses_)
      least = std::min<int64_t>(least, s["revision"].is_number() ? s["revision"].get<int64_t>() : 0);
    return least;
  }
  std::map<std::string, nlohmann::json> snapshot() {
    std::lock_guard lock(mutex_);
    return statuses_;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, nlohmann::json> statuses_;
};

struct Options {
  std::vector<int> agents = {1, 10, 50};
  int pushes = 20;
  int churn_rate = 100;
  int churn_seconds = 30;
  std::string polc = POLC_BINARY;
};

bool wait_until(const std::function<bool()> &done, double timeout_ms) {
  auto start = Clock::now();
  while (!done()) {
    if (ms_since(start) > timeout_ms) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  return true;
}

bool run_case(const Options &opt, int agents) {
  fs::path dir = fs::path("/dev/shm") / fmt::format("polc-bench-fleet-{}-{}", getpid(), agents);
  fs::create_directories(dir / "etcd");
  int client_port = free_port(), peer_port = free_port();
  std::string endpoint = fmt::format("http://127.0.0.1:{}", client_port);
  pid_t etcd = spawn({"/usr/bin/etcd", "--name", "bench", "--data-dir", (dir / "etcd").string(), "--listen-client-urls",
                      endpoint, "--advertise-client-urls", endpoint, "--listen-peer-urls",
                      fmt::format("http://127.0.0.1:{}", peer_port), "--initial-advertise-peer-urls",
                      fmt::format("http://127.0.0.1:{}", peer_port), "--initial-cluster",
                      fmt::format("bench=http://127.0.0.1:{}", peer_port)},
                     (dir / "etcd.log").string());
  EtcdClient client({endpoint});
  bool ok = wait_until([&] { return client.range_prefix("/polc/").ok(); }, 15000);
  std::vector<pid_t> agent_pids;
  std::atomic<bool> stop_watch{false};
  std::thread watcher;
  auto cleanup = [&] {
    for (pid_t p : agent_pids) stop(p);
    stop_watch = true;
    if (watcher.joinable()) watcher.join();
    stop(etcd);
    fs::remove_all(dir);
  };
  if (!ok) {
    fmt::print("  etcd did not start (see {})\n", (dir / "etcd.log").string());
    cleanup();
    return false;
  }
  {
    std::ofstream(dir / "eps.json") << inventory();
    std::ofstream(dir / "web.json") << web_policy(8000);
  }
  if (run({opt.polc, "push", (dir / "web.json").string(), "--endpoints", (dir / "eps.json").string(), "--etcd", endpoint})
          .empty()) {
    fmt::print("  the first push failed\n");
    cleanup();
    return false;
  }

  StatusBoard board;
  watcher = std::thread([&] {
    EtcdClient watch_client({endpoint});
    while (!stop_watch.load()) {
      (void)watch_client.watch_prefix(
          "/polc/status/", 0,
          [&](polc::fleet::WatchBatch &&batch) {
            for (auto &e : batch.events)
              if (e.type == polc::fleet::WatchEvent::Type::Put)
                board.update(e.kv.key, nlohmann::json::parse(e.kv.value, nullptr, false));
          },
          stop_watch);
    }
  });
  // The watch is live before the agents write their first status.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  auto started = Clock::now();
  for (int i = 0; i < agents; ++i)
    agent_pids.push_back(spawn({opt.polc, "agent", "--etcd", endpoint, "--node", fmt::format("node-{}", i), "--dry-run"},
                               (dir / fmt::format("agent-{}.log", i)).string(),
                               {{"POLC_OBJECT_CACHE", (dir / "objects").string()}}));
  int64_t first_revision = client.range_prefix("/polc/policies/")->revision;
  if (!wait_until([&] { return board.at(first_revision) == static_cast<size_t>(agents); }, 300000)) {
    fmt::print("  only {} of {} agents reported the first revision\n", board.at(first_revision), agents);
    cleanup();
    return false;
  }
  fmt::print("  {} agents started and in force in {:.0f} ms (the first compile, then the object cache)\n", agents,
             ms_since(started));

  // 1. Push latency.
  std::vector<double> total, fanout, push_cmd;
  for (int k = 1; k <= opt.pushes; ++k) {
    std::ofstream(dir / "web.json") << web_policy(8000 + k);
    auto t0 = Clock::now();
    std::string out = run({opt.polc, "push", (dir / "web.json").string(), "--etcd", endpoint});
    auto t1 = Clock::now();
    std::smatch m;
    if (!std::regex_search(out, m, std::regex("^revision ([0-9]+):"))) {
      fmt::print("  push {} failed: {}\n", k, out);
      cleanup();
      return false;
    }
    int64_t revision = std::stoll(m[1]);
    if (!wait_until([&] { return board.at(revision) == static_cast<size_t>(agents); }, 30000)) {
      fmt::print("  push {}: only {} of {} agents acknowledged revision {} within 30 s\n", k, board.at(revision), agents,
                 revision);
      cleanup();
      return false;
    }
    total.push_back(ms_since(t0));
    fanout.push_back(ms_since(t1));
    push_cmd.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    // Pushes half a second apart: an agent's status writes are a token
    // bucket (4 at once, 4 a second; fleet/status_publisher.cpp), which
    // back-to-back pushes would drain, measuring the bucket.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const bool target_scale = agents == 50;
  double p50 = quantile(total, 0.5), p99 = quantile(total, 0.99);
  fmt::print("  push to all acknowledged ({} pushes): p50 {:.0f} ms, p99 {:.0f} ms{}\n", opt.pushes, p50, p99,
             target_scale ? fmt::format("  [targets p50 < 500 ms: {}, p99 < 2000 ms: {}]", p50 < 500 ? "met" : "MISSED",
                                        p99 < 2000 ? "met" : "MISSED")
                          : "");
  fmt::print("    of which `polc push` (lint + one transaction): p50 {:.0f} ms; write to all acknowledged: p50 {:.0f} "
             "ms, p99 {:.0f} ms\n",
             quantile(push_cmd, 0.5), quantile(fanout, 0.5), quantile(fanout, 0.99));

  // 2. Endpoint churn.
  auto before = board.snapshot();
  const int updates = opt.churn_rate * opt.churn_seconds;
  const auto cadence = std::chrono::microseconds(1000000 / opt.churn_rate);
  std::atomic<int64_t> last_written{0};
  std::atomic<bool> writing{true};
  (void)cadence;
  int failed_writes = 0;
  auto churn_start = Clock::now();
  // Eight writers, each an eighth of the rate at its own cadence: one
  // sequential client would measure etcd's put latency, not the agents.
  constexpr int kWriters = 8;
  std::mutex written_mutex;
  std::atomic<int> writers_left{kWriters};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.emplace_back([&, w] {
      EtcdClient wc({endpoint});
      auto next = Clock::now() + cadence * w;
      for (int i = w; i < updates; i += kWriters) {
        auto r = wc.put(fmt::format("/polc/endpoints/client-{}", i % 50), client_endpoint(i % 50, 1000 + i));
        {
          std::lock_guard lock(written_mutex);
          if (r)
            last_written = std::max<int64_t>(last_written.load(), *r);
          else
            ++failed_writes;
        }
        next += cadence * kWriters;
        std::this_thread::sleep_until(next);
      }
      if (--writers_left == 0) writing = false;
    });
  double max_lag_ms = 0;
  std::vector<double> lags;
  std::map<int64_t, Clock::time_point> written_at;  // sampled
  while (writing.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    int64_t now_rev = last_written.load();
    written_at[now_rev] = Clock::now();
    int64_t least = board.min_revision(agents);
    // The lag: how long ago the store was at the least acknowledged revision.
    auto it = written_at.upper_bound(least);
    double lag = it == written_at.end() ? 0 : ms_since(it->second) + 200;
    lags.push_back(lag);
    max_lag_ms = std::max(max_lag_ms, lag);
  }
  for (auto &t : writers) t.join();
  double churn_ms = ms_since(churn_start);
  const int64_t final_revision = last_written.load();
  auto last_write = Clock::now();
  bool caught_up = wait_until([&] { return board.at(final_revision) == static_cast<size_t>(agents); }, 60000);
  double catch_up_ms = ms_since(last_write);
  auto after = board.snapshot();
  uint64_t compiles = 0, program_swaps = 0, map_swaps = 0, applies = 0, errors = 0;
  for (const auto &[node, s] : after) {
    const auto &b = before[node]["counters"];
    const auto &a = s["counters"];
    compiles += a.value("compiles", 0ull) - b.value("compiles", 0ull);
    program_swaps += a.value("program_swaps", 0ull) - b.value("program_swaps", 0ull);
    map_swaps += a.value("map_swaps", 0ull) - b.value("map_swaps", 0ull);
    applies += a.value("applies", 0ull) - b.value("applies", 0ull);
    errors += a.value("errors", 0ull) - b.value("errors", 0ull);
  }
  fmt::print("  endpoint churn: {} updates in {:.1f} s ({:.0f}/s, {} failed writes)\n", updates, churn_ms / 1000,
             updates * 1000.0 / churn_ms, failed_writes);
  fmt::print("    per agent: {:.0f} revisions applied ({:.1f} updates each on average), all map-only: {} map swaps, {} "
             "program swaps, {} compiles, {} errors  [never recompiles: {}]\n",
             double(applies) / agents, applies ? double(updates) * agents / double(applies) : 0.0,
             map_swaps, program_swaps, compiles, errors, compiles == 0 && program_swaps == 0 ? "met" : "MISSED");
  fmt::print("    lag behind the store: median {:.0f} ms, max {:.0f} ms; caught up {:.0f} ms after the last write  "
             "[keeps up: {}]\n",
             quantile(lags, 0.5), max_lag_ms, catch_up_ms, caught_up && max_lag_ms < 2000 ? "met" : "MISSED");
  cleanup();
  return caught_up;
}

}  // namespace

int main(int argc, char **argv) {
  Options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--agents") {
      opt.agents.clear();
      for (size_t p = 0; p < value.size();) {
        size_t comma = value.find(',', p);
        opt.agents.push_back(std::stoi(value.substr(p, comma - p)));
        p = comma == std::string::npos ? value.size() : comma + 1;
      }
    } else if (flag == "--pushes") {
      opt.pushes = std::stoi(value);
    } else if (flag == "--churn-rate") {
      opt.churn_rate = std::stoi(value);
    } else if (flag == "--churn-seconds") {
      opt.churn_seconds = std::stoi(value);
    } else if (flag == "--polc") {
      opt.polc = value;
    } else {
      fmt::print(stderr, "usage: bench_fleet [--agents 1,10,50] [--pushes 20] [--churn-rate 100] [--churn-seconds 30] "
                         "[--polc PATH]\n");
      return 2;
    }
  }
  if (!fs::exists("/usr/bin/etcd")) {
    fmt::print(stderr, "bench_fleet: /usr/bin/etcd is missing: run scripts/setup.sh\n");
    return 3;
  }
  signal(SIGPIPE, SIG_IGN);
  bool all = true;
  for (int n : opt.agents) {
    fmt::print("N = {} agents (--dry-run), etcd on loopback (tmpfs data)\n", n);
    std::fflush(stdout);
    all = run_case(opt, n) && all;
    std::fflush(stdout);
  }
  return all ? 0 : 1;
}
