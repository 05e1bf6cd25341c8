// Recursive descent over the pattern bytes. Each parse function leaves pos_
// after what it consumed; the first error wins and stops the descent.
#include "ir/regex/parser.h"

#include <fmt/format.h>

#include <optional>

namespace polc::ir::regex {
namespace {

constexpr int kMaxRepeat = 1000;  // RE2's limit for {n,m}
constexpr int kMaxNesting = 1000;  // RE2's limit for nested groups

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Node kind_node(Node::Kind kind) {
  Node n;
  n.kind = kind;
  return n;
}

Node runes_node(RuneSet set) {
  Node n;
  n.kind = Node::Kind::Runes;
  n.runes = std::move(set);
  return n;
}

Node list_node(Node::Kind kind, std::vector<Node> children) {
  if (children.empty()) return Node{};
  if (children.size() == 1) return std::move(children[0]);
  Node n;
  n.kind = kind;
  n.children = std::move(children);
  return n;
}

// What one backslash sequence stands for.
struct Escape {
  enum class Kind { Rune, Set, BeginText, EndText, Quoted } kind = Kind::Rune;
  uint32_t rune = 0;
  RuneSet set;           // Set: already folded and negated as written
  std::string quoted;    // Quoted: the bytes of \Q...\E
};

class Parser {
 public:
  explicit Parser(std::string_view pattern) : p_(pattern) {}

  RegexResult<Node> run() {
    leading_flags();
    Node root = alternation(0);
    if (!error_ && !at_end()) fail(pos_, "unexpected ): no group to close");
    if (error_) return *error_;
    return root;
  }

 private:
  bool at_end() const { return pos_ >= p_.size(); }
  bool looking_at(std::string_view s) const { return p_.substr(pos_, s.size()) == s; }

  void fail(size_t at, std::string message) {
    if (!error_) error_ = RegexError{0, at + 1, std::move(message)};
  }
  void unsupported(size_t at, std::string_view feature) {
    fail(at, fmt::format("regex feature {} is not supported in the datapath", feature));
  }

  // (?i), (?s), (?U) and their combinations, only as the pattern's first token.
  void leading_flags() {
    if (!looking_at("(?")) return;
    size_t i = 2;
    while (i < p_.size() && is_alpha(p_[i])) ++i;
    if (i == 2 || i >= p_.size() || p_[i] != ')') return;  // a group, not flags: atom() judges it
    for (size_t k = 2; k < i; ++k) {
      switch (p_[k]) {
        case 'i': fold_ = true; break;
        case 's': dot_nl_ = true; break;
        case 'U': break;  // ungreedy: same language
        case 'm': unsupported(k, "(?m) multi-line mode"); return;
        default: fail(k, fmt::format("invalid flag \"{}\"", p_[k])); return;
      }
    }
    pos_ = i + 1;
  }

  Node alternation(int depth) {
    std::vector<Node> branches;
    branches.push_back(concatenation(depth));
    while (!error_ && !at_end() && p_[pos_] == '|') {
      ++pos_;
      branches.push_back(concatenation(depth));
    }
    return list_node(Node::Kind::Alternate, std::move(branches));
  }

  Node concatenation(int depth) {
    std::vector<Node> items;
    while (!error_ && !at_end() && p_[pos_] != '|' && p_[pos_] != ')') {
      quoted_ = false;
      Node item = atom(depth);
      if (error_) break;
      if (quoted_ && item.kind == Node::Kind::Concat) {
        // \Qab\E* repeats the b alone, as RE2 does.
        for (size_t i = 0; i + 1 < item.children.size(); ++i) items.push_back(std::move(item.children[i]));
        Node last = std::move(item.children.back());
        item = std::move(last);
      }
      quantifiers(item);
      items.push_back(std::move(item));
    }
    return list_node(Node::Kind::Concat, std::move(items));
  }

  // {n}, {n,}, {n,m} at pos_: true and pos_ moved past it when well formed.
  // Anything else is not a repetition (RE2 then reads `{` as a literal).
  bool repeat_braces(int &min, int &max) {
    size_t i = pos_ + 1;
    auto number = [&](int &out) {
      size_t start = i;
      long v = 0;
      while (i < p_.size() && is_digit(p_[i])) {
        v = std::min<long>(v * 10 + (p_[i] - '0'), 100000);
        ++i;
      }
      out = int(v);
      return i > start;
    };
    if (!number(min)) return false;
    max = min;
    if (i < p_.size() && p_[i] == ',') {
      ++i;
      max = -1;
      if (i < p_.size() && is_digit(p_[i]) && !number(max)) return false;
    }
    if (i >= p_.size() || p_[i] != '}') return false;
    pos_ = i + 1;
    return true;
  }

  void quantifiers(Node &item) {
    bool repeated = false;
    while (!error_ && !at_end()) {
      size_t op = pos_;
      int min = 0, max = -1;
      char c = p_[pos_];
      if (c == '*') min = 0, max = -1, ++pos_;
      else if (c == '+') min = 1, max = -1, ++pos_;
      else if (c == '?') min = 0, max = 1, ++pos_;
      else if (c != '{' || !repeat_braces(min, max)) return;
      if (repeated) return fail(op, fmt::format("bad repetition operator: {}", p_.substr(op, pos_ - op)));
      if (min > kMaxRepeat || max > kMaxRepeat || (max >= 0 && max < min))
        return fail(op, fmt::format("invalid repetition size: {}", p_.substr(op, pos_ - op)));
      if (!at_end() && p_[pos_] == '?') ++pos_;  // lazy: same language
      Node rep;
      rep.kind = Node::Kind::Repeat;
      rep.min = min;
      rep.max = max;
      rep.children.push_back(std::move(item));
      item = std::move(rep);
      repeated = true;
    }
  }

  Node atom(int depth) {
    size_t start = pos_;
    char c = p_[pos_];
    switch (c) {
      case '(': {
        Node g = group(depth);
        quoted_ = false;  // a \Q inside the group does not split the group
        return g;
      }
      case '[': return runes_node(bracket_class());
      case '.': {
        ++pos_;
        RuneSet any = RuneSet::of(0, kMaxRune);
        return runes_node(dot_nl_ ? any : RuneSet::of('\n', '\n').negated());
      }
      case '^': ++pos_; return kind_node(Node::Kind::BeginText);
      case '$': ++pos_; return kind_node(Node::Kind::EndText);
      case '*': case '+': case '?':
        fail(start, fmt::format("missing argument to repetition operator: {}", c));
        return {};
      case '{': {
        int min, max;
        if (repeat_braces(min, max)) {
          fail(start, fmt::format("missing argument to repetition operator: {}", p_.substr(start, pos_ - start)));
          return {};
        }
        ++pos_;
        return literal('{', start);
      }
      case '\\': {
        Escape e = escape(false);
        switch (e.kind) {
          case Escape::Kind::Rune: return literal(e.rune, start);
          case Escape::Kind::Set: return runes_node(std::move(e.set));
          case Escape::Kind::BeginText: return kind_node(Node::Kind::BeginText);
          case Escape::Kind::EndText: return kind_node(Node::Kind::EndText);
          case Escape::Kind::Quoted: {
            quoted_ = true;
            std::vector<Node> chars;
            for (size_t i = 0; i < e.quoted.size();) {
              uint32_t r = decode_utf8(e.quoted, i, start);
              chars.push_back(literal(r, start));
            }
            return list_node(Node::Kind::Concat, std::move(chars));
          }
        }
        return {};
      }
      default: {
        uint32_t r = decode_utf8(p_, pos_, start);
        return literal(r, start);
      }
    }
  }

  Node literal(uint32_t r, size_t at) {
    RuneSet s = RuneSet::of(r, r);
    if (fold_) {
      if (r >= 0x80) unsupported(at, "non-ASCII character under (?i)");
      s = s.case_folded();
    }
    return runes_node(std::move(s));
  }

  // One UTF-8 character of `text` at `i` (advanced past it).
  uint32_t decode_utf8(std::string_view text, size_t &i, size_t at) {
    auto b = [&](size_t k) { return uint8_t(text[k]); };
    uint8_t c = b(i);
    if (c < 0x80) return ++i, c;
    int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    uint32_t r = len == 4 ? c & 0x07 : len == 3 ? c & 0x0F : c & 0x1F;
    bool ok = len > 0 && i + len <= text.size();
    for (int k = 1; ok && k < len; ++k) {
      ok = (b(i + k) & 0xC0) == 0x80;
      r = (r << 6) | (b(i + k) & 0x3F);
    }
    if (!ok || r > kMaxRune) {
      fail(at, "invalid UTF-8 in pattern");
      ++i;
      return 0;
    }
    i += len;
    return r;
  }

  Node group(int depth) {
    size_t start = pos_;
    if (depth >= kMaxNesting) {
      fail(start, "groups nested too deeply");
      return {};
    }
    if (looking_at("(?:")) {
      pos_ += 3;
    } else if (looking_at("(?P<")) {
      size_t i = pos_ + 4, name = i;
      while (i < p_.size() && (is_alpha(p_[i]) || is_digit(p_[i]) || p_[i] == '_')) ++i;
      if (i == name || i >= p_.size() || p_[i] != '>') {
        fail(start, "invalid named capture group");
        return {};
      }
      pos_ = i + 1;
    } else if (looking_at("(?=") || looking_at("(?!")) {
      unsupported(start, "lookahead");
      return {};
    } else if (looking_at("(?<=") || looking_at("(?<!")) {
      unsupported(start, "lookbehind");
      return {};
    } else if (looking_at("(?P=") || looking_at("(?P>")) {
      unsupported(start, "backreference");
      return {};
    } else if (looking_at("(?")) {
      size_t i = pos_ + 2;
      if (i < p_.size() && (is_alpha(p_[i]) || p_[i] == '-'))
        unsupported(start, "flags after the start of the pattern");
      else
        fail(start, "invalid or unsupported group syntax");
      return {};
    } else {
      ++pos_;
    }
    Node body = alternation(depth + 1);
    if (error_) return {};
    if (at_end() || p_[pos_] != ')') {
      fail(start, "missing closing ): group is not terminated");
      return {};
    }
    ++pos_;
    return body;
  }

  Escape escape(bool in_class) {
    size_t start = pos_;
    Escape e;
    if (pos_ + 1 >= p_.size()) {
      fail(start, "trailing backslash at end of pattern");
      ++pos_;
      return e;
    }
    char c = p_[pos_ + 1];
    pos_ += 2;
    if (uint8_t(c) >= 0x80) {
      fail(start, "invalid escape sequence");
      return e;
    }
    if (!is_alpha(c) && !is_digit(c)) return e.rune = uint8_t(c), e;  // \. \/ \- ...
    if (c >= '1' && c <= '9' && (at_end() || p_[pos_] < '0' || p_[pos_] > '7')) {
      unsupported(start, fmt::format("backreference \\{}", c));
      return e;
    }
    if (c >= '0' && c <= '7') {  // octal: \0, \01, \012, \12
      uint32_t v = c - '0';
      for (int k = 0; k < 2 && !at_end() && p_[pos_] >= '0' && p_[pos_] <= '7'; ++k) v = v * 8 + (p_[pos_++] - '0');
      return e.rune = v, e;
    }
    switch (c) {
      case 'a': return e.rune = '\a', e;
      case 'f': return e.rune = '\f', e;
      case 't': return e.rune = '\t', e;
      case 'n': return e.rune = '\n', e;
      case 'r': return e.rune = '\r', e;
      case 'v': return e.rune = '\v', e;
      case 'x': return hex_escape(start);
      case 'd': case 'D': case 's': case 'S': case 'w': case 'W': {
        RuneSet s = *perl_class(c);
        if (fold_) s = s.case_folded();
        e.kind = Escape::Kind::Set;
        e.set = (c >= 'a') ? s : s.negated();
        return e;
      }
      case 'A': case 'z':
        if (in_class) break;
        e.kind = c == 'A' ? Escape::Kind::BeginText : Escape::Kind::EndText;
        return e;
      case 'Q': {
        if (in_class) break;
        size_t end = p_.find("\\E", pos_);
        e.kind = Escape::Kind::Quoted;
        e.quoted = std::string(p_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_));
        pos_ = end == std::string_view::npos ? p_.size() : end + 2;
        return e;
      }
      case 'b': case 'B': unsupported(start, "word boundary \\b"); return e;
      case 'C': unsupported(start, "\\C (any byte)"); return e;
      case 'p': case 'P': unsupported(start, "Unicode class \\p"); return e;
      default: break;
    }
    fail(start, fmt::format("invalid escape sequence: \\{}", c));
    return e;
  }

  Escape hex_escape(size_t start) {
    Escape e;
    uint32_t v = 0;
    if (!at_end() && p_[pos_] == '{') {
      size_t i = pos_ + 1;
      while (i < p_.size() && hex_value(p_[i]) >= 0 && v <= kMaxRune) v = v * 16 + hex_value(p_[i++]);
      if (i == pos_ + 1 || i >= p_.size() || p_[i] != '}' || v > kMaxRune) {
        fail(start, "invalid escape sequence: \\x{...}");
        return e;
      }
      pos_ = i + 1;
    } else {
      if (pos_ + 2 > p_.size() || hex_value(p_[pos_]) < 0 || hex_value(p_[pos_ + 1]) < 0) {
        fail(start, "invalid escape sequence: \\x needs two hex digits");
        return e;
      }
      v = hex_value(p_[pos_]) * 16 + hex_value(p_[pos_ + 1]);
      pos_ += 2;
    }
    e.rune = v;
    return e;
  }

  // One character of a bracket class, as a range endpoint.
  std::optional<uint32_t> class_rune(size_t item_start) {
    if (p_[pos_] != '\\') return decode_utf8(p_, pos_, item_start);
    Escape e = escape(true);
    if (e.kind != Escape::Kind::Rune) {
      if (!error_) fail(item_start, "invalid character class range");
      return std::nullopt;
    }
    return e.rune;
  }

  RuneSet bracket_class() {
    size_t start = pos_++;
    bool negated = false;
    if (!at_end() && p_[pos_] == '^') negated = true, ++pos_;
    RuneSet set;
    bool first = true;
    auto add_folded = [&](RuneSet s, size_t at) {
      if (fold_) {
        if (!s.empty() && s.ranges().back().hi >= 0x80) unsupported(at, "non-ASCII character under (?i)");
        s = s.case_folded();
      }
      set.add(s);
    };
    while (!error_) {
      if (at_end()) {
        fail(start, "missing closing ]: character class is not terminated");
        break;
      }
      size_t item = pos_;
      if (p_[pos_] == ']' && !first) {
        ++pos_;
        break;
      }
      first = false;
      if (looking_at("[:")) {
        size_t close = p_.find(":]", pos_ + 2);
        if (close != std::string_view::npos) {
          std::string_view name = p_.substr(pos_ + 2, close - pos_ - 2);
          bool neg = !name.empty() && name[0] == '^';
          std::optional<RuneSet> s = posix_class(neg ? name.substr(1) : name);
          if (!s) {
            fail(item, fmt::format("invalid character class range: [:{}:]", name));
            break;
          }
          pos_ = close + 2;
          RuneSet folded = fold_ ? s->case_folded() : *s;
          set.add(neg ? folded.negated() : folded);
          continue;
        }
      }
      if (p_[pos_] == '\\' && pos_ + 1 < p_.size() && perl_class(p_[pos_ + 1])) {
        set.add(escape(true).set);  // folded and negated by escape()
        continue;
      }
      std::optional<uint32_t> lo = class_rune(item);
      if (!lo) break;
      uint32_t hi = *lo;
      if (pos_ + 1 < p_.size() && p_[pos_] == '-' && p_[pos_ + 1] != ']') {
        ++pos_;
        std::optional<uint32_t> end = class_rune(item);
        if (!end) break;
        hi = *end;
        if (hi < *lo) {
          fail(item, fmt::format("invalid character class range: {}", p_.substr(item, pos_ - item)));
          break;
        }
      }
      add_folded(RuneSet::of(*lo, hi), item);
    }
    return negated ? set.negated() : set;
  }

  std::string_view p_;
  size_t pos_ = 0;
  bool fold_ = false, dot_nl_ = false;
  bool quoted_ = false;  // the last atom was \Q...\E
  std::optional<RegexError> error_;
};

}  // namespace

RegexResult<Node> parse_regex(std::string_view pattern) { return Parser(pattern).run(); }

}  // namespace polc::ir::regex
