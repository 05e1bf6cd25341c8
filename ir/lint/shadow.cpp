// Shadowing: compares every allow rule with the rules whose subjects can
// select the same endpoints.
//   redundant-allow     another allow allows everything this one does
//   dead-allow          a deny covers everything this allow allows
//   allow-deny-overlap  a deny takes away part of it (a note: often meant)
// Rules are first bucketed by subject, and subject pairs that cannot meet
// are skipped, so a thousand unrelated policies cost little.
#include <fmt/format.h>

#include "ir/lint/match.h"
#include "ir/lint/passes.h"
#include "ir/lint/subject_meets.h"

namespace polc::ir::lint {

namespace {

SourceLoc first_origin(const Rule &r) { return r.origins.empty() ? SourceLoc{} : r.origins.front(); }

Diagnostic note_at(const Rule &r, std::string_view id, std::string message) {
  Diagnostic n;
  n.severity = Severity::Note;
  n.id = std::string(id);
  n.loc = first_origin(r);
  n.message = std::move(message);
  return n;
}

class ShadowPass : public LintPass {
 public:
  void run(const LintInput &input, std::vector<Diagnostic> &findings) const override {
    const auto &rules = input.policy.rules;
    // Distinct subjects; rules are sorted by subject first, so equal ones are adjacent.
    std::vector<const Selector *> subjects;
    std::vector<std::vector<size_t>> rules_of;
    std::vector<size_t> subject_of(rules.size());
    for (size_t k = 0; k < rules.size(); ++k) {
      if (subjects.empty() || !(*subjects.back() == rules[k].subject)) {
        subjects.push_back(&rules[k].subject);
        rules_of.emplace_back();
      }
      subject_of[k] = subjects.size() - 1;
      rules_of.back().push_back(k);
    }
    // For each subject, the subjects that may select some of its endpoints.
    const std::vector<std::vector<size_t>> meets = subjects_meeting(subjects);

    for (size_t k = 0; k < rules.size(); ++k) {
      const Rule &n = rules[k];
      if (n.verdict != Verdict::Allow) continue;
      const Rule *broader = nullptr, *deny_all = nullptr, *deny_some = nullptr;
      for (size_t i : meets[subject_of[k]]) {
        for (size_t b : rules_of[i]) {
          if (b == k) continue;
          const Rule &o = rules[b];
          if (o.direction != n.direction) continue;
          if (o.verdict == Verdict::Allow) {
            // Two rules covering each other: report only the later one.
            if (!broader && rule_covers(o, n) && !(b > k && rule_covers(n, o))) broader = &o;
          } else if (!deny_all && rule_covers(o, n)) {
            deny_all = &o;
          } else if (!deny_some && peers_overlap(o.peer, n.peer) && l4_overlap(o.l4, n.l4)) {
            deny_some = &o;
          }
        }
      }
      std::string what = fmt::format("{} from {} on {}", direction_name(n.direction), describe_peer(n.peer), describe_l4(n.l4));
      if (n.direction == Direction::Egress)
        what = fmt::format("egress to {} on {}", describe_peer(n.peer), describe_l4(n.l4));
      if (deny_all) {
        Diagnostic d = finding("dead-allow", first_origin(n),
                               fmt::format("this allow ({}) never takes effect: a deny rule covers it", what),
                               "a deny wins over every allow; remove the allow, or narrow the deny");
        d.notes.push_back(note_at(*deny_all, "dead-allow", "the deny rule is here"));
        findings.push_back(std::move(d));
      } else if (deny_some) {
        Diagnostic d = finding("allow-deny-overlap", first_origin(n),
                               fmt::format("this allow ({}) overlaps a deny rule, which wins where they overlap", what),
                               "nothing to do if that is intended");
        d.notes.push_back(note_at(*deny_some, "allow-deny-overlap", "the deny rule is here"));
        findings.push_back(std::move(d));
      }
      if (broader) {
        Diagnostic d = finding("redundant-allow", first_origin(n),
                               fmt::format("this allow ({}) is redundant: a broader allow already allows it", what),
                               "remove it, or narrow the broader rule if that one allows too much");
        d.notes.push_back(note_at(*broader, "redundant-allow", "the broader allow is here"));
        findings.push_back(std::move(d));
      }
    }
  }
};

}  // namespace

std::unique_ptr<LintPass> make_shadow_pass() { return std::make_unique<ShadowPass>(); }

std::string describe_selector(const Selector &s) {
  if (s.requirements.empty()) return "{}";
  static const char *ops[] = {"in", "not in", "exists", "not exists"};
  std::vector<std::string> parts;
  for (const Requirement &r : s.requirements) {
    if (r.op == ast::SelectorOp::In && r.values.size() == 1) parts.push_back(r.key + " = " + r.values[0]);
    else if (r.values.empty()) parts.push_back(fmt::format("{} {}", r.key, ops[int(r.op)]));
    else parts.push_back(fmt::format("{} {} ({})", r.key, ops[int(r.op)], fmt::join(r.values, ", ")));
  }
  return fmt::format("{{ {} }}", fmt::join(parts, ", "));
}

std::string describe_peer(const Peer &p) {
  switch (p.kind) {
    case Peer::Kind::Any: return "every peer";
    case Peer::Kind::Cluster: return "the cluster";
    case Peer::Kind::Selector: return "endpoints " + describe_selector(p.selector);
    case Peer::Kind::Cidr: {
      std::string out = p.cidr.str();
      std::vector<std::string> ex;
      for (const Prefix &e : p.except) ex.push_back(e.str());
      if (!ex.empty()) out += fmt::format(" except {}", fmt::join(ex, ", "));
      return out;
    }
  }
  return "";
}

std::string describe_l4(const L4 &l4) {
  switch (l4.kind) {
    case L4::Kind::All: return "every port and protocol";
    case L4::Kind::Ports:
      if (l4.port_lo == 0 && l4.port_hi == 65535) return fmt::format("every {} port", proto_name(l4.proto));
      if (l4.port_lo == l4.port_hi) return fmt::format("{} {}", proto_name(l4.proto), l4.port_lo);
      return fmt::format("{} {}-{}", proto_name(l4.proto), l4.port_lo, l4.port_hi);
    case L4::Kind::IcmpType: return fmt::format("{} type {}", proto_name(l4.proto), unsigned(l4.icmp_type));
    case L4::Kind::NamedPort: return fmt::format("{} port \"{}\"", proto_name(l4.proto), l4.port_name);
  }
  return "";
}

}  // namespace polc::ir::lint
