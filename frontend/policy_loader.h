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

// Reads one policy file and appends its rules to `out`. Returns false when
// the file added an error (warnings and notes do not count).
bool load_policy_file(const std::string &path, SourceManager &sources, DiagnosticEngine &diags,
                      ast::PolicySet &out);

// The same for text already in memory (tests, stdin); `path` names it in
// messages and its extension picks the syntax.
bool load_policy_text(const std::string &path, std::string text, SourceManager &sources,
                      DiagnosticEngine &diags, ast::PolicySet &out);

// Reads the documents of a registered file into rules.
void read_policy_documents(const std::vector<Document> &docs, DiagnosticEngine &diags, ast::PolicySet &out);

}  // namespace polc
