// Ports and protocols:
//   allow-world-all-ports  ingress from every address (entity world or all,
//                          0.0.0.0/0, ::/0) on every port
//   http-on-udp            HTTP rules on a UDP or SCTP port written as such
//   http-on-any-protocol   HTTP rules on an `ANY` port (or `toPorts` without
//                          ports): it lowers to TCP, UDP and SCTP rules with
//                          the same HTTP rules and origin; only TCP carries
//                          requests the datapath can inspect
//   http-on-tls-port       HTTP rules on a port that carries TLS
#include <set>
#include <string>
#include <tuple>

#include <fmt/format.h>

#include "ir/lint/passes.h"

namespace polc::ir::lint {

namespace {

bool every_port(const L4 &l4) {
  return l4.kind == L4::Kind::All || (l4.kind == L4::Kind::Ports && l4.port_lo == 0 && l4.port_hi == 65535);
}

bool whole_internet(const Peer &p) {
  return p.kind == Peer::Kind::Any || (p.kind == Peer::Kind::Cidr && p.cidr.len == 0);
}

class BroadAllowPass : public LintPass {
 public:
  void run(const LintInput &input, std::vector<Diagnostic> &findings) const override {
    std::set<std::pair<uint32_t, uint32_t>> reported;  // (file, line): `world` lowers to two rules
    for (const Rule &r : input.policy.rules) {
      if (r.verdict != Verdict::Allow || r.direction != Direction::Ingress || r.origins.empty()) continue;
      if (!whole_internet(r.peer) || !every_port(r.l4)) continue;
      SourceLoc loc = r.origins.front();
      if (!reported.insert({loc.file, loc.line}).second) continue;
      findings.push_back(finding("allow-world-all-ports", loc,
                                 fmt::format("ingress from {} on {}: anyone on the internet reaches every port",
                                             describe_peer(r.peer), describe_l4(r.l4)),
                                 "name the ports the service listens on"));
    }
  }
};

using LocKey = std::tuple<uint32_t, uint32_t, uint32_t>;
LocKey loc_key(SourceLoc l) { return {l.file, l.line, l.col}; }

bool has_ports(const L4 &l4) { return l4.kind == L4::Kind::Ports || l4.kind == L4::Kind::NamedPort; }

std::string describe_any(const L4 &l4) {
  if (l4.kind == L4::Kind::NamedPort) return fmt::format("ANY port \"{}\"", l4.port_name);
  if (l4.port_lo == 0 && l4.port_hi == 65535) return "protocol ANY on every port";
  if (l4.port_lo == l4.port_hi) return fmt::format("ANY {}", l4.port_lo);
  return fmt::format("ANY {}-{}", l4.port_lo, l4.port_hi);
}

bool is_tls_port(uint16_t port) {
  return port == 443 || port == 8443 || port == 6443 || port == 9443 || port == 10250 || port == 993 || port == 995;
}

class HttpPortPass : public LintPass {
 public:
  void run(const LintInput &input, std::vector<Diagnostic> &findings) const override {
    const auto &rules = input.policy.rules;
    // The TCP rules with HTTP, to recognize the UDP/SCTP siblings of an ANY port.
    std::set<std::tuple<Selector, Direction, Peer, std::string, uint16_t, uint16_t, std::vector<HttpRule>, LocKey>> tcp;
    auto key = [](const Rule &r, SourceLoc o) {
      return std::make_tuple(r.subject, r.direction, r.peer, r.l4.port_name, r.l4.port_lo, r.l4.port_hi, r.http,
                             loc_key(o));
    };
    for (const Rule &r : rules)
      if (r.has_http && has_ports(r.l4) && r.l4.proto == ast::Proto::TCP)
        for (SourceLoc o : r.origins) tcp.insert(key(r, o));
    std::set<std::pair<LocKey, std::string>> reported;
    for (const Rule &r : rules) {
      if (!r.has_http || !has_ports(r.l4)) continue;
      for (SourceLoc o : r.origins) {
        if (r.l4.proto == ast::Proto::UDP || r.l4.proto == ast::Proto::SCTP) {
          if (tcp.count(key(r, o))) {
            // The UDP or SCTP part of an ANY port: the TCP part with the
            // same origin is fine, say what the other parts do.
            if (!reported.insert({loc_key(o), "any"}).second) continue;
            findings.push_back(finding(
                "http-on-any-protocol", o,
                fmt::format("HTTP rules on {}: HTTP runs over TCP, so only the TCP part is inspected; "
                            "UDP and SCTP to {} are allowed with no HTTP check",
                            describe_any(r.l4), r.l4.port_lo == r.l4.port_hi ? "that port" : "those ports"),
                "write protocol TCP for the HTTP port (a port without a protocol means ANY)"));
            continue;
          }
          if (!reported.insert({loc_key(o), "udp"}).second) continue;
          findings.push_back(finding("http-on-udp", o,
                                     fmt::format("HTTP rules on {}: HTTP runs over TCP, so they never see a request; "
                                                 "the port is allowed with no HTTP check",
                                                 describe_l4(r.l4)),
                                     "use protocol TCP for the HTTP port"));
        } else if (r.l4.kind == L4::Kind::Ports && r.l4.proto == ast::Proto::TCP && r.l4.port_lo == r.l4.port_hi &&
                   is_tls_port(r.l4.port_lo)) {
          if (!reported.insert({loc_key(o), "tls"}).second) continue;
          findings.push_back(finding("http-on-tls-port", o,
                                     fmt::format("HTTP rules on TCP {}, a TLS port: the datapath sees encrypted bytes and denies every request",
                                                 r.l4.port_lo),
                                     "allow the port without HTTP rules, or apply HTTP rules where TLS ends"));
        }
      }
    }
  }
};

}  // namespace

std::unique_ptr<LintPass> make_broad_allow_pass() { return std::make_unique<BroadAllowPass>(); }
std::unique_ptr<LintPass> make_http_port_pass() { return std::make_unique<HttpPortPass>(); }

}  // namespace polc::ir::lint
