// The world of the HTTP traffic tests (http_traffic.cpp,
// http_traffic_edges.cpp): nginx in the server namespace of a veth pair,
// curl and a raw Python client (tests/data/netns/http_split.py) in the
// client's, polc applied on either side, and what a denied request must look
// like.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/support/netns.h"
#include "tests/support/test_env.h"

namespace polc::test::http_fixture {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline constexpr int kHttpPort = 8080;   // carries rules.http
inline constexpr int kPlainPort = 8081;  // allowed without HTTP rules

// The two endpoints: the namespaces' addresses (tests/support/netns.h).
extern const char *const kInventory;
// The server accepts, on 8080, only some requests from the client (GET
// /public/..., items on shop.example, uploads with a token, admin deletes
// with X-Admin); 8081 is open to the client without HTTP rules.
extern const char *const kIngressPolicy;
// The client may send, to the server's 8080, only GET /public/...; 8081 freely.
extern const char *const kEgressPolicy;

struct LogLine {
  int status = 0;
  std::string method, uri, host;
  long conn = 0, nreq = 0;
};

struct Reply {
  int exit_code = -1;
  int status = 0;       // %{http_code}
  std::string head;     // response headers as received
  std::string body;     // exact bytes
  std::string out, err; // curl's stdout / stderr
  double seconds = 0;
};

struct Family {
  std::string name;
  std::string server;  // as in a URL
  std::string server_raw;
};
inline const Family kFamilies[] = {{"IPv4", "10.200.0.2", "10.200.0.2"}, {"IPv6", "[fd77::2]", "fd77::2"}};

// `argv` run in namespace `ns`, each argument quoted for the shell.
CommandResult in_ns(const std::string &ns, const std::vector<std::string> &argv);
std::string lower(std::string s);

struct HttpWorld {
  VethPair net;
  TempDir dir;
  bool ready = false;
  bool client_side_applied = false;
  int counter = 0;

  HttpWorld() {
    if (!net.ok()) return;
    std::string d = dir.path().string();
    write_file(dir / "nginx.conf",
               "worker_processes 1;\nuser root root;\npid " + d + "/nginx.pid;\nerror_log " + d +
                   "/error.log info;\nevents { worker_connections 256; }\nhttp {\n"
                   "  log_format polc '$status $request_method \"$request_uri\" \"$host\" c=$connection "
                   "n=$connection_requests';\n  access_log " + d + "/access.log polc;\n"
                   "  client_body_temp_path " + d + "/body;\n  proxy_temp_path " + d + "/proxy;\n"
                   "  fastcgi_temp_path " + d + "/fastcgi;\n  uwsgi_temp_path " + d + "/uwsgi;\n"
                   "  scgi_temp_path " + d + "/scgi;\n  default_type text/plain;\n  keepalive_timeout 30s;\n"
                   "  server {\n    listen 8080; listen [::]:8080; listen 8081; listen [::]:8081;\n"
                   "    location / { return 200 \"served $request_method $request_uri\\n\"; }\n  }\n}\n");
    CommandResult r = in_ns(net.server(), {"nginx", "-c", (dir / "nginx.conf").string()});
    if (r.exit_code != 0) {
      MESSAGE("nginx did not start: " << r.err);
      return;
    }
    for (int i = 0; i < 40 && !ready; ++i) {
      ready = in_ns(net.client(), {"curl", "-s", "-m", "1", "-o", "/dev/null", "http://10.200.0.2:8081/ready"})
                  .exit_code == 0;
      if (!ready) std::this_thread::sleep_for(50ms);
    }
  }

  ~HttpWorld() {
    if (client_side_applied) {
      run_polc({"detach", "--iface", "c0", "--netns", net.client()});
      run_shell("rm -rf /sys/fs/bpf/polc/" + net.client() + " /run/polc/" + net.client());
    }
    run_shell("kill $(cat " + (dir / "nginx.pid").string() + ") 2>/dev/null");
  }

  // polc apply on the server's s0 (ingress policies) or the client's c0.
  CommandResult apply(const std::string &policy, bool on_client = false) {
    std::string p = (dir / ("policy" + std::to_string(counter++) + ".json")).string();
    std::string inv = (dir / "endpoints.json").string();
    write_file(p, policy);
    write_file(inv, kInventory);
    if (on_client) client_side_applied = true;
    return run_polc({"apply", p, "--iface", on_client ? "c0" : "s0", "--netns",
                     on_client ? net.client() : net.server(), "--endpoints", inv, "--format", "json"});
  }

  // The world is up and `policy` applied, or the test case stops here.
  void require_applied(const std::string &policy, bool on_client = false) {
    REQUIRE(net.ok());
    REQUIRE(ready);
    CommandResult applied = apply(policy, on_client);
    INFO(applied.err);
    REQUIRE(applied.exit_code == 0);
  }

  // curl in the client namespace, bounded: -m 3 inside, `timeout 10` outside.
  Reply curl(const std::vector<std::string> &args) {
    int n = counter++;
    std::string head = (dir / ("h" + std::to_string(n))).string(), body = (dir / ("b" + std::to_string(n))).string();
    std::vector<std::string> argv = {"timeout", "10", "curl", "-sS", "-m", "3", "-D", head, "-o", body, "-w", "%{http_code}"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto start = Clock::now();
    CommandResult r = in_ns(net.client(), argv);
    Reply out;
    out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    out.exit_code = r.exit_code;
    out.out = r.out;
    out.err = r.err;
    out.head = read_file(head);
    out.body = read_file(body);
    try {
      out.status = std::stoi(r.out);
    } catch (...) {
    }
    return out;
  }

  // The raw client (tests/data/netns/http_split.py): `request` in two sends, cut at `cut`.
  nlohmann::json raw(const std::string &host, const std::string &request, size_t cut, int port = kHttpPort) {
    static const char *hex = "0123456789abcdef";
    std::string h;
    for (unsigned char c : request) h += {hex[c >> 4], hex[c & 15]};
    CommandResult r = in_ns(net.client(), {"timeout", "10", "python3", (source_dir() / "tests/data/netns/http_split.py").string(),
                                           host, std::to_string(port), h, std::to_string(cut)});
    try {
      return nlohmann::json::parse(r.out);
    } catch (...) {
      return {{"error", "no report: exit " + std::to_string(r.exit_code) + ": " + r.err}, {"response", ""}};
    }
  }

  std::string access_log() { return read_file(dir / "access.log"); }
  std::string error_log() { return read_file(dir / "error.log"); }

  std::vector<LogLine> log_lines() {
    static const std::regex re(R"re(^(\d+) (\S+) "([^"]*)" "([^"]*)" c=(\d+) n=(\d+)$)re");
    std::vector<LogLine> out;
    std::istringstream in(access_log());
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (!std::regex_match(line, m, re)) continue;
      out.push_back({std::stoi(m[1]), m[2], m[3], m[4], std::stol(m[5]), std::stol(m[6])});
    }
    return out;
  }

  // Lines whose request URI contains `token`. nginx logs a request after
  // answering it: poll briefly for `want` lines.
  std::vector<LogLine> logged(const std::string &token, size_t want = 0) {
    std::vector<LogLine> hits;
    for (int i = 0; i < 20; ++i) {
      hits.clear();
      for (const auto &l : log_lines())
        if (l.uri.find(token) != std::string::npos) hits.push_back(l);
      if (hits.size() >= want) break;
      std::this_thread::sleep_for(25ms);
    }
    return hits;
  }

  // Whether nginx handled the request: a log line with a status other
  // than 400 (nginx logs 400 for a head cut short by the reset, when the
  // first segments of a split head reached it: that is not serving it).
  bool served(const std::string &token) {
    std::this_thread::sleep_for(50ms);
    for (const auto &l : logged(token))
      if (l.status != 400) return true;
    return false;
  }

  int resets_logged() {
    std::string e = error_log();
    int n = 0;
    for (size_t at = 0; (at = e.find("(104: Connection reset by peer)", at)) != std::string::npos; ++at) ++n;
    return n;
  }

  // Server connections on 8080 still open (established or half closed),
  // after up to a second for closes in flight.
  int open_server_connections() {
    int n = 0;
    for (int i = 0; i < 20; ++i) {
      CommandResult r = in_ns(net.server(), {"ss", "-Htn", "state", "established", "state", "close-wait", "(", "sport",
                                             "=", ":8080", ")"});
      n = 0;
      for (char c : r.out) n += c == '\n';
      if (n == 0) break;
      std::this_thread::sleep_for(50ms);
    }
    return n;
  }

  std::string status(bool on_client = false) {
    return run_polc({"status", "--iface", on_client ? "c0" : "s0", "--netns", on_client ? net.client() : net.server(),
                     "--format", "json"})
        .out;
  }
};

// curl's reply in a few lines, for a failed check's message.
std::string describe(const Reply &r);

// The refused-request counters of `polc status --format json` (the
// object's polc_drops: "packets" -> "refused_http_*"), summed; nullopt if
// the status has none.
std::optional<uint64_t> drops_in(const std::string &status_json);

// A denied request's answer, exactly: through curl, and through the raw client.
void check_denied_reply(const Reply &r);
void check_denied_raw(const nlohmann::json &r);

// A request head, "Connection: close" and the blank line included.
std::string head_of(const std::string &method, const std::string &target, const std::string &host,
                    const std::vector<std::string> &headers = {});

}  // namespace polc::test::http_fixture
