// Issue 13 with real servers that normalize paths: python's http.server
// (8080) and nginx serving static files (8082) in the server namespace,
// both with /public/ and /private/s.txt. The policy allows only
// GET /public/.* on both ports. Every dot-segment and percent-encoding
// trick that a server would resolve to /private/ must be refused by the
// kernel (403 "Access denied" from polc) and never reach the server: its
// log does not show the request and the secret is never sent.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/netns.h"
#include "tests/support/test_env.h"

namespace polc::test {
namespace {

using namespace std::chrono_literals;

constexpr int kPython = 8080;
constexpr int kNginx = 8082;
constexpr const char *kSecret = "SECRET-7f3a";

const char *kInventory = R"({"endpoints": [
  {"name": "server", "labels": {"app": "server"}, "ips": ["10.200.0.2", "fd77::2"]},
  {"name": "client", "labels": {"app": "client"}, "ips": ["10.200.0.1", "fd77::1"]}]})";

const char *kPolicy = R"([{
  "endpointSelector": {"matchLabels": {"app": "server"}},
  "ingress": [{
    "fromEndpoints": [{"matchLabels": {"app": "client"}}],
    "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}, {"port": "8082", "protocol": "TCP"}],
                 "rules": {"http": [{"method": "GET", "path": "/public/.*"}]}}]
  }]}])";

struct Servers {
  VethPair net;
  TempDir dir;
  bool ready = false;

  Servers() {
    if (!net.ok()) return;
    std::string d = dir.path().string();
    write_file(dir / "www/public/a.txt", "public a\n");
    write_file(dir / "www/public/dir/b", "public b\n");
    write_file(dir / "www/private/s.txt", std::string(kSecret) + "\n");
    write_file(dir / "nginx.conf",
               "worker_processes 1;\nuser root root;\npid " + d + "/nginx.pid;\nerror_log " + d +
                   "/nginx-error.log info;\nevents { worker_connections 64; }\nhttp {\n"
                   "  log_format polc '$status \"$request\"';\n  access_log " + d + "/nginx-access.log polc;\n"
                   "  client_body_temp_path " + d + "/body;\n  proxy_temp_path " + d + "/proxy;\n"
                   "  fastcgi_temp_path " + d + "/fastcgi;\n  uwsgi_temp_path " + d + "/uwsgi;\n"
                   "  scgi_temp_path " + d + "/scgi;\n  default_type text/plain;\n"
                   "  server {\n    listen 8082; listen [::]:8082;\n    root " + d + "/www;\n  }\n}\n");
    CommandResult r = net.in_server("nginx -c " + shell_quote(d + "/nginx.conf"));
    if (r.exit_code != 0) {
      MESSAGE("nginx did not start: " << r.err);
      return;
    }
    // http.server logs every request it handles to stderr.
    net.in_server("cd " + shell_quote(d + "/www") + " && (timeout 300 python3 -m http.server 8080 --bind :: >" +
                  shell_quote(d + "/python.log") + " 2>&1 & echo $! >" + shell_quote(d + "/python.pid") + ")");
    for (int i = 0; i < 60 && !ready; ++i) {
      ready = get(kPython, "/public/a.txt").find("200 OK") != std::string::npos &&
              get(kNginx, "/public/a.txt").find("200 OK") != std::string::npos;
      if (!ready) std::this_thread::sleep_for(100ms);
    }
  }

  ~Servers() {
    run_shell("kill $(cat " + (dir / "nginx.pid").string() + ") $(cat " + (dir / "python.pid").string() +
              ") 2>/dev/null");
  }

  // One raw request, sent as written (tests/data/netns/http_split.py);
  // returns what came back.
  std::string raw(int port, const std::string &request, const char *server = VethPair::kServer4) {
    static const char *hex = "0123456789abcdef";
    std::string h;
    for (unsigned char c : request) h += {hex[c >> 4], hex[c & 15]};
    CommandResult r = net.in_client("timeout 10 python3 " +
                                    shell_quote((source_dir() / "tests/data/netns/http_split.py").string()) + " " + server +
                                    " " + std::to_string(port) + " " + h + " " + std::to_string(request.size()));
    try {
      return nlohmann::json::parse(r.out).value("response", "");
    } catch (...) {
      return "no report: " + r.err;
    }
  }
  std::string get(int port, const std::string &target, const char *server = VethPair::kServer4) {
    return raw(port, "GET " + target + " HTTP/1.1\r\nHost: server\r\nConnection: close\r\n\r\n", server);
  }

  // What the servers logged: python's stderr, nginx's access log.
  std::string python_log() { return read_file(dir / "python.log"); }
  std::string nginx_log() { return read_file(dir / "nginx-access.log"); }
  std::string logs() { return python_log() + nginx_log(); }
};

bool refused_by_polc(const std::string &response) {
  return response.rfind("HTTP/1.1 403 Forbidden", 0) == 0 && response.find("Access denied") != std::string::npos;
}

}  // namespace

TEST_SUITE("netns") {
  TEST_CASE("dot segments and escapes cannot reach a path the policy does not allow (python http.server, nginx)") {
    if (!bpf_tests_enabled()) return;
    Servers s;
    REQUIRE(s.net.ok());
    REQUIRE_MESSAGE(s.ready, "the servers did not answer: " << s.logs());
    // Without a policy both servers resolve the tricks: the secret is there to take.
    CHECK(s.get(kPython, "/public/../private/s.txt").find(kSecret) != std::string::npos);
    CHECK(s.get(kNginx, "/public/%2e%2e/private/s.txt").find(kSecret) != std::string::npos);

    std::string d = s.dir.path().string();
    write_file(s.dir / "policy.json", kPolicy);
    write_file(s.dir / "eps.json", kInventory);
    CommandResult applied = run_polc({"apply", d + "/policy.json", "--iface", "s0", "--netns", s.net.server(),
                                      "--endpoints", d + "/eps.json"});
    REQUIRE_MESSAGE(applied.exit_code == 0, applied.err);
    size_t python_before = s.python_log().size(), nginx_before = s.nginx_log().size();

    const char *tricks[] = {
        "/private/s.txt",
        "/public/../private/s.txt",
        "/public/%2e%2e/private/s.txt",
        "/public/.%2e/private/s.txt",
        "/public/%2e./private/s.txt",
        "/public/%2E%2E/private/s.txt",
        "/public/..%2fprivate/s.txt",
        "/public/..%2Fprivate/s.txt",
        "/public/a.txt/../../private/s.txt",
        "/public//..//private/s.txt",
        "/public/./../private/s.txt",
        "/public/dir/../../private/s.txt",
        "/public/..\\private/s.txt",
        "/public/..%5cprivate/s.txt",
        "/public/..;/private/s.txt",
        "/public/%2e%2e%2fprivate/s.txt",
        "/public/../private/s.txt?x=/public/",
        "/public/%2e%2e/%70rivate/s.txt",
        "/../private/s.txt",
        "/public/../../private/s.txt",
        "http://server/public/../private/s.txt",
    };
    for (int port : {kPython, kNginx}) {
      for (const char *target : tricks) {
        CAPTURE(port);
        CAPTURE(target);
        std::string response = s.get(port, target);
        CHECK_MESSAGE(refused_by_polc(response), response);
        CHECK(response.find(kSecret) == std::string::npos);
      }
    }
    // IPv6 too, and with curl --path-as-is (it would otherwise resolve the dots itself).
    CHECK(refused_by_polc(s.get(kNginx, "/public/%2e%2e/private/s.txt", VethPair::kServer6)));
    CommandResult curl = s.net.in_client("timeout 10 curl -sS -m 3 --path-as-is -o - -w '%{http_code}' "
                                         "'http://10.200.0.2:8080/public/../private/s.txt'");
    CHECK(curl.out.find("403") != std::string::npos);
    CHECK(curl.out.find(kSecret) == std::string::npos);
    // None of them reached a server: nothing was logged since the policy went in.
    std::this_thread::sleep_for(200ms);
    std::string python_since = s.python_log().substr(python_before);
    std::string nginx_since = s.nginx_log().substr(nginx_before);
    CHECK_MESSAGE(python_since.find("private") == std::string::npos, python_since);
    CHECK_MESSAGE(nginx_since.find("private") == std::string::npos, nginx_since);

    // What normalization allows is served: dots inside /public/, a query
    // holding dots, an escaped unreserved character.
    for (int port : {kPython, kNginx}) {
      CAPTURE(port);
      CHECK(s.get(port, "/public/a.txt").find("public a") != std::string::npos);
      CHECK(s.get(port, "/public/dir/./b").find("public b") != std::string::npos);
      CHECK(s.get(port, "/public/dir/../a.txt").find("public a") != std::string::npos);
      CHECK(s.get(port, "/public/%61.txt").find("public a") != std::string::npos);
      CHECK(s.get(port, "/public/a.txt?q=../../private/s.txt").find("public a") != std::string::npos);
    }
    CHECK(s.get(kNginx, "/public/a.txt", VethPair::kServer6).find("public a") != std::string::npos);

    // The refusals are counted under their own reason.
    CommandResult status = run_polc({"status", "--iface", "s0", "--netns", s.net.server(), "--format", "json"});
    CHECK_MESSAGE(status.out.find("\"refused_http_path_not_normal\"") != std::string::npos, status.out);
    auto j = nlohmann::json::parse(status.out, nullptr, false);
    uint64_t not_normal = 0;
    if (!j.is_discarded())
      for (const auto &iface : j.value("interfaces", nlohmann::json::array()))
        not_normal += iface.value("packets", nlohmann::json::object()).value("refused_http_path_not_normal", 0ull);
    CHECK(not_normal >= 10);
    run_polc({"detach", "--iface", "s0", "--netns", s.net.server()});
  }
}

}  // namespace polc::test
