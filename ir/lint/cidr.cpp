// CIDR peers against the inventory (only with --endpoints):
//   cidr-covers-endpoints  a Cilium CIDR rule whose range holds endpoints'
//                          addresses. Cilium matches CIDR rules only for
//                          addresses outside the cluster, so those
//                          endpoints are not matched by it: an author who
//                          meant them is surprised. (Kubernetes ipBlock
//                          matches them, so it is not reported.)
#include <map>
#include <set>

#include <fmt/format.h>

#include "ir/lint/passes.h"

namespace polc::ir::lint {

namespace {

bool in_peer(const Peer &peer, const IpAddr &ip) {
  if (!peer.cidr.contains(ip)) return false;
  for (const Prefix &e : peer.except)
    if (e.contains(ip)) return false;
  return true;
}

class CidrPass : public LintPass {
 public:
  void run(const LintInput &input, std::vector<Diagnostic> &findings) const override {
    if (!input.endpoints) return;
    // One finding per place and range: a rule element lowers to a rule per
    // port, all with the same peer.
    std::set<std::tuple<uint32_t, uint32_t, uint32_t, std::string>> reported;
    for (const Rule &r : input.policy.rules) {
      if (r.peer.kind != Peer::Kind::Cidr || r.peer.cidr_matches_endpoints || r.origins.empty()) continue;
      std::vector<std::string> covered;
      for (const Endpoint &e : input.endpoints->all())
        for (const IpAddr &ip : e.ips)
          if (in_peer(r.peer, ip)) {
            covered.push_back(fmt::format("{} ({})", e.name, ip.str()));
            break;
          }
      if (covered.empty()) continue;
      const SourceLoc at = r.origins.front();
      if (!reported.emplace(at.file, at.line, at.col, r.peer.cidr.str()).second) continue;
      std::string names;
      for (size_t i = 0; i < covered.size() && i < 3; ++i) names += (i ? ", " : "") + covered[i];
      if (covered.size() > 3) names += fmt::format(" and {} more", covered.size() - 3);
      findings.push_back(finding(
          "cidr-covers-endpoints", at,
          fmt::format("CIDR {} holds addresses of endpoints of the inventory ({}), which a CIDR rule never matches",
                      r.peer.cidr.str(), names),
          "select those endpoints with an endpoint selector (fromEndpoints/toEndpoints); CIDR rules match only "
          "addresses outside the cluster"));
    }
  }
};

}  // namespace

std::unique_ptr<LintPass> make_cidr_pass() { return std::make_unique<CidrPass>(); }

}  // namespace polc::ir::lint
