// `polc lint` through the binary: exit codes, the three output formats, and
// SARIF checked against the SARIF 2.1.0 schema's rules for what polc emits.
// The official schema cannot be downloaded here (no network, no Debian
// package ships it), so the checks below restate its required properties,
// types, enums and minimums for sarifLog, run, tool, toolComponent,
// reportingDescriptor, result, message, location, physicalLocation,
// artifactLocation and region (sarif-schema-2.1.0.json, OASIS 2020).
#include <doctest/doctest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "tests/support/test_env.h"

using namespace polc::test;
using json = nlohmann::json;

namespace {

std::string lint_dir() { return (source_dir() / "tests/data/lint").string(); }

void check_message(const json &m) {
  REQUIRE(m.is_object());
  CHECK((m.contains("text") || m.contains("id")));
  if (m.contains("text")) CHECK(m["text"].is_string());
}

void check_physical_location(const json &p) {
  REQUIRE(p.is_object());
  REQUIRE(p.contains("artifactLocation"));  // schema: artifactLocation or address
  CHECK(p["artifactLocation"]["uri"].is_string());
  CHECK(!p["artifactLocation"]["uri"].get<std::string>().empty());
  if (p.contains("region")) {
    const json &r = p["region"];
    REQUIRE(r.is_object());
    CHECK(r["startLine"].is_number_integer());
    CHECK(r["startLine"].get<int>() >= 1);
    if (r.contains("startColumn")) CHECK(r["startColumn"].get<int>() >= 1);
  }
}

// The SARIF 2.1.0 constraints on everything polc writes.
void check_sarif(const json &log) {
  REQUIRE(log.is_object());
  CHECK(log["version"] == "2.1.0");
  CHECK(log["$schema"].is_string());
  REQUIRE(log["runs"].is_array());
  for (const json &run : log["runs"]) {
    REQUIRE(run.contains("tool"));
    const json &driver = run["tool"]["driver"];
    REQUIRE(driver.is_object());
    CHECK(driver["name"].is_string());
    REQUIRE(driver["rules"].is_array());
    for (const json &rule : driver["rules"]) {
      CHECK(rule["id"].is_string());
      if (rule.contains("shortDescription")) check_message(rule["shortDescription"]);
      if (rule.contains("defaultConfiguration")) {
        std::string level = rule["defaultConfiguration"]["level"];
        CHECK((level == "none" || level == "note" || level == "warning" || level == "error"));
      }
    }
    REQUIRE(run["results"].is_array());
    for (const json &result : run["results"]) {
      REQUIRE(result.contains("message"));
      check_message(result["message"]);
      std::string level = result["level"];
      CHECK((level == "none" || level == "note" || level == "warning" || level == "error"));
      // ruleIndex, when present, names the rule whose id is ruleId.
      int index = result["ruleIndex"];
      REQUIRE(index >= 0);
      REQUIRE(index < int(driver["rules"].size()));
      CHECK(driver["rules"][index]["id"] == result["ruleId"]);
      for (const json &loc : result["locations"]) check_physical_location(loc["physicalLocation"]);
      if (result.contains("relatedLocations"))
        for (const json &loc : result["relatedLocations"]) {
          CHECK(loc["id"].get<int>() >= -1);
          check_physical_location(loc["physicalLocation"]);
          check_message(loc["message"]);
        }
    }
  }
}

}  // namespace

TEST_SUITE("cli") {
  TEST_CASE("lint: exit 0 with warnings, 1 with an error-level finding, 2 on bad usage") {
    CommandResult warn = run_polc({"lint", lint_dir() + "/redundant-allow.pol"});
    CHECK(warn.exit_code == 0);
    CHECK(warn.out.find("redundant-allow.pol:4:") != std::string::npos);
    CHECK(warn.out.find("warning: this allow") != std::string::npos);
    CHECK(warn.out.find("[redundant-allow]") != std::string::npos);
    CHECK(warn.out.find("hint: ") != std::string::npos);
    CHECK(warn.out.find("note: the broader allow is here") != std::string::npos);

    CommandResult err = run_polc({"lint", lint_dir() + "/http-on-udp.pol"});
    CHECK(err.exit_code == 1);
    CHECK(err.out.find("error: HTTP rules on UDP 8080") != std::string::npos);

    CommandResult any = run_polc({"lint", lint_dir() + "/http-on-any-protocol.pol"});
    CHECK(any.exit_code == 0);
    CHECK(any.out.find("http-on-any-protocol.pol:3:49: warning: HTTP rules on ANY 8080: HTTP runs over TCP, so only "
                       "the TCP part is inspected; UDP and SCTP to that port are allowed with no HTTP check "
                       "[http-on-any-protocol]") != std::string::npos);
    CHECK(any.out.find("hint: write protocol TCP for the HTTP port") != std::string::npos);

    CommandResult syntax = run_polc({"lint", lint_dir() + "/syntax-errors.pol"});
    CHECK(syntax.exit_code == 1);
    CHECK(syntax.out.find("syntax-errors.pol:3:9: error: unexpected \"ingres\"") != std::string::npos);

    CHECK(run_polc({"lint", lint_dir() + "/no-dead-allow.pol"}).exit_code == 0);
    CHECK(run_polc({"lint", lint_dir() + "/no-dead-allow.pol"}).out.empty());
    CHECK(run_polc({"lint", "--format", "xml", lint_dir() + "/no-dead-allow.pol"}).exit_code == 2);
  }

  TEST_CASE("lint: --format json lists findings with id, severity, place, message and hint") {
    CommandResult r = run_polc({"lint", "--format", "json", lint_dir() + "/dead-allow.pol"});
    CHECK(r.exit_code == 0);
    json doc = json::parse(r.out);
    REQUIRE(doc["findings"].size() == 2);
    const json &f = doc["findings"][0];
    CHECK(f["rule_id"] == "dead-allow");
    CHECK(f["severity"] == "warning");
    CHECK(f["line"] == 3);
    CHECK(f["column"].get<int>() > 0);
    CHECK(f["hint"].is_string());
    CHECK(f["notes"][0]["line"] == 4);
    CHECK(doc["summary"]["warnings"] == 2);
  }

  TEST_CASE("lint: --format sarif is SARIF 2.1.0 and carries every finding") {
    CommandResult r = run_polc({"lint", "--format", "sarif", lint_dir() + "/duplicate-rule.pol",
                                lint_dir() + "/syntax-errors.pol", lint_dir() + "/regex-matches-nothing.pol"});
    CHECK(r.exit_code == 1);
    json log = json::parse(r.out);
    check_sarif(log);
    const json &results = log["runs"][0]["results"];
    std::multiset<std::string> ids;
    for (const json &res : results) ids.insert(res["ruleId"].get<std::string>());
    CHECK(ids.count("duplicate-rule") == 2);
    CHECK(ids.count("syntax-error") == 2);
    CHECK(ids.count("regex-matches-nothing") == 2);
    for (const json &res : results)
      if (res["ruleId"] == "duplicate-rule") CHECK(res["relatedLocations"].size() == 1);
  }

  TEST_CASE("lint: the inventory enables the selector checks") {
    CommandResult r = run_polc({"lint", lint_dir() + "/unselected-endpoint.pol", "--endpoints",
                                lint_dir() + "/unselected-endpoint.endpoints.json"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("no policy selects endpoint \"api-1\"") != std::string::npos);
    CHECK(run_polc({"lint", lint_dir() + "/unselected-endpoint.pol"}).out.empty());
  }

  TEST_CASE("lint: samples in every format") {
    for (const char *s : {"01-labels.json", "02-cidr.yaml", "06-http.yaml", "07-k8s-networkpolicy.yaml", "06-http.pol"}) {
      CAPTURE(s);
      CommandResult r = run_polc({"lint", (source_dir() / "samples" / s).string(), "--endpoints",
                                  (source_dir() / "samples/endpoints.json").string(), "--format", "sarif"});
      CHECK(r.exit_code == 0);
      check_sarif(json::parse(r.out));
    }
  }

  TEST_CASE("lint: a CIDR rule whose range holds endpoints' addresses is reported, an ipBlock is not") {
    TempDir dir;
    write_file(dir / "eps.json", R"({"endpoints": [
      {"name": "db-1", "labels": {"app": "db"}, "ips": ["10.0.3.31"]},
      {"name": "web-1", "labels": {"app": "web"}, "ips": ["10.0.1.10"]}]})");
    // Line 7: toCIDR 10.0.0.0/16 holds db-1 and web-1; line 8: 192.0.2.0/24 holds none.
    write_file(dir / "cnp.yaml", R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p, namespace: default}
spec:
  endpointSelector: {matchLabels: {app: web}}
  egress:
    - toCIDR: [10.0.0.0/16]
    - toCIDR: [192.0.2.0/24]
)");
    CommandResult r = run_polc({"lint", (dir / "cnp.yaml").string(), "--endpoints", (dir / "eps.json").string(),
                                "--format", "json"});
    CHECK(r.exit_code == 0);  // a warning
    json doc = json::parse(r.out);
    int found = 0;
    for (const json &f : doc["findings"])
      if (f["rule_id"] == "cidr-covers-endpoints") {
        ++found;
        CHECK(f["line"] == 7);
        CHECK(f["severity"] == "warning");
        CHECK(f["message"].get<std::string>().find("db-1 (10.0.3.31)") != std::string::npos);
      }
    CHECK(found == 1);
    // Without an inventory there is nothing to compare with.
    CHECK(run_polc({"lint", (dir / "cnp.yaml").string()}).out.find("cidr-covers-endpoints") == std::string::npos);

    // A Kubernetes ipBlock matches endpoints' addresses: nothing to report.
    write_file(dir / "np.yaml", R"(apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 10.0.0.0/16}}]
)");
    CommandResult np = run_polc({"lint", (dir / "np.yaml").string(), "--endpoints", (dir / "eps.json").string()});
    CHECK(np.out.find("cidr-covers-endpoints") == std::string::npos);
  }

  TEST_CASE("lint: a selector operator in the wrong case is an error there, a warning for compile") {
    TempDir dir;
    write_file(dir / "p.yaml", R"(apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: p}
spec:
  endpointSelector:
    matchExpressions:
      - {key: app, operator: in, values: [web]}
  ingress:
    - fromEndpoints: [{matchLabels: {app: api}}]
)");
    CommandResult lint = run_polc({"lint", (dir / "p.yaml").string()});
    CHECK(lint.exit_code == 1);
    CHECK(lint.out.find("p.yaml:7:30: error: selector operator \"in\" is spelled \"In\"") != std::string::npos);
    CommandResult compile = run_polc({"compile", (dir / "p.yaml").string(), "-o", (dir / "p.o").string()});
    CHECK(compile.exit_code == 0);
    CHECK(compile.err.find("warning: selector operator \"in\"") != std::string::npos);
    // Spelled right: nothing to say.
    write_file(dir / "q.yaml", read_file(dir / "p.yaml").replace(read_file(dir / "p.yaml").find("in,"), 2, "In"));
    CHECK(run_polc({"lint", (dir / "q.yaml").string()}).exit_code == 0);
  }

  TEST_CASE("lint --skip-non-policy: other kinds, other JSON and unparsable templates pass quietly") {
    TempDir dir;
    write_file(dir / "deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\n"
                                    "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Service}]\n");
    write_file(dir / "settings.json", "{\"editor.tabSize\": 2}\n");
    write_file(dir / "chart.yaml", "replicas: {{ .Values.replicas }}\n");
    std::vector<std::string> files = {(dir / "deploy.yaml").string(), (dir / "settings.json").string(),
                                      (dir / "chart.yaml").string()};
    std::vector<std::string> args = {"lint", "--skip-non-policy"};
    args.insert(args.end(), files.begin(), files.end());
    CommandResult quiet = run_polc(args);
    CHECK(quiet.exit_code == 0);
    CHECK(quiet.out.empty());
    // Without the flag they are reported (an object without "kind" is an error).
    args.erase(args.begin() + 1);
    CommandResult loud = run_polc(args);
    CHECK(loud.exit_code == 1);
    CHECK(loud.out.find("settings.json:1:1") != std::string::npos);
    // A policy among them is still linted, and a broken policy still fails.
    write_file(dir / "broken.yaml", "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p}\n"
                                    "spec: {endpointSelector: {}, ingress: [{fromCIDR: [10.0.0.300/8]}]}\n");
    CommandResult broken = run_polc({"lint", "--skip-non-policy", (dir / "broken.yaml").string(),
                                     (dir / "settings.json").string()});
    CHECK(broken.exit_code == 1);
    CHECK(broken.out.find("broken.yaml:4:") != std::string::npos);
  }
}
