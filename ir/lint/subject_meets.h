// Which selectors of a list can select a common endpoint, without comparing
// every pair: a lint over 100,000 policies has 100,000 subjects, and almost
// every one names its own `app` value.
//
// A selector with an `In` requirement on key k can only meet selectors that
// either have no `In` on k or share one of its values. An inverted index
// (key -> value -> selectors) gives those candidates; each selector uses the
// key that gives it the fewest, and only candidates are compared with
// selectors_disjoint. A selector with no `In` requirement is compared with
// all: that is as many comparisons as before, for those few.
#pragma once

#include <cstddef>
#include <vector>

#include "ir/ir.h"

namespace polc::ir::lint {

// meets[i]: the indices j (i included) for which selectors_disjoint(i, j)
// is false, sorted.
std::vector<std::vector<size_t>> subjects_meeting(const std::vector<const Selector *> &subjects);

}  // namespace polc::ir::lint
