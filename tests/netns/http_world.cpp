#include "tests/netns/http_world.h"

namespace polc::test::http_fixture {

// The two endpoints: the namespaces' addresses (tests/support/netns.h).
const char *const kInventory = R"({"namespaces": [], "endpoints": [
  {"name": "server", "labels": {"app": "server"}, "ips": ["10.200.0.2", "fd77::2"]},
  {"name": "client", "labels": {"app": "client"}, "ips": ["10.200.0.1", "fd77::1"]}]})";

// The server accepts, on 8080, only these requests from the client; 8081
// is open to the client without HTTP rules.
const char *const kIngressPolicy = R"([{
  "endpointSelector": {"matchLabels": {"app": "server"}},
  "ingress": [
    {"fromEndpoints": [{"matchLabels": {"app": "client"}}],
     "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}],
                  "rules": {"http": [
                    {"method": "GET", "path": "/public/.*"},
                    {"method": "GET|HEAD", "path": "/api/v[0-9]+/items(\\?.*)?", "host": "shop\\.example"},
                    {"method": "POST", "path": "/api/upload(\\?.*)?", "headers": ["X-Token: s3cret"]},
                    {"method": "DELETE", "path": "/admin/.*", "headers": ["X-Admin"]}
                  ]}}]},
    {"fromEndpoints": [{"matchLabels": {"app": "client"}}],
     "toPorts": [{"ports": [{"port": "8081", "protocol": "TCP"}]}]}
  ]}])";

// The client may send, to the server's 8080, only GET /public/...; 8081 freely.
const char *const kEgressPolicy = R"([{
  "endpointSelector": {"matchLabels": {"app": "client"}},
  "egress": [
    {"toEndpoints": [{"matchLabels": {"app": "server"}}],
     "toPorts": [{"ports": [{"port": "8080", "protocol": "TCP"}],
                  "rules": {"http": [{"method": "GET", "path": "/public/.*"}]}}]},
    {"toEndpoints": [{"matchLabels": {"app": "server"}}],
     "toPorts": [{"ports": [{"port": "8081", "protocol": "TCP"}]}]}
  ]}])";

CommandResult in_ns(const std::string &ns, const std::vector<std::string> &argv) {
  std::string line = "ip netns exec " + ns;
  for (const auto &a : argv) line += " " + shell_quote(a);
  return run_shell(line);
}

std::string lower(std::string s) {
  for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string describe(const Reply &r) {
  return "curl exit " + std::to_string(r.exit_code) + ", status " + std::to_string(r.status) + " in " +
         std::to_string(r.seconds) + " s\n--- head:\n" + r.head + "--- body: " + nlohmann::json(r.body).dump() +
         "\n--- stderr:\n" + r.err;
}

std::optional<uint64_t> drops_in(const std::string &status_json) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(status_json);
  } catch (...) {
    return std::nullopt;
  }
  std::optional<uint64_t> total;
  auto walk = [&](const nlohmann::json &v, auto &&self) -> void {
    if (v.is_object()) {
      for (const auto &[k, x] : v.items()) {
        if (k == "packets" && x.is_object()) {
          for (const auto &[reason, count] : x.items())
            if (reason.rfind("refused_http", 0) == 0) total = total.value_or(0) + count.template get<uint64_t>();
        } else {
          self(x, self);
        }
      }
    } else if (v.is_array()) {
      for (const auto &x : v) self(x, self);
    }
  };
  walk(j, walk);
  return total;
}

void check_denied_reply(const Reply &r) {
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.status == 403);
  CHECK(r.head.rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0);
  CHECK(lower(r.head).find("\r\ncontent-length: 15\r\n") != std::string::npos);
  CHECK(lower(r.head).find("\r\nconnection: close\r\n") != std::string::npos);
  CHECK(r.body == "Access denied\r\n");
  CHECK(r.seconds < 2.0);  // the FIN ends it; no waiting for -m
}

void check_denied_raw(const nlohmann::json &r) {
  INFO(r.dump());
  std::string resp = r.value("response", "");
  CHECK(resp.rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0);
  CHECK(lower(resp).find("\r\ncontent-length: 15\r\n") != std::string::npos);
  CHECK(lower(resp).find("\r\nconnection: close\r\n") != std::string::npos);
  CHECK(resp.size() >= 15);
  CHECK(resp.ends_with("\r\n\r\nAccess denied\r\n"));
  CHECK(r.value("eof", false));  // a FIN, not a reset or a timeout
}

std::string head_of(const std::string &method, const std::string &target, const std::string &host,
                    const std::vector<std::string> &headers) {
  std::string h = method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: polc-split\r\nAccept: */*\r\n";
  for (const auto &x : headers) h += x + "\r\n";
  return h + "Connection: close\r\n\r\n";
}

}  // namespace polc::test::http_fixture
