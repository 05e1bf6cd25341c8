// The reference evaluator: decides a packet directly from the IR's meaning
// (CONTRACT §1.1), rule by rule, with no map plan, no identities and no
// prefix tricks. It is slow on purpose and simple enough to read against the
// contract; `polc test` and the differential tests hold the compiled
// datapath to it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "frontend/net.h"
#include "ir/endpoints.h"
#include "ir/ir.h"

namespace polc::ir {

struct HttpRequest {
  std::string method;
  std::string path;
  std::optional<std::string> host;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Packet {
  IpAddr src, dst;
  ast::Proto proto = ast::Proto::TCP;  // TCP, UDP, SCTP, ICMP or ICMPv6
  uint16_t sport = 0, dport = 0;
  uint8_t icmp_type = 0, icmp_code = 0;
  std::optional<HttpRequest> http;
};

struct JudgedRequest;  // ir/http_request_check.h

struct Decision {
  bool allowed = true;
  std::string reason;  // e.g. "ingress of web-1: no rule allows it"
};

class ReferenceEvaluator {
 public:
  ReferenceEvaluator(const Policy &policy, const EndpointSet &endpoints);
  ~ReferenceEvaluator();

  Decision evaluate(const Packet &p) const;
  // One direction only: the egress policy of the source or the ingress
  // policy of the destination (allowed when that side is no endpoint).
  Decision evaluate_direction(const Packet &p, Direction d) const;

 private:
  bool enforced(const Endpoint &ep, Direction d) const;
  bool peer_matches(const Peer &peer, const IpAddr &ip, const Endpoint *ep) const;
  // `receiver`: the endpoint the packet is addressed to, whose named ports
  // a NamedPort match means (nullptr: no endpoint, no named ports).
  static bool l4_matches(const L4 &l4, const Packet &p, const Endpoint *receiver);
  bool http_matches(const HttpRule &rule, const JudgedRequest &req) const;
  bool full_match(const std::string &pattern, const std::string &value) const;

  const Policy &policy_;
  const EndpointSet &endpoints_;
  struct RegexCache;
  std::unique_ptr<RegexCache> regexes_;
};

}  // namespace polc::ir
