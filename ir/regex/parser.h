// A hand-written parser for the RE2 syntax that HTTP policies use (Debian's
// libre2-dev does not install RE2's own parser). It accepts what the
// datapath DFA can enforce and refuses the rest with a column:
//   literals and escapes (\. \/ \t \n \r \f \v \a \x41 \x{41} \0 octal \Q..\E),
//   . (any character but \n), [classes] with ranges, negation and
//   [[:posix:]] names, \d \w \s \D \W \S, groups ( ) (?: ) (?P<name> ),
//   | and * + ? {n} {n,} {n,m} with their lazy forms, ^ $ \A \z anywhere,
//   and the flags (?i) (?s) (?U) at the very start of the pattern.
// Refused: \b \B \C \pL and other Unicode classes, lookarounds,
// backreferences, flags after the start, (?m), non-ASCII characters under
// (?i), repetition counts over 1000 (RE2's own limit).
//
// Meaning follows RE2's defaults (UTF-8 mode, as the reference evaluator
// compiles its patterns): . and negated classes match one UTF-8 encoded
// character, and \n is matched by negated classes but not by `.`.
#pragma once

#include <string_view>

#include "ir/regex/ast.h"

namespace polc::ir::regex {

RegexResult<Node> parse_regex(std::string_view pattern);

}  // namespace polc::ir::regex
