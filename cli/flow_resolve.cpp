#include "cli/flow_resolve.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "runtime/http_request.h"

namespace polc::cli {

namespace {

const IpAddr *address_of(const ir::Endpoint &ep, Family family) {
  for (const IpAddr &ip : ep.ips)
    if (ip.family == family) return &ip;
  return nullptr;
}

}  // namespace

ResolvedFlow resolve_flow(const Flow &flow, const ir::EndpointSet &endpoints) {
  ResolvedFlow out;
  const ir::Endpoint *from_ep = flow.from.ip ? nullptr : endpoints.find_name(flow.from.endpoint);
  const ir::Endpoint *to_ep = flow.to.ip ? nullptr : endpoints.find_name(flow.to.endpoint);
  if (!flow.from.ip && !from_ep) return {{}, {}, fmt::format("unknown endpoint \"{}\"", flow.from.endpoint)};
  if (!flow.to.ip && !to_ep) return {{}, {}, fmt::format("unknown endpoint \"{}\"", flow.to.endpoint)};

  Family family;
  if (flow.from.ip) family = flow.from.ip->family;
  else if (flow.to.ip) family = flow.to.ip->family;
  else if (address_of(*from_ep, Family::V4) && address_of(*to_ep, Family::V4)) family = Family::V4;
  else family = Family::V6;

  auto pick = [&](const FlowPeer &peer, const ir::Endpoint *ep, IpAddr &dst) -> bool {
    if (peer.ip) {
      dst = *peer.ip;
      return dst.family == family;
    }
    const IpAddr *a = address_of(*ep, family);
    if (a) dst = *a;
    return a != nullptr;
  };
  ir::Packet &p = out.packet;
  if (!pick(flow.from, from_ep, p.src) || !pick(flow.to, to_ep, p.dst)) {
    out.error = "the two sides have no address family in common";
    return out;
  }
  p.proto = flow.proto;
  p.sport = flow.sport;
  p.dport = flow.dport;
  p.icmp_type = flow.icmp_type;
  if (flow.http) {
    p.http = ir::HttpRequest{flow.http->method, flow.http->path, flow.http->host, flow.http->headers};
    // The request as it goes on the wire carries its host as a Host line:
    // a rule asking for the header "Host" sees it, in the evaluator too.
    bool host_header = std::any_of(p.http->headers.begin(), p.http->headers.end(), [](const auto &kv) {
      return kv.first.size() == 4 && std::equal(kv.first.begin(), kv.first.end(), "host",
                                                 [](char a, char b) { return std::tolower(a) == b; });
    });
    if (p.http->host && !host_header) p.http->headers.emplace_back("Host", *p.http->host);
  }

  runtime::PacketSpec &s = out.spec;
  s.src = p.src;
  s.dst = p.dst;
  s.proto = static_cast<uint8_t>(p.proto);
  s.sport = p.sport;
  s.dport = p.dport;
  s.icmp_type = p.icmp_type;
  if (p.http) {
    // The request head in one segment of an established connection.
    s.tcp_flags = 0x18;  // PSH, ACK
    s.payload = runtime::render_request_head(*p.http);
  }
  return out;
}

}  // namespace polc::cli
