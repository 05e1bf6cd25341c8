// The malformed-input corpus: every file in tests/data/frontend/bad has a
// sibling `.expected` with the exact diagnostic lines polc must print
// (`file:line:col: severity: message`, notes included, the path relative
// to tests/data/frontend). `*.inventory.json` files are read as endpoint
// inventories and `*.flows.json` as flow files; everything else as policy.
// Run with POLC_UPDATE_GOLDEN=1 to rewrite the expectations (then review).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "frontend/flows.h"
#include "frontend/inventory.h"
#include "frontend/policy_loader.h"
#include "frontend/source_reader.h"
#include "tests/support/test_env.h"

namespace fs = std::filesystem;

namespace {

std::string diagnostic_lines(const polc::DiagnosticEngine &diags) {
  std::string out;
  auto line = [&](const polc::Diagnostic &d) {
    out += diags.where(d.loc) + ": " + std::string(polc::severity_name(d.severity)) + ": " + d.message + "\n";
  };
  for (const polc::Diagnostic &d : diags.all()) {
    line(d);
    for (const polc::Diagnostic &n : d.notes) line(n);
  }
  return out;
}

// The inventory the flow files are checked against.
polc::Inventory flow_inventory() {
  polc::Inventory inv;
  for (const char *name : {"web-1", "web-2"}) {
    polc::InventoryEndpoint e;
    e.name = name;
    inv.endpoints.push_back(e);
  }
  return inv;
}

std::string run_one(const fs::path &file, const std::string &rel) {
  polc::SourceManager sources;
  polc::DiagnosticEngine diags(sources);
  std::string name = file.filename().string();
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  std::string text = polc::test::read_file(file);
  if (ends_with(".inventory.json") || ends_with(".flows.json")) {
    uint32_t id = sources.add(rel, text);
    auto docs = polc::parse_source(id, sources, diags);
    if (!docs.empty()) {
      if (ends_with(".inventory.json")) {
        polc::Inventory inv;
        polc::read_inventory(docs[0].root, diags, inv);
      } else {
        polc::Inventory inv = flow_inventory();
        polc::FlowFile flows;
        polc::read_flows(docs[0].root, &inv, diags, flows);
      }
    }
  } else {
    polc::ast::PolicySet set;
    polc::load_policy_text(rel, text, sources, diags, set);
  }
  return diagnostic_lines(diags);
}

}  // namespace

TEST_CASE("frontend: malformed inputs give exactly the expected diagnostics") {
  fs::path data = polc::test::source_dir() / "tests/data/frontend";
  std::vector<fs::path> inputs;
  for (const auto &entry : fs::directory_iterator(data / "bad")) {
    std::string ext = entry.path().extension().string();
    if (ext == ".json" || ext == ".yaml" || ext == ".yml" || ext == ".pol") inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  CHECK(inputs.size() >= 30);
  bool update = std::getenv("POLC_UPDATE_GOLDEN") != nullptr;
  for (const fs::path &input : inputs) {
    std::string rel = fs::relative(input, data).string();
    fs::path expected_path = input;
    expected_path.replace_extension(".expected");
    std::string actual = run_one(input, rel);
    if (update) polc::test::write_file(expected_path, actual);
    CAPTURE(rel);
    REQUIRE_MESSAGE(fs::exists(expected_path), "missing " << expected_path);
    std::string expected = polc::test::read_file(expected_path);
    CHECK(!expected.empty());  // every bad input must say something
    CHECK(actual == expected);
  }
}
