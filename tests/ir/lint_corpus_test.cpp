// The lint corpus (tests/data/lint, see its README.md): every case gives
// exactly the findings it declares, on the declared lines.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "frontend/inventory.h"
#include "frontend/policy_loader.h"
#include "ir/lint/lint.h"
#include "ir/lower.h"
#include "tests/support/test_env.h"

namespace fs = std::filesystem;
using namespace polc;

namespace {

using Expectation = std::tuple<std::string, uint32_t, std::string>;  // file name, line, rule id

std::set<Expectation> expected_findings(const fs::path &c) {
  std::set<Expectation> out;
  if (c.extension() == ".pol") {
    std::istringstream text(test::read_file(c));
    std::string line;
    for (uint32_t n = 1; std::getline(text, line); ++n) {
      size_t at = line.find("# expect:");
      if (at == std::string::npos) continue;
      std::istringstream ids(line.substr(at + 9));
      for (std::string id; ids >> id;) out.emplace(c.filename().string(), n, id);
    }
  }
  fs::path expect = c.parent_path() / (c.stem().string() + ".expect");
  if (fs::exists(expect)) {
    std::istringstream text(test::read_file(expect));
    std::string where, id;
    while (text >> where >> id) {
      size_t colon = where.rfind(':');
      out.emplace(where.substr(0, colon), std::stoul(where.substr(colon + 1)), id);
    }
  }
  return out;
}

std::set<Expectation> actual_findings(const fs::path &c, std::string &rendered) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  ast::PolicySet rules;
  load_policy_file(c.string(), sources, diags, rules);
  if (diags.has_errors()) rules.rules.clear();  // as the CLI: files with errors are not analysed
  fs::path eps = c.parent_path() / (c.stem().string() + ".endpoints.json");
  Inventory inventory;
  ir::EndpointSet endpoints;
  bool have = fs::exists(eps) && load_inventory_file(eps.string(), sources, diags, inventory);
  if (have) {
    std::vector<ir::NamespaceInfo> namespaces;
    for (const auto &ns : inventory.namespaces)
      namespaces.push_back(ir::NamespaceInfo{ns.name, ir::LabelSet(ns.labels.begin(), ns.labels.end())});
    std::vector<ir::EndpointSet::InventoryEndpoint> list;
    for (const auto &ep : inventory.endpoints)
      list.push_back({ep.name, ep.namespace_, ir::LabelSet(ep.labels.begin(), ep.labels.end()), ep.ips});
    endpoints = ir::EndpointSet::from_inventory(namespaces, list);
  }
  ir::Policy policy = ir::lower(rules, diags);
  std::vector<Diagnostic> findings = ir::apply_silences(rules, diags.all());
  for (auto &d : ir::run_lint({rules, policy, have ? &endpoints : nullptr, have ? &inventory : nullptr}))
    findings.push_back(d);
  std::set<Expectation> out;
  for (const Diagnostic &d : findings) {
    rendered += diags.render(d, false);
    out.emplace(fs::path(sources.path(d.loc.file)).filename().string(), d.loc.line, d.id);
  }
  return out;
}

}  // namespace

TEST_SUITE("ir") {
  TEST_CASE("lint corpus: each case gives exactly its expected findings") {
    fs::path dir = test::source_dir() / "tests/data/lint";
    std::vector<fs::path> cases;
    for (const auto &entry : fs::directory_iterator(dir)) {
      std::string name = entry.path().filename().string();
      std::string ext = entry.path().extension().string();
      if (name.ends_with(".endpoints.json") || name == "endpoints.json") continue;
      if (ext == ".pol" || ext == ".json" || ext == ".yaml") cases.push_back(entry.path());
    }
    std::sort(cases.begin(), cases.end());
    REQUIRE(cases.size() >= 25);
    std::set<std::string> kinds_hit, kinds_clean;
    for (const fs::path &c : cases) {
      CAPTURE(c.filename().string());
      std::string rendered;
      std::set<Expectation> actual = actual_findings(c, rendered);
      std::set<Expectation> expected = expected_findings(c);
      CAPTURE(rendered);
      CHECK(actual == expected);
      if (c.filename().string().starts_with("no-")) {
        CHECK(expected.empty());
        kinds_clean.insert(c.stem().string().substr(3));
      }
      for (const auto &e : expected) kinds_hit.insert(std::get<2>(e));
    }
    // Every kind of the catalog has a positive and a negative case.
    for (const auto &rule : ir::lint_catalog()) {
      CAPTURE(rule.id);
      CHECK(kinds_hit.count(std::string(rule.id)));
      CHECK(kinds_clean.count(std::string(rule.id)));
    }
  }
}
