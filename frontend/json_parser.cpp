#include "frontend/json_parser.h"

#include <array>
#include <functional>
#include <memory>

#include <fmt/format.h>

namespace polc {

namespace {

constexpr size_t kMaxDepth = 256;

// The bytes that end a run of plain characters inside a string.
constexpr std::array<bool, 256> kStringStop = [] {
  std::array<bool, 256> stop{};
  for (int c = 0; c < 0x20; ++c) stop[c] = true;
  stop['"'] = stop['\\'] = true;
  return stop;
}();

// Keys of one object are compared with each other (duplicates): most differ
// in length or first letter, which spares a memcmp call.
bool same_key(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || (a[0] == b[0] && a == b));
}

class JsonParser {
 public:
  JsonParser(uint32_t file, std::string_view text, DiagnosticEngine &diags, DocArena &arena,
             const std::function<void(const DocNode &)> *on_item)
      : file_(file), text_(text), diags_(diags), arena_(arena), on_item_(on_item) {}

  bool parse(DocNode &root) {
    // A UTF-8 byte order mark is tolerated, as most JSON tools do.
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") advance(3);
    skip_space();
    if (at_end()) return fail("syntax error: empty document, expected a JSON value");
    if (!value(root, 0)) return false;
    skip_space();
    if (!at_end()) return fail(fmt::format("syntax error: unexpected {} after the JSON value", describe()));
    return true;
  }

 private:
  struct Abort {};

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  SourceLoc here() const { return SourceLoc{file_, line_, static_cast<uint32_t>(pos_ - line_start_ + 1)}; }

  void advance(size_t n = 1) { pos_ += n; }
  void skip_space() {
    while (!at_end()) {
      char c = peek();
      if (c == '\n') {
        ++pos_;
        ++line_;
        line_start_ = pos_;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else {
        break;
      }
    }
  }
  std::string describe() const {
    if (at_end()) return "end of file";
    unsigned char c = static_cast<unsigned char>(peek());
    if (c == '/') return "'/' (JSON has no comments)";
    if (c < 0x20 || c >= 0x7f) return fmt::format("byte 0x{:02x}", c);
    return fmt::format("'{}'", static_cast<char>(c));
  }
  bool fail(std::string message) {
    diags_.error(here(), "syntax", std::move(message));
    return false;
  }

  bool value(DocNode &out, size_t depth) {
    if (depth >= kMaxDepth) return fail(fmt::format("nesting deeper than {} levels", kMaxDepth));
    out.loc = here();
    if (at_end()) return fail("syntax error: unexpected end of file, expected a value");
    switch (peek()) {
      case '{': return object(out, depth);
      case '[': return array(out, depth);
      case '"':
        out.kind = DocNode::Kind::Scalar;
        out.quoted = true;
        return string(out);
      case 't': return literal(out, "true", DocNode::Kind::Scalar);
      case 'f': return literal(out, "false", DocNode::Kind::Scalar);
      case 'n': return literal(out, "null", DocNode::Kind::Null);
      default:
        if (peek() == '-' || (peek() >= '0' && peek() <= '9')) return number(out);
        return fail(fmt::format("syntax error: unexpected {}, expected a value", describe()));
    }
  }

  bool literal(DocNode &out, std::string_view word, DocNode::Kind kind) {
    if (text_.substr(pos_, word.size()) != word)
      return fail(fmt::format("syntax error: invalid literal, expected \"{}\"", word));
    if (kind == DocNode::Kind::Scalar) out.set_text(text_.substr(pos_, word.size()));
    advance(word.size());
    out.kind = kind;
    return true;
  }

  bool number(DocNode &out) {
    size_t start = pos_;
    auto digits = [&] {
      size_t s = pos_;
      while (!at_end() && peek() >= '0' && peek() <= '9') advance();
      return pos_ - s;
    };
    if (peek() == '-') advance();
    if (!at_end() && peek() == '0') {
      advance();
      if (!at_end() && peek() >= '0' && peek() <= '9')
        return fail("syntax error: numbers cannot have leading zeros");
    } else if (digits() == 0) {
      return fail("syntax error: expected a digit");
    }
    if (!at_end() && peek() == '.') {
      advance();
      if (digits() == 0) return fail("syntax error: expected a digit after '.'");
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      advance();
      if (!at_end() && (peek() == '+' || peek() == '-')) advance();
      if (digits() == 0) return fail("syntax error: expected a digit in the exponent");
    }
    out.kind = DocNode::Kind::Scalar;
    out.set_text(text_.substr(start, pos_ - start));
    return true;
  }

  static void append_utf8(std::string &s, uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(uint32_t &cp) {
    if (pos_ + 4 > text_.size()) return fail("syntax error: incomplete \\u escape");
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      char c = peek();
      int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (v < 0) return fail("syntax error: invalid \\u escape");
      cp = cp * 16 + static_cast<uint32_t>(v);
      advance();
    }
    return true;
  }

  // Where the run of plain string characters from `from` ends: at a quote,
  // a backslash, a control character or the end of the text.
  size_t plain_run_end(size_t from) const {
    const char *begin = text_.data(), *p = begin + from, *end = begin + text_.size();
    while (p != end && !kStringStop[static_cast<unsigned char>(*p)]) ++p;
    return static_cast<size_t>(p - begin);
  }

  // The node's text is a view into the source when the string has no
  // escape (nearly always), else the unescaped text copied to the arena.
  bool string(DocNode &node) {
    advance();  // opening quote
    size_t start = pos_;
    bool escaped = false;
    std::string &out = unescaped_;
    for (;;) {
      size_t run = pos_;
      pos_ = plain_run_end(pos_);
      if (escaped) out.append(text_.substr(run, pos_ - run));
      if (at_end()) return fail("syntax error: unterminated string");
      char c = peek();
      if (c == '"') {
        node.set_text(escaped ? arena_.copy(out) : text_.substr(start, pos_ - start));
        advance();
        return true;
      }
      if (c != '\\') {
        if (c == '\n') return fail("syntax error: unterminated string (newline inside a string)");
        return fail(fmt::format("syntax error: control character {} inside a string must be escaped", describe()));
      }
      if (!escaped) out.assign(text_.substr(start, pos_ - start));
      escaped = true;
      advance();
      if (at_end()) return fail("syntax error: unterminated string");
      char e = peek();
      advance();
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
            advance(2);
            uint32_t low = 0;
            if (!hex4(low)) return false;
            if (low >= 0xDC00 && low < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          --pos_;
          return fail(fmt::format("syntax error: invalid escape '\\{}'", e));
      }
    }
  }

  bool expect_after_item(char close, const char *what) {
    skip_space();
    if (at_end()) return fail(fmt::format("syntax error: unexpected end of file, expected ',' or '{}'", close));
    if (peek() == ',') {
      advance();
      skip_space();
      if (!at_end() && peek() == close)
        return fail(fmt::format("syntax error: trailing ',' before '{}' is not allowed in JSON", close));
      return true;
    }
    if (peek() == close) return true;
    return fail(fmt::format("syntax error: unexpected {}, expected ',' or '{}' after {}", describe(), close, what));
  }

  // A container's children are parsed onto items_ (each into a local node
  // first: items_ may grow meanwhile) and moved to the arena, contiguous,
  // when it closes.
  void close(DocNode &out, size_t first_item) {
    std::span<const DocNode> items(items_.data() + first_item, items_.size() - first_item);
    out.set_children(arena_.copy(items));
    items_.resize(first_item);
  }

  bool array(DocNode &out, size_t depth) {
    out.kind = DocNode::Kind::Seq;
    size_t first_item = items_.size();
    advance();
    skip_space();
    while (!at_end() && peek() != ']') {
      DocNode item;
      if (!value(item, depth + 1)) return false;
      if (depth == 0 && on_item_) {
        (*on_item_)(item);
        arena_.clear();  // nothing else lives in it at the top level
      } else {
        items_.push_back(item);
      }
      if (!expect_after_item(']', "a list item")) return false;
    }
    if (at_end()) return fail("syntax error: unexpected end of file, expected ']'");
    advance();
    close(out, first_item);
    return true;
  }

  bool object(DocNode &out, size_t depth) {
    out.kind = DocNode::Kind::Map;
    size_t first_item = items_.size();
    advance();
    skip_space();
    while (!at_end() && peek() != '}') {
      if (peek() != '"')
        return fail(fmt::format("syntax error: unexpected {}, expected a quoted key", describe()));
      DocNode key;
      key.kind = DocNode::Kind::Scalar;
      key.quoted = true;
      key.loc = here();
      if (!string(key)) return false;
      // Maps in policies are small: a linear scan beats a hash set here.
      for (size_t i = first_item; i < items_.size(); i += 2) {
        if (same_key(items_[i].text(), key.text())) {
          diags_.error(key.loc, "duplicate-key", fmt::format("duplicate key \"{}\"", key.text()));
          break;
        }
      }
      items_.push_back(key);
      skip_space();
      if (at_end() || peek() != ':')
        return fail(fmt::format("syntax error: unexpected {}, expected ':' after the key", describe()));
      advance();
      skip_space();
      DocNode member;
      if (!value(member, depth + 1)) return false;
      items_.push_back(member);
      if (!expect_after_item('}', "an object member")) return false;
    }
    if (at_end()) return fail("syntax error: unexpected end of file, expected '}'");
    advance();
    close(out, first_item);
    return true;
  }

  uint32_t file_;
  std::string_view text_;
  DiagnosticEngine &diags_;
  DocArena &arena_;
  const std::function<void(const DocNode &)> *on_item_;  // null: keep the top-level list's items
  std::vector<DocNode> items_;  // children of the open containers, innermost last
  std::string unescaped_;       // the string being unescaped
  size_t pos_ = 0;
  uint32_t line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace

static std::vector<Document> parse_text(uint32_t file, std::string_view text, DiagnosticEngine &diags,
                                        const std::function<void(const DocNode &)> *on_item) {
  std::vector<Document> docs(1);
  auto arena = std::make_shared<DocArena>();
  JsonParser parser(file, text, diags, *arena, on_item);
  if (!parser.parse(docs[0].root)) docs.clear();
  else docs[0].arena = std::move(arena);
  return docs;
}

std::vector<Document> parse_json(uint32_t file, std::string_view text, DiagnosticEngine &diags) {
  return parse_text(file, text, diags, nullptr);
}

std::vector<Document> parse_json(uint32_t file, std::string_view text, DiagnosticEngine &diags,
                                 const std::function<void(const DocNode &)> &on_item) {
  return parse_text(file, text, diags, &on_item);
}

}  // namespace polc
