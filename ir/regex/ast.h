// The parsed form of one HTTP regex (RE2 syntax, the subset the datapath can
// enforce): sets of code points, concatenation, alternation, bounded or
// unbounded repetition, and the two text anchors. Captures and laziness are
// gone by now: under whole-value matching they do not change the language.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace polc::ir::regex {

// A mistake in a pattern, or a pattern beyond what the datapath can hold.
// Not a polc::Error: it is the user's input, so the caller reports it to the
// DiagnosticEngine at the pattern's location plus `column`.
struct RegexError {
  size_t pattern = 0;  // index in the pattern set (0 for a single pattern)
  size_t column = 0;   // 1-based byte column in the pattern; 0: the whole pattern or
                       // set is at fault (state or pattern limits)
  std::string message;
};

template <typename T>
class [[nodiscard]] RegexResult {
 public:
  RegexResult(T value) : v_(std::move(value)) {}
  RegexResult(RegexError error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T &value() & { return std::get<0>(v_); }
  T &&value() && { return std::get<0>(std::move(v_)); }
  const T &value() const & { return std::get<0>(v_); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }
  T &operator*() & { return value(); }
  const RegexError &error() const { return std::get<1>(v_); }

 private:
  std::variant<T, RegexError> v_;
};

constexpr uint32_t kMaxRune = 0x10FFFF;

struct RuneRange {
  uint32_t lo = 0, hi = 0;  // inclusive
  friend bool operator==(const RuneRange &, const RuneRange &) = default;
};

// A set of code points as sorted, disjoint, non-adjacent ranges (the form
// RE2's CharClass keeps, which decides how non-ASCII ranges become UTF-8).
class RuneSet {
 public:
  RuneSet() = default;
  static RuneSet of(uint32_t lo, uint32_t hi) {
    RuneSet s;
    s.add(lo, hi);
    return s;
  }

  void add(uint32_t lo, uint32_t hi);
  void add(const RuneSet &other);
  RuneSet negated() const;  // complement within [0, kMaxRune]
  // RE2's (?i) for the ASCII letters: the other case, plus U+212A KELVIN
  // SIGN for k and U+017F LONG S for s (Unicode folds them together).
  RuneSet case_folded() const;
  bool contains(uint32_t r) const;
  bool empty() const { return ranges_.empty(); }
  const std::vector<RuneRange> &ranges() const { return ranges_; }

 private:
  std::vector<RuneRange> ranges_;
};

// \d \s \w by their letter (either case gives the positive set); RE2's
// Perl classes are ASCII only, and \s has no \v.
std::optional<RuneSet> perl_class(char letter);
// [:alpha:] and the other POSIX names (without the colons), ASCII only.
std::optional<RuneSet> posix_class(std::string_view name);

struct Node {
  enum class Kind : uint8_t {
    Empty,      // matches ""
    Runes,      // one code point of `runes` (as UTF-8; an empty set matches nothing)
    Concat,     // children in order
    Alternate,  // one of the children
    Repeat,     // children[0], min..max times (max < 0: unbounded)
    BeginText,  // ^ or \A: only at offset 0
    EndText,    // $ or \z: only at the end of the value
  };
  Kind kind = Kind::Empty;
  RuneSet runes;
  std::vector<Node> children;
  int min = 0, max = -1;
};

}  // namespace polc::ir::regex
