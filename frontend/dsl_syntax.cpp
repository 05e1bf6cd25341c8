#include "frontend/dsl_syntax.h"

#include <fmt/format.h>

namespace polc::dsl {

using grammar::PolicyLexer;
using grammar::PolicyParser;

namespace {

// How a token kind reads in "expected ..." lists.
std::string token_display(const antlr4::dfa::Vocabulary &vocabulary, size_t type) {
  if (type == antlr4::Token::EOF) return "end of file";
  if (type == PolicyLexer::NAME) return "a name";
  if (type == PolicyLexer::STRING) return "a string";
  std::string literal = vocabulary.getLiteralName(type);  // "'allow'"
  if (literal.size() >= 2) return "\"" + literal.substr(1, literal.size() - 2) + "\"";
  return vocabulary.getDisplayName(type);
}

std::string found_display(const antlr4::Token *token) {
  if (!token || token->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = token->getText();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return "\"" + text + "\"";
}

// The byte offset of the first invalid UTF-8 sequence, or npos. ANTLR's
// input stream decodes UTF-8 and throws on bad bytes.
size_t invalid_utf8_at(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > text.size()) return i;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return i;
    if ((len == 2 && c < 0xC2) || (len == 4 && c > 0xF4)) return i;
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace

// Replaces ANTLR's console listener. The parser's own message wording
// ("mismatched input", "no viable alternative") is replaced by what was
// found and what the parser could accept there.
class SyntaxTree::ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(SyntaxTree &tree, DiagnosticEngine &diags) : tree_(tree), diags_(diags) {}

  void syntaxError(antlr4::Recognizer *recognizer, antlr4::Token *offending, size_t line, size_t column,
                   const std::string &antlr_message, std::exception_ptr) override {
    ++tree_.syntax_errors_;
    SourceLoc loc{tree_.file_, static_cast<uint32_t>(line), static_cast<uint32_t>(column + 1)};
    auto *parser = dynamic_cast<antlr4::Parser *>(recognizer);
    if (!parser) {  // the lexer: a character no token starts with
      std::string ch = antlr_message;
      size_t at = ch.find("at: ");
      ch = at == std::string::npos ? "" : ch.substr(at + 4);
      diags_.error(loc, "syntax-error", fmt::format("unexpected character {}", ch))
          .hint = "names are letters, digits and . : / - _; other text goes in double quotes";
      return;
    }
    std::vector<std::string> expected;
    try {
      for (size_t type : parser->getExpectedTokens().toList()) {
        std::string shown = token_display(parser->getVocabulary(), type);
        // Keywords double as names; listing all of them says nothing.
        if (type >= PolicyLexer::POLICY && type <= PolicyLexer::HEADER && expected.size() > 8) continue;
        expected.push_back(std::move(shown));
      }
    } catch (...) {
      // getExpectedTokens() can fail in a broken state; the message still names what was found.
    }
    std::string message = fmt::format("unexpected {}", found_display(offending));
    if (antlr_message.rfind("missing ", 0) == 0) message = fmt::format("missing token before {}", found_display(offending));
    if (!expected.empty()) {
      if (expected.size() > 10) expected.resize(10), expected.push_back("...");
      message += fmt::format("; expected {}", fmt::join(expected, ", "));
    }
    diags_.error(loc, "syntax-error", message);
  }

 private:
  SyntaxTree &tree_;
  DiagnosticEngine &diags_;
};

SyntaxTree::SyntaxTree(uint32_t file, SourceManager &sources, DiagnosticEngine &diags) : file_(file) {
  const std::string &text = sources.contents(file);
  if (size_t bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    uint32_t line = 1, col = 1;
    for (size_t i = 0; i < bad; ++i) text[i] == '\n' ? (++line, col = 1) : ++col;
    diags.error(SourceLoc{file, line, col}, "invalid-utf8", "the file is not valid UTF-8");
    ++syntax_errors_;
    input_ = std::make_unique<antlr4::ANTLRInputStream>(std::string());
  } else {
    input_ = std::make_unique<antlr4::ANTLRInputStream>(text);
  }
  lexer_ = std::make_unique<PolicyLexer>(input_.get());
  tokens_ = std::make_unique<antlr4::CommonTokenStream>(lexer_.get());
  parser_ = std::make_unique<PolicyParser>(tokens_.get());
  listener_ = std::make_unique<ErrorListener>(*this, diags);
  lexer_->removeErrorListeners();
  lexer_->addErrorListener(listener_.get());
  parser_->removeErrorListeners();
  parser_->addErrorListener(listener_.get());
  root_ = parser_->file();
}

SyntaxTree::~SyntaxTree() = default;

SourceLoc SyntaxTree::loc(const antlr4::Token *token) const {
  if (!token) return SourceLoc{file_, 0, 0};
  return SourceLoc{file_, static_cast<uint32_t>(token->getLine()),
                   static_cast<uint32_t>(token->getCharPositionInLine() + 1)};
}

std::vector<DslComment> SyntaxTree::comments() const {
  std::vector<DslComment> out;
  tokens_->fill();
  for (antlr4::Token *t : tokens_->getTokens())
    if (t->getType() == PolicyLexer::COMMENT) out.push_back(DslComment{loc(t), t->getText()});
  return out;
}

std::string unquote(std::string_view token) {
  if (token.size() < 2 || token.front() != '"') return std::string(token);
  std::string_view body = token.substr(1, token.size() - 2);
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\\' && i + 1 < body.size() && (body[i + 1] == '"' || body[i + 1] == '\\')) ++i;
    out += body[i];
  }
  return out;
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool next_special = i + 1 == text.size() || text[i + 1] == '"' || text[i + 1] == '\\';
    if (c == '"') out += "\\\"";
    else if (c == '\\' && next_special) out += "\\\\";
    else if (c == '\n') out += ' ';  // a STRING never spans lines
    else out += c;
  }
  return out + "\"";
}

}  // namespace polc::dsl
