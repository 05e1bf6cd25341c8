// The DSL's concrete syntax: runs the ANTLR-generated lexer and parser over
// one registered file and turns ANTLR's syntax errors into located
// diagnostics ("unexpected ... ; expected ..."). ANTLR's default recovery
// (single-token insertion and deletion, resynchronisation) keeps going, so
// one run reports every syntax error of a file. Internal to frontend/dsl_*.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "PolicyLexer.h"
#include "PolicyParser.h"
#include "antlr4-runtime.h"
#include "frontend/diagnostics.h"
#include "frontend/dsl_reader.h"

namespace polc::dsl {

class SyntaxTree {
 public:
  // Parses the registered file `file`; syntax errors go to `diags`.
  SyntaxTree(uint32_t file, SourceManager &sources, DiagnosticEngine &diags);
  ~SyntaxTree();
  SyntaxTree(const SyntaxTree &) = delete;
  SyntaxTree &operator=(const SyntaxTree &) = delete;

  grammar::PolicyParser::FileContext *root() const { return root_; }
  size_t syntax_errors() const { return syntax_errors_; }
  // `#` and `//` comments, in file order.
  std::vector<DslComment> comments() const;

  SourceLoc loc(const antlr4::Token *token) const;
  SourceLoc loc(antlr4::ParserRuleContext *ctx) const { return loc(ctx->getStart()); }

 private:
  class ErrorListener;
  uint32_t file_;
  std::unique_ptr<antlr4::ANTLRInputStream> input_;
  std::unique_ptr<grammar::PolicyLexer> lexer_;
  std::unique_ptr<antlr4::CommonTokenStream> tokens_;
  std::unique_ptr<grammar::PolicyParser> parser_;
  std::unique_ptr<ErrorListener> listener_;
  grammar::PolicyParser::FileContext *root_ = nullptr;
  size_t syntax_errors_ = 0;
};

// The text of a STRING token without its quotes, `\"` and `\\` unescaped;
// any other backslash stays (regexes keep theirs).
std::string unquote(std::string_view token);
// The inverse, for the writer: a double-quoted string that unquote() maps
// back to `text`.
std::string quote(std::string_view text);

}  // namespace polc::dsl
