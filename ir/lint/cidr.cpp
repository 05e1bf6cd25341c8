// CIDR peers against the inventory (only with --endpoints):
//   cidr-covers-endpoints  a Cilium CIDR rule whose range holds endpoints'
//                          addresses. Cilium matches CIDR rules only for
//                          addresses outside the cluster, so those
//                          endpoints are not matched by it: an author who
//                          meant them is surprised. (Kubernetes ipBlock
//                          matches them, so it is not reported.)
#include <algorithm>
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
    // Every endpoint address, sorted: a CIDR's addresses are one run of it.
    struct Address {
      IpAddr ip;
      size_t endpoint, nth;  // the endpoint and which of its addresses
      bool operator<(const Address &o) const { return ip < o.ip; }
    };
    const auto &endpoints = input.endpoints->all();
    std::vector<Address> addresses;
    for (size_t e = 0; e < endpoints.size(); ++e)
      for (size_t k = 0; k < endpoints[e].ips.size(); ++k) addresses.push_back({endpoints[e].ips[k], e, k});
    std::sort(addresses.begin(), addresses.end());
    for (const Rule &r : input.policy.rules) {
      if (r.peer.kind != Peer::Kind::Cidr || r.peer.cidr_matches_endpoints || r.origins.empty()) continue;
      // Per endpoint, its first address (in inventory order) in the peer.
      std::map<size_t, size_t> first_inside;
      for (auto it = std::lower_bound(addresses.begin(), addresses.end(), Address{r.peer.cidr.addr, 0, 0});
           it != addresses.end() && r.peer.cidr.contains(it->ip); ++it)
        if (in_peer(r.peer, it->ip)) {
          auto [at, fresh] = first_inside.emplace(it->endpoint, it->nth);
          if (!fresh) at->second = std::min(at->second, it->nth);
        }
      if (first_inside.empty()) continue;
      std::vector<std::string> covered;
      for (auto [e, nth] : first_inside)
        covered.push_back(fmt::format("{} ({})", endpoints[e].name, endpoints[e].ips[nth].str()));
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
