// Every real policy file of the public corpus reads cleanly, or is refused
// only for features polc does not support yet (`not-supported`), or is one
// of the known-broken upstream files listed below.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>

#include "frontend/policy_loader.h"
#include "tests/support/test_env.h"

namespace fs = std::filesystem;

namespace {

// Files that are not valid as they stand upstream, with the reason.
const std::set<std::string> kKnownBroken = {
    // `//` comments: not JSON.
    "cilium-cilium/examples/kubernetes/network-policy/admin-policy.json",
    // Deliberately malformed (podSelector in a CNP, toCIDR as a map).
    "cilium-cilium/examples/minikube/malformed_policy.yaml",
    // port: "REMOVE_ME_AFTER_DOUBLE_CHECKING_PORTS", a placeholder.
    "cilium-cilium/examples/policies/host/lock-down-ingress.yaml",
    // The pre-1.0 policy format with string-array selectors.
    "cilium-cilium/examples/demo/sw_policy_http.json",
    // A mis-indented matchLabels ("matchLabels:" then "role:" beside it):
    // Cilium silently drops "role" and selects every endpoint.
    "cilium-cilium/examples/policies/multi_rule.yaml",
    "_variants/cilium-cilium@0b47e8714c5b/examples/policies/l4/l3_l4_combined.yaml",
};

bool is_policy_candidate(const fs::path &p) {
  std::string ext = p.extension().string();
  return ext == ".json" || ext == ".yaml" || ext == ".yml";
}

}  // namespace

TEST_CASE("frontend: the public corpus reads, or only unsupported features are refused") {
  fs::path root = polc::test::corpus_dir();
  if (!fs::is_directory(root)) {
    MESSAGE("corpus folder " << root << " is absent: skipping");
    return;
  }
  std::vector<fs::path> files;
  for (const auto &entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file() && is_policy_candidate(entry.path())) files.push_back(entry.path());
  std::sort(files.begin(), files.end());

  size_t clean = 0, unsupported = 0, templated = 0, broken = 0, rules = 0;
  std::vector<std::string> failures;
  for (const fs::path &file : files) {
    std::string rel = fs::relative(file, root).string();
    std::string text = polc::test::read_file(file);
    polc::SourceManager sources;
    polc::DiagnosticEngine diags(sources);
    polc::ast::PolicySet set;
    polc::load_policy_text(rel, text, sources, diags, set);
    rules += set.rules.size();
    bool only_not_supported = true;
    for (const auto &d : diags.all())
      if (d.severity == polc::Severity::Error && d.id != "not-supported") only_not_supported = false;
    if (!diags.has_errors()) {
      ++clean;
    } else if (only_not_supported) {
      ++unsupported;
    } else if (kKnownBroken.count(rel)) {
      ++broken;
    } else if (text.find("{{") != std::string::npos) {
      ++templated;  // a Go template: not a policy until rendered
    } else {
      std::string first;
      for (const auto &d : diags.all())
        if (d.severity == polc::Severity::Error && d.id != "not-supported") {
          first = diags.render(d, false);
          break;
        }
      failures.push_back(first);
    }
  }
  std::cout << "corpus: " << files.size() << " files, " << clean << " clean, " << unsupported
            << " refused only for unsupported features, " << templated << " Go templates, " << broken
            << " known broken, " << failures.size() << " failures; " << rules << " rules read\n";
  for (const std::string &f : failures) std::cout << "  " << f;
  CHECK(failures.empty());
  CHECK(clean > 100);
}
