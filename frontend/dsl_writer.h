// The canonical layout of the polc DSL: `polc fmt` prints a `.pol` file's
// rules through this, and `polc convert --to pol` the AST that
// ir/pol_writer builds from the IR. One statement per line (long ones
// wrapped), two-space indentation, fixed item order inside a policy
// (description, labels, lint ignores, select, enforce, statements in
// source order). Comments given are put back before the item that follows
// them, or at the end of the line they shared with an item.
//
// Expects rules of origin Dsl (or built to mean the same): namespaces are
// not written, since the DSL is not namespaced.
#pragma once

#include <string>
#include <vector>

#include "frontend/ast.h"
#include "frontend/dsl_reader.h"

namespace polc {

std::string write_dsl(const ast::PolicySet &rules, const std::vector<DslComment> &comments = {});

}  // namespace polc
