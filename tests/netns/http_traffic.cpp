// Layer-7 HTTP enforcement (issue 5) with real traffic: nginx in the server
// namespace, curl (and a raw Python client for split heads) in the client
// namespace, an HTTP policy applied with `polc apply --netns` on the
// server's veth (ingress) or the client's (egress). IPv4 and IPv6.
//
// What a denied request must look like (README, issue 5): the client gets
// `HTTP/1.1 403 Forbidden`, Content-Length 15, `Connection: close`, body
// "Access denied\r\n" and a FIN; the server's socket gets a RST and the
// request never reaches nginx (its access log does not show it).
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "tests/netns/http_world.h"

namespace polc::test {

using namespace http_fixture;

TEST_CASE("HTTP rules: allowed requests reach nginx, denied ones get polc's 403, IPv4 and IPv6") {
  if (!bpf_tests_enabled()) return;
  HttpWorld w;
  w.require_applied(kIngressPolicy);

  struct Case {
    std::string what;
    std::vector<std::string> args;  // curl arguments before the URL
    std::string target;             // path and query; carries a token unique to the case
    bool allowed;
    int port = kHttpPort;
  };
  int denied_total = 0;
  std::optional<uint64_t> drops_before = drops_in(w.status());
  for (const Family &f : kFamilies) {
    CAPTURE(f.name);
    std::string t = f.name == "IPv4" ? "-v4" : "-v6";
    std::vector<Case> cases = {
        {"GET on /public/.*", {}, "/public/index" + t + ".html", true},
        {"GET with the right Host and a query", {"-H", "Host: shop.example"}, "/api/v1/items?page=2&t=host" + t, true},
        {"HEAD (method GET|HEAD) with the right Host", {"-I", "-H", "Host: shop.example"}, "/api/v2/items?t=head" + t, true},
        {"POST with the header value", {"-H", "X-Token: s3cret", "-d", "abc"}, "/api/upload?t=token" + t, true},
        {"DELETE with the header present, name in other case", {"-X", "DELETE", "-H", "x-admin: yes"}, "/admin/users/7?t=admin" + t, true},
        {"port without HTTP rules", {}, "/private/plain" + t, true, kPlainPort},
        {"path not allowed", {}, "/private/secret" + t, false},
        {"method not allowed for the path", {"-d", "x"}, "/public/post" + t, false},
        {"method must match whole (GETS)", {"-X", "GETS"}, "/public/gets" + t, false},
        {"path must match whole (prefix)", {}, "/x/public/suffix" + t, false},
        {"path must match whole (/publicity)", {}, "/publicity" + t, false},
        {"wrong Host", {"-H", "Host: evil.example"}, "/api/v1/items?t=evilhost" + t, false},
        {"default Host (the address)", {}, "/api/v1/items?t=addrhost" + t, false},
        {"wrong header value", {"-H", "X-Token: wrong", "-d", "abc"}, "/api/upload?t=badtoken" + t, false},
        {"header value missing", {"-d", "abc"}, "/api/upload?t=notoken" + t, false},
        {"required header absent", {"-X", "DELETE"}, "/admin/users/7?t=noadmin" + t, false},
    };
    for (const Case &c : cases) {
      CAPTURE(c.what);
      CAPTURE(c.target);
      std::vector<std::string> args = c.args;
      args.push_back("http://" + f.server + ":" + std::to_string(c.port) + c.target);
      Reply r = w.curl(args);
      if (c.allowed) {
        INFO(describe(r));
        CHECK(r.status == 200);
        bool head = std::find(c.args.begin(), c.args.end(), "-I") != c.args.end();
        std::string method = head ? "HEAD" : c.args.size() > 1 && c.args[0] == "-X" ? c.args[1]
                                           : std::find(c.args.begin(), c.args.end(), "-d") != c.args.end() ? "POST"
                                                                                                            : "GET";
        if (!head) CHECK(r.body == "served " + method + " " + c.target + "\n");
        CHECK(w.logged(c.target, 1).size() == 1);
      } else {
        ++denied_total;
        check_denied_reply(r);
        INFO("access log:\n" << w.access_log());
        CHECK_FALSE(w.served(c.target));
        CHECK(w.logged(c.target).empty());  // not even a partial head reached nginx
      }
    }
    // After the denials a new connection works at once.
    Reply again = w.curl({"http://" + f.server + ":8080/public/after-denials" + t});
    INFO(describe(again));
    CHECK(again.status == 200);
    CHECK(again.seconds < 1.0);
  }
  // The server's sockets of the denied requests were reset, none is left open.
  INFO("error log:\n" << w.error_log());
  CHECK(w.resets_logged() >= denied_total);
  CHECK(w.open_server_connections() == 0);
  std::optional<uint64_t> drops_after = drops_in(w.status());
  REQUIRE_MESSAGE(drops_before.has_value(), "polc status shows no HTTP refusal counters");
  REQUIRE(drops_after.has_value());
  CHECK(*drops_after >= *drops_before + denied_total);
}

TEST_CASE("HTTP rules on a keep-alive connection: each request is checked, the 403 closes it, curl does not hang") {
  if (!bpf_tests_enabled()) return;
  HttpWorld w;
  w.require_applied(kIngressPolicy);
  for (const Family &f : kFamilies) {
    CAPTURE(f.name);
    std::string t = f.name == "IPv4" ? "-v4" : "-v6";
    std::string base = "http://" + f.server + ":8080";
    // Four URLs on one curl: allowed, allowed, denied, allowed.
    auto start = Clock::now();
    CommandResult r = in_ns(w.net.client(),
                            {"timeout", "10", "curl", "-sS", "-v", "-m", "5", "-w", "%{http_code} %{num_connects}\\n",
                             base + "/public/ka1" + t, base + "/public/ka2" + t, base + "/private/ka3" + t,
                             base + "/public/ka4" + t});
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    INFO("curl exit " << r.exit_code << " in " << seconds << " s\n--- stdout:\n"
                      << r.out << "\n--- stderr:\n" << r.err << "\n--- access log:\n" << w.access_log());
    CHECK(r.exit_code == 0);
    CHECK(seconds < 3.0);
    // Bodies and (status, new connections) per transfer, in order.
    CHECK(r.out == "served GET /public/ka1" + t + "\n200 1\nserved GET /public/ka2" + t +
                       "\n200 0\nAccess denied\r\n403 0\nserved GET /public/ka4" + t + "\n200 1\n");
    size_t reuses = 0, connects = 0;
    for (size_t at = 0; (at = r.err.find("Re-using existing connection", at)) != std::string::npos; ++at) ++reuses;
    for (size_t at = 0; (at = r.err.find("* Connected to ", at)) != std::string::npos; ++at) ++connects;
    CHECK(reuses == 2);    // ka2 and ka3 on ka1's connection
    CHECK(connects == 2);  // ka4 on a new one: the 403 closed the first
    CHECK(r.err.find("Connection: close") != std::string::npos);
    // nginx: ka1 and ka2 as requests 1 and 2 of one connection, ka3 never, ka4 on another.
    auto l1 = w.logged("/public/ka1" + t, 1), l2 = w.logged("/public/ka2" + t, 1), l4 = w.logged("/public/ka4" + t, 1);
    REQUIRE(l1.size() == 1);
    REQUIRE(l2.size() == 1);
    REQUIRE(l4.size() == 1);
    CHECK(l1[0].conn == l2[0].conn);
    CHECK(l1[0].nreq == 1);
    CHECK(l2[0].nreq == 2);
    CHECK(l4[0].conn != l1[0].conn);
    CHECK_FALSE(w.served("/private/ka3" + t));
    CHECK(w.logged("/private/ka3" + t).empty());

    // Denied first, then allowed requests on the next connection curl opens.
    r = in_ns(w.net.client(), {"timeout", "10", "curl", "-sS", "-m", "5", "-w", "%{http_code} %{num_connects}\\n",
                               base + "/private/ka5" + t, base + "/public/ka6" + t, base + "/public/ka7" + t});
    INFO("second curl: " << r.out << r.err);
    CHECK(r.out == "Access denied\r\n403 1\nserved GET /public/ka6" + t + "\n200 1\nserved GET /public/ka7" + t +
                       "\n200 0\n");
    CHECK_FALSE(w.served("/private/ka5" + t));

    // A request with a body (Content-Length, ~3 KiB) that looks like a
    // denied head: the body is skipped, not read as a request; the next
    // requests on the connection are checked again.
    std::string body = "GET /private/in-body HTTP/1.1\r\nHost: shop.example\r\n\r\n";
    body += std::string(3000 - body.size(), 'x');
    std::vector<std::string> fmt = {"-sS", "-m", "5", "-w", "%{http_code} %{num_connects}\\n"};
    std::vector<std::string> argv = {"timeout", "10", "curl"};
    argv.insert(argv.end(), fmt.begin(), fmt.end());
    argv.insert(argv.end(), {"-H", "X-Token: s3cret", "-H", "Expect:", "--data-binary", body,
                             base + "/api/upload?t=ka-body" + t, "--next"});
    argv.insert(argv.end(), fmt.begin(), fmt.end());
    argv.insert(argv.end(), {base + "/public/ka-body-next" + t, "--next"});
    argv.insert(argv.end(), fmt.begin(), fmt.end());
    argv.push_back(base + "/private/ka-body-denied" + t);
    r = in_ns(w.net.client(), argv);
    INFO("third curl: " << r.out << r.err);
    CHECK(r.out == "served POST /api/upload?t=ka-body" + t + "\n200 1\nserved GET /public/ka-body-next" + t +
                       "\n200 0\nAccess denied\r\n403 0\n");
    auto lb = w.logged("/api/upload?t=ka-body" + t, 1), ln = w.logged("/public/ka-body-next" + t, 1);
    REQUIRE(lb.size() == 1);
    REQUIRE(ln.size() == 1);
    CHECK(lb[0].conn == ln[0].conn);
    CHECK_FALSE(w.served("/private/ka-body-denied" + t));
  }
  CHECK(w.open_server_connections() == 0);
}

}  // namespace polc::test
