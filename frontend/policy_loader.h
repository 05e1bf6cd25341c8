// The entry point of the policy readers: a file in, rules of the AST out.
// Dispatches on the content: a top-level list is rule JSON (Cilium rules);
// an object with `kind` is a Kubernetes object (CiliumNetworkPolicy,
// CiliumClusterwideNetworkPolicy, NetworkPolicy, or a List of them); other
// kinds are skipped with a note. `.pol` files are the DSL's.
#pragma once

#include <string>

#include "frontend/ast.h"
#include "frontend/diagnostics.h"
#include "frontend/document.h"

namespace polc {

struct PolicyReadOptions {
  // `lint --skip-non-policy` (the pre-commit hook, which sees every JSON
  // and YAML file of a repository): documents that are not network
  // policies are skipped without a word, where otherwise a JSON object
  // without "kind" is an error and another kind a note. Not a policy: an
  // object without "kind" or of another kind, a list none of whose items
  // has an endpointSelector or nodeSelector, a scalar; and a file that does
  // not parse and names no policy kind or selector (a Helm template).
  bool skip_non_policy = false;
};

// Reads one policy file and appends its rules to `out`. Returns false when
// the file added an error (warnings and notes do not count).
bool load_policy_file(const std::string &path, SourceManager &sources, DiagnosticEngine &diags,
                      ast::PolicySet &out, const PolicyReadOptions &options = {});

// The same for text already in memory (tests, stdin); `path` names it in
// messages and its extension picks the syntax.
bool load_policy_text(const std::string &path, std::string text, SourceManager &sources,
                      DiagnosticEngine &diags, ast::PolicySet &out, const PolicyReadOptions &options = {});

// Reads the documents of a registered file into rules.
void read_policy_documents(const std::vector<Document> &docs, DiagnosticEngine &diags, ast::PolicySet &out,
                           const PolicyReadOptions &options = {});

}  // namespace polc
