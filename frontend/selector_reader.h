// Label selectors (Kubernetes LabelSelector, Cilium EndpointSelector):
// `matchLabels` become `In` requirements, `matchExpressions` are checked
// (operator, values present or absent) and every key and value is checked
// as Kubernetes would.
#pragma once

#include <string_view>

#include "frontend/ast.h"
#include "frontend/doc_reader.h"
#include "frontend/document.h"

namespace polc::reader {

// Reads `node` (named `what` in messages) into `out`. `key_prefix` is put in
// front of every key: Kubernetes namespaceSelector keys become
// "io.cilium.k8s.namespace.labels.<key>". Returns false on an error.
bool read_selector(const DocNode &node, What what, DiagnosticEngine &diags,
                   ast::Selector &out, std::string_view key_prefix = {});

// A selector key: checked, normalized ("k8s:app" -> "app"); false on error.
bool read_label_key(const DocNode &key, DiagnosticEngine &diags, std::string &out);
// A label value: checked; false on error.
bool read_label_value(const DocNode &value, What what, DiagnosticEngine &diags, std::string &out);

}  // namespace polc::reader
