// Rune set arithmetic for the regex parser.
#include <algorithm>
#include <optional>
#include <string_view>

#include "ir/regex/ast.h"

namespace polc::ir::regex {

void RuneSet::add(uint32_t lo, uint32_t hi) {
  if (lo > hi) return;
  ranges_.push_back({lo, hi});
  std::sort(ranges_.begin(), ranges_.end(),
            [](const RuneRange &a, const RuneRange &b) { return a.lo < b.lo; });
  // Merge overlapping and adjacent ranges, as RE2's CharClassBuilder does.
  std::vector<RuneRange> merged;
  for (const RuneRange &r : ranges_) {
    if (!merged.empty() && r.lo <= merged.back().hi + 1)
      merged.back().hi = std::max(merged.back().hi, r.hi);
    else
      merged.push_back(r);
  }
  ranges_ = std::move(merged);
}

void RuneSet::add(const RuneSet &other) {
  for (const RuneRange &r : other.ranges_) add(r.lo, r.hi);
}

RuneSet RuneSet::negated() const {
  RuneSet out;
  uint32_t next = 0;
  for (const RuneRange &r : ranges_) {
    if (next < r.lo) out.ranges_.push_back({next, r.lo - 1});
    next = r.hi + 1;
  }
  if (next <= kMaxRune) out.ranges_.push_back({next, kMaxRune});
  return out;
}

static bool overlaps(const RuneRange &r, uint32_t lo, uint32_t hi) { return r.lo <= hi && lo <= r.hi; }

RuneSet RuneSet::case_folded() const {
  RuneSet out = *this;
  constexpr uint32_t kKelvin = 0x212A, kLongS = 0x17F;
  for (const RuneRange &r : ranges_) {
    // The other case of the letters in the range.
    uint32_t lo = std::max<uint32_t>(r.lo, 'a'), hi = std::min<uint32_t>(r.hi, 'z');
    if (lo <= hi) out.add(lo - 32, hi - 32);
    lo = std::max<uint32_t>(r.lo, 'A'), hi = std::min<uint32_t>(r.hi, 'Z');
    if (lo <= hi) out.add(lo + 32, hi + 32);
    if (overlaps(r, 'k', 'k') || overlaps(r, 'K', 'K') || overlaps(r, kKelvin, kKelvin)) {
      out.add('k', 'k'), out.add('K', 'K'), out.add(kKelvin, kKelvin);
    }
    if (overlaps(r, 's', 's') || overlaps(r, 'S', 'S') || overlaps(r, kLongS, kLongS)) {
      out.add('s', 's'), out.add('S', 'S'), out.add(kLongS, kLongS);
    }
  }
  return out;
}

// RE2's Perl classes are ASCII only (\s has no \v).
std::optional<RuneSet> perl_class(char letter) {
  RuneSet s;
  switch (letter | 0x20) {
    case 'd': s.add('0', '9'); break;
    case 's': s.add('\t', '\n'), s.add('\f', '\r'), s.add(' ', ' '); break;
    case 'w': s.add('0', '9'), s.add('A', 'Z'), s.add('a', 'z'), s.add('_', '_'); break;
    default: return std::nullopt;
  }
  return s;
}

std::optional<RuneSet> posix_class(std::string_view name) {
  RuneSet s;
  if (name == "alnum") s.add('0', '9'), s.add('A', 'Z'), s.add('a', 'z');
  else if (name == "alpha") s.add('A', 'Z'), s.add('a', 'z');
  else if (name == "ascii") s.add(0, 0x7F);
  else if (name == "blank") s.add('\t', '\t'), s.add(' ', ' ');
  else if (name == "cntrl") s.add(0, 0x1F), s.add(0x7F, 0x7F);
  else if (name == "digit") s.add('0', '9');
  else if (name == "graph") s.add('!', '~');
  else if (name == "lower") s.add('a', 'z');
  else if (name == "print") s.add(' ', '~');
  else if (name == "punct") s.add('!', '/'), s.add(':', '@'), s.add('[', '`'), s.add('{', '~');
  else if (name == "space") s.add('\t', '\r'), s.add(' ', ' ');
  else if (name == "upper") s.add('A', 'Z');
  else if (name == "word") s.add('0', '9'), s.add('A', 'Z'), s.add('a', 'z'), s.add('_', '_');
  else if (name == "xdigit") s.add('0', '9'), s.add('A', 'F'), s.add('a', 'f');
  else return std::nullopt;
  return s;
}
bool RuneSet::contains
(uint32_t r) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), r,
                             [](uint32_t v, const RuneRange &x) { return v < x.lo; });
  return it != ranges_.begin() && std::prev(it)->hi >= r;
}

}  // namespace polc::ir::regex
