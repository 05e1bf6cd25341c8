// `polc push` and `polc agent --dry-run` against a real etcd, without the
// kernel: what the store holds after each push, and what an agent that
// compiles and plans (but attaches nothing) reports in its status.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <map>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "fleet/etcd_client.h"
#include "tests/support/background_process.h"
#include "tests/support/etcd_server.h"
#include "tests/support/fleet_store.h"
#include "tests/support/test_env.h"

namespace polc::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char *kWeb = R"([{"endpointSelector": {"matchLabels": {"app": "web"}},
  "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "client"}}],
               "toPorts": [{"ports": [{"port": "80", "protocol": "TCP"}]}]}]}]
)";
constexpr const char *kDb = R"(policy {
  select app = db;
  allow ingress from endpoints { app = web } on tcp 5432;
}
)";
constexpr const char *kInventory = R"({"namespaces": [{"name": "default", "labels": {"team": "a"}}],
 "endpoints": [{"name": "web-1", "labels": {"app": "web"}, "ips": ["10.0.0.1"], "ports": [{"name": "http", "port": 80}]},
               {"name": "db-1", "labels": {"app": "db"}, "ips": ["10.0.0.2"]}]}
)";

std::map<std::string, std::string> store(fleet::EtcdClient &client) {
  std::map<std::string, std::string> out;
  auto range = client.range_prefix("/polc/");
  REQUIRE(range.ok());
  for (const auto &kv : range->kvs) out[kv.key] = kv.value;
  return out;
}

TEST_CASE("fleet: polc push writes policies and the inventory in one revision, and lints first") {
  if (!etcd_tests_enabled()) return;
  EtcdServer etcd;
  REQUIRE_MESSAGE(etcd.ok(), etcd.log());
  fleet::EtcdClient client({etcd.endpoint()});
  TempDir dir;
  write_file(dir / "web.json", kWeb);
  write_file(dir / "db.pol", kDb);
  write_file(dir / "eps.json", kInventory);

  CommandResult r = run_polc({"push", (dir / "web.json").string(), (dir / "db.pol").string(), "--endpoints",
                              (dir / "eps.json").string(), "--etcd", etcd.endpoint()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  int64_t revision = pushed_revision(r);
  auto keys = store(client);
  REQUIRE(keys.size() == 5);
  CHECK(keys["/polc/policies/web.json"] == kWeb);  // byte for byte
  CHECK(keys["/polc/policies/db.pol"] == kDb);
  auto web1 = nlohmann::json::parse(keys["/polc/endpoints/web-1"]);
  CHECK(web1["ips"] == nlohmann::json::array({"10.0.0.1"}));
  CHECK(web1["ports"][0]["name"] == "http");
  CHECK(nlohmann::json::parse(keys["/polc/namespaces/default"])["labels"]["team"] == "a");
  // One transaction: every key has the same revision.
  auto range = client.range_prefix("/polc/");
  REQUIRE(range.ok());
  for (const auto &kv : range->kvs) CHECK(kv.mod_revision == revision);

  // The same again changes nothing, not even the revision.
  r = run_polc({"push", (dir / "web.json").string(), "--etcd", etcd.endpoint()});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("nothing changed") != std::string::npos);
  CHECK(client.range_prefix("/polc/")->revision == revision);

  // An inventory without db-1 removes it; --delete removes a policy.
  write_file(dir / "eps2.json", R"({"endpoints": [{"name": "web-1", "labels": {"app": "web"}, "ips": ["10.0.0.1"]}]})");
  r = run_polc({"push", "--endpoints", (dir / "eps2.json").string(), "--delete", "db.pol", "--etcd", etcd.endpoint()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  keys = store(client);
  CHECK(keys.count("/polc/endpoints/db-1") == 0);
  CHECK(keys.count("/polc/namespaces/default") == 0);
  CHECK(keys.count("/polc/policies/db.pol") == 0);
  CHECK(keys.count("/polc/policies/web.json") == 1);
  const int64_t kept = client.range_prefix("/polc/")->revision;

  // A lint error refuses the whole push: nothing written, exit 1, the
  // finding at its file:line:col.
  write_file(dir / "bad.json", "[{\"endpointSelector\": {},\n  \"ingress\": [{\"fromCIDR\": [\"10.0.0.300/8\"]}]}]\n");
  r = run_polc({"push", (dir / "db.pol").string(), (dir / "bad.json").string(), "--etcd", etcd.endpoint()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("bad.json:2:") != std::string::npos);
  CHECK(r.err.find("nothing was written") != std::string::npos);
  CHECK(client.range_prefix("/polc/")->revision == kept);
  // A --delete of what is not there: exit 1, nothing written.
  r = run_polc({"push", (dir / "db.pol").string(), "--delete", "nope.json", "--etcd", etcd.endpoint()});
  CHECK(r.exit_code == 1);
  CHECK(client.range_prefix("/polc/")->revision == kept);
  // etcd unreachable: exit 3.
  r = run_polc({"push", (dir / "db.pol").string(), "--etcd", "http://127.0.0.1:" + std::to_string(unused_port())});
  CHECK(r.exit_code == 3);
}

TEST_CASE("fleet: agent --dry-run plans every revision, map-only for endpoints, and reports errors at their key") {
  if (!etcd_tests_enabled()) return;
  EtcdServer etcd;
  REQUIRE_MESSAGE(etcd.ok(), etcd.log());
  fleet::EtcdClient client({etcd.endpoint()});
  TempDir dir;
  write_file(dir / "web.json", kWeb);
  write_file(dir / "eps.json", kInventory);
  REQUIRE(run_polc({"push", (dir / "web.json").string(), "--endpoints", (dir / "eps.json").string(), "--etcd",
                    etcd.endpoint()})
              .exit_code == 0);
  setenv("POLC_OBJECT_CACHE", (dir / "cache").c_str(), 1);
  // A dead endpoint first: every call and the watch fail over to the live one.
  const std::string endpoints = "http://127.0.0.1:" + std::to_string(unused_port()) + "," + etcd.endpoint();
  BackgroundProcess agent({polc_binary().string(), "agent", "--etcd", endpoints, "--node", "n1", "--dry-run",
                           "--lease-ttl", "2"},
                          (dir / "agent.log").string());
  unsetenv("POLC_OBJECT_CACHE");
  auto log = [&] { return read_file(dir / "agent.log") + "\netcd:\n" + etcd.log(); };
  nlohmann::json s = wait_status(client, "n1", [](const auto &s) { return s.value("state", "") == "ok"; });
  REQUIRE_MESSAGE(!s.is_null(), log());
  CHECK(s["node"] == "n1");
  CHECK(s["last_change"]["kind"] == "attached");
  CHECK(s["policy_digest"].is_string());
  CHECK(std::regex_match(s["applied_at"].get<std::string>(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));

  // An endpoint changes: a map swap, no compile.
  auto put = client.put("/polc/endpoints/db-2", R"({"name": "db-2", "labels": {"app": "db"}, "ips": ["10.0.0.3"]})");
  REQUIRE(put.ok());
  s = wait_status(client, "n1", [&](const auto &s) { return s["revision"] == *put; });
  REQUIRE_MESSAGE(!s.is_null(), log());
  // db-2 is selected by no rule here: the same maps, "unchanged"; a web
  // endpoint changes the plan.
  put = client.put("/polc/endpoints/client-1",
                   R"({"name": "client-1", "labels": {"app": "client"}, "ips": ["10.0.0.4"]})");
  REQUIRE(put.ok());
  s = wait_status(client, "n1", [&](const auto &s) { return s["revision"] == *put; });
  REQUIRE_MESSAGE(!s.is_null(), log());
  CHECK(s["last_change"]["kind"] == "map-swap");
  CHECK(s["last_change"]["compiled"] == false);
  CHECK(s["counters"]["compiles"] == 1);

  // Two keys in one transaction are one change.
  auto txn = client.txn({fleet::TxnOp::put("/polc/endpoints/client-2",
                                           R"({"name": "client-2", "labels": {"app": "client"}, "ips": ["10.0.0.5"]})"),
                         fleet::TxnOp::erase("/polc/endpoints/client-1")});
  REQUIRE(txn.ok());
  s = wait_status(client, "n1", [&](const auto &s) { return s["revision"] == *txn; });
  REQUIRE_MESSAGE(!s.is_null(), log());
  CHECK(read_file(dir / "agent.log").find("endpoints/client-2 added, endpoints/client-1 removed") != std::string::npos);

  // A broken endpoint: error at its key, the revision in force unchanged.
  auto bad = client.put("/polc/endpoints/web-2", "{\"name\": \"web-2\",\n \"ips\": [\"10.0.0.999\"]}");
  REQUIRE(bad.ok());
  s = wait_status(client, "n1", [](const auto &s) { return s.value("state", "") == "error"; });
  REQUIRE_MESSAGE(!s.is_null(), log());
  CHECK(s["revision"] == *txn);
  CHECK(s["error_revision"] == *bad);
  CHECK(s["error"].get<std::string>().find("/polc/endpoints/web-2:2:10: error:") == 0);

  // Fixed: applied again.
  auto fixed = client.put("/polc/endpoints/web-2", R"({"name": "web-2", "labels": {"app": "web"}, "ips": ["10.0.0.9"]})");
  REQUIRE(fixed.ok());
  s = wait_status(client, "n1", [&](const auto &s) { return s["revision"] == *fixed && s["state"] == "ok"; });
  REQUIRE_MESSAGE(!s.is_null(), log());

  // A new rule shape: a program swap, compiled.
  write_file(dir / "web.json", R"([{"endpointSelector": {"matchLabels": {"app": "web"}},
  "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "client"}}], "icmps": [{"fields": [{"type": 8}]}]}]}])");
  CommandResult r = run_polc({"push", (dir / "web.json").string(), "--etcd", etcd.endpoint()});
  REQUIRE(r.exit_code == 0);
  s = wait_status(client, "n1", [&](const auto &s) { return s["revision"] == pushed_revision(r); });
  REQUIRE_MESSAGE(!s.is_null(), log());
  CHECK(s["last_change"]["kind"] == "program-swap");
  CHECK(s["counters"]["compiles"] == 2);

  // SIGKILL: the status outlives the agent by the lease's TTL (2 s), no more.
  agent.stop(SIGKILL);
  CHECK(!status_of(client, "n1").is_null());
  auto killed = Clock::now();
  while (!status_of(client, "n1").is_null() && Clock::now() - killed < std::chrono::seconds(10))
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(status_of(client, "n1").is_null());
}

}  // namespace
}  // namespace polc::test
