// duplicate-rule: lowering merges rules of equal meaning and keeps every
// origin, so an IR rule with origins at two places was written twice. The
// finding points at the later copy, with a note at the first.
#include <fmt/format.h>

#include "ir/lint/passes.h"

namespace polc::ir::lint {

namespace {

class DuplicatePass : public LintPass {
 public:
  void run(const LintInput &input, std::vector<Diagnostic> &findings) const override {
    for (const Rule &r : input.policy.rules) {
      if (r.origins.size() < 2) continue;
      const SourceLoc &first = r.origins.front();
      for (size_t i = 1; i < r.origins.size(); ++i) {
        const SourceLoc &again = r.origins[i];
        // One element can yield a rule twice (`world` and `world-ipv4`): same place, not a copy.
        if (again == first || !again.valid()) continue;
        bool seen = false;
        for (size_t j = 1; j < i; ++j) seen = seen || r.origins[j] == again;
        if (seen) continue;
        Diagnostic d = finding("duplicate-rule", again,
                               fmt::format("duplicate rule: {} {} {} on {} is already written elsewhere",
                                           r.verdict == Verdict::Allow ? "allow" : "deny", direction_name(r.direction),
                                           describe_peer(r.peer), describe_l4(r.l4)),
                               "remove one of the copies");
        Diagnostic note;
        note.severity = Severity::Note;
        note.id = "duplicate-rule";
        note.loc = first;
        note.message = "the first copy is here";
        d.notes.push_back(std::move(note));
        findings.push_back(std::move(d));
      }
    }
  }
};

}  // namespace

std::unique_ptr<LintPass> make_duplicate_pass() { return std::make_unique<DuplicatePass>(); }

}  // namespace polc::ir::lint
