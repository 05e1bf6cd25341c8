// Test helper: a C++ model of what the kernel does with a map plan, written
// from templates/maps_abi.h and the datapath's description, not from the
// planner's code: the ipcache and allow/deny LPM lookups of policy.h, and
// for HTTP the byte walks of http_parse.h over polc_http_table and the
// verdict lookups of http.h. Tests hold it to the reference evaluator.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ir/evaluator.h"
#include "ir/map_plan.h"
#include "tests/ir/http_target_model.h"

namespace polc::test {

// A request head as the kernel reads it: the request line's method and
// target, then "Name: value" lines (value with its leading SP/HTAB).
struct WireRequest {
  std::string method, path;
  std::vector<std::pair<std::string, std::string>> headers;
};

// As runtime::render_request_head lays it out: a Host line when the request
// has a host and its headers carry none, then the headers as given.
inline WireRequest wire_of(const ir::HttpRequest &r) {
  WireRequest w{r.method.empty() ? "GET" : r.method, r.path.empty() ? "/" : r.path, {}};
  bool host_header = false;
  for (const auto &[k, v] : r.headers) {
    std::string lower;
    for (char c : k) lower += char(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    host_header = host_header || lower == "host";
  }
  if (r.host && !host_header) w.headers.emplace_back("Host", *r.host);
  for (const auto &kv : r.headers) w.headers.push_back(kv);
  return w;
}

class HttpModel {
 public:
  explicit HttpModel(const ir::HttpPlan &plan) : plan_(plan) {
    for (const ir::HttpVerdict &v : plan.verdicts) verdicts_[{v.l7_policy, v.method, v.path}] = &v;
  }

  uint64_t at(uint64_t index) const { return index < plan_.table.size() ? plan_.table[index] : 0; }

  // The state after `bytes`, as http_dfa_step: a state past num_states is dead.
  uint32_t walk(uint32_t field, std::string_view bytes) const {
    const ir::HttpDfaMeta &m = plan_.meta[field];
    uint32_t s = m.start;
    for (char c : bytes) {
      if (s == 0 || s >= m.num_states) return 0;
      s = uint32_t(at(uint64_t(m.next_base) + uint64_t(s) * m.num_classes + m.byte_class[uint8_t(c)]));
    }
    return s;
  }
  uint64_t accept(uint32_t field, std::string_view bytes) const {
    const ir::HttpDfaMeta &m = plan_.meta[field];
    uint32_t s = walk(field, bytes);
    return s == 0 || s >= m.num_states ? 0 : at(uint64_t(m.accept_base) + s);
  }

  struct Head {
    bool refused = false;  // malformed, unsupported or a path not normalized: no rule allows it
    uint32_t method = 0, path = 0;
    uint64_t cond = 0;
  };
  uint32_t step(uint32_t field, uint32_t s, uint8_t byte) const {
    const ir::HttpDfaMeta &m = plan_.meta[field];
    if (s == 0 || s >= m.num_states) return 0;
    return uint32_t(at(uint64_t(m.next_base) + uint64_t(s) * m.num_classes + m.byte_class[byte]));
  }
  uint64_t accept_state(uint32_t field, uint32_t s) const {
    const ir::HttpDfaMeta &m = plan_.meta[field];
    return s == 0 || s >= m.num_states ? 0 : at(uint64_t(m.accept_base) + s);
  }
  static bool token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
      unsigned u = uint8_t(c);
      bool alnum = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
      if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
    }
    return true;
  }
  Head read(const WireRequest &w) const {
    Head h;
    auto refused = [&] {
      h.refused = true;
      return h;
    };
    if (!token(w.method)) return refused();
    h.method = uint32_t(accept(ir::kHttpMethod, w.method));
    TargetWalk t = walk_target(w.method, w.path, plan_.meta[ir::kHttpPath].start,
                               [&](uint32_t s, uint8_t b) { return step(ir::kHttpPath, s, b); });
    if (t.refused) return refused();
    if (t.has_path) h.path = uint32_t(accept_state(ir::kHttpPath, t.path_state));
    if (t.authority) h.cond |= accept(ir::kHttpHost, *t.authority);
    uint64_t names_base = plan_.meta[ir::kHttpHeaderName].names_base;
    bool host_line = false;
    std::optional<uint64_t> length;
    for (const auto &[name, raw] : w.headers) {
      if (!token(name)) return refused();
      std::string_view value = raw;
      for (char c : value)
        if ((uint8_t(c) < 0x20 && c != '\t') || c == 0x7f) return refused();
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      uint64_t id = accept(ir::kHttpHeaderName, name);
      h.cond |= at(names_base + 2 * id);
      h.cond |= accept(ir::kHttpHeaderValue, value) & at(names_base + 2 * id + 1);
      if (id == ir::kHttpNameHost) {
        if (host_line) return refused();
        host_line = true;
        if (t.authority && value != *t.authority) return refused();
        if (!t.authority) h.cond |= accept(ir::kHttpHost, value);
      } else if (id == ir::kHttpNameContentLength) {
        uint64_t n = 0;
        if (value.empty()) return refused();
        for (char c : value) {
          if (c < '0' || c > '9' || n >= 0x40000000 / 10) return refused();
          n = n * 10 + uint64_t(c - '0');
        }
        if (length && *length != n) return refused();
        length = n;
      } else if (id == ir::kHttpNameTransferEncoding) {
        return refused();
      }
    }
    return h;
  }

  // http_policy_allows: (m, p), (m, ANY), (ANY, p), (ANY, ANY).
  bool allows(uint16_t l7, const Head &h) const {
    if (l7 == 0 || h.refused) return false;
    std::vector<std::pair<uint32_t, uint32_t>> keys;
    if (h.method && h.path) keys.emplace_back(h.method, h.path);
    if (h.method) keys.emplace_back(h.method, ir::kHttpAny);
    if (h.path) keys.emplace_back(ir::kHttpAny, h.path);
    keys.emplace_back(ir::kHttpAny, ir::kHttpAny);
    for (auto [m, p] : keys) {
      auto it = verdicts_.find({l7, m, p});
      if (it == verdicts_.end()) continue;
      const ir::HttpVerdict &v = *it->second;
      for (size_t k = 0; k < v.need.size() && k < ir::kHttpMaxAlternatives; ++k)
        if ((h.cond & v.need[k]) == v.need[k]) return true;
    }
    return false;
  }

 private:
  const ir::HttpPlan &plan_;
  std::map<std::tuple<uint16_t, uint32_t, uint32_t>, const ir::HttpVerdict *> verdicts_;
};

// One direction of one packet through the plan, as datapath.h and
// policy.h judge it (conntrack aside: every packet is a new one).
class PlanModel {
 public:
  explicit PlanModel(const ir::MapPlan &plan) : plan_(plan), http_(plan.http) {}

  bool allows(const ir::Packet &p, ir::Direction d) const {
    auto src = ipcache(p.src), dst = ipcache(p.dst);
    bool ingress = d == ir::Direction::Ingress;
    auto subject = ingress ? dst : src, peer = ingress ? src : dst;
    if (!(subject.second & (ingress ? 1u : 2u))) return true;  // not enforced this way
    ir::PlanDirection dir = ingress ? ir::PlanDirection::Ingress : ir::PlanDirection::Egress;
    uint8_t proto = uint8_t(p.proto);
    uint16_t port = p.proto == ast::Proto::ICMP || p.proto == ast::Proto::ICMPv6
                        ? uint16_t(p.icmp_type << 8 | p.icmp_code)
                        : p.dport;
    if (lookup(plan_.deny, subject.first, peer.first, dir, proto, port) ||
        lookup(plan_.deny, subject.first, 0, dir, proto, port))
      return false;
    const ir::PolicyEntry *found = lookup(plan_.allow, subject.first, peer.first, dir, proto, port);
    const ir::PolicyEntry *any = lookup(plan_.allow, subject.first, 0, dir, proto, port);
    if (!found && !any) return false;
    if ((found && !found->l7_policy) || (any && !any->l7_policy)) return true;
    // An HTTP policy applies: only to TCP segments that carry a request.
    if (p.proto != ast::Proto::TCP || !p.http) return true;
    HttpModel::Head head = http_.read(wire_of(*p.http));
    return (found && http_.allows(found->l7_policy, head)) || (any && http_.allows(any->l7_policy, head));
  }

  bool allows(const ir::Packet &p) const {
    return allows(p, ir::Direction::Egress) && allows(p, ir::Direction::Ingress);
  }

 private:
  // (identity, flags); a miss is world.
  std::pair<uint32_t, uint32_t> ipcache(const IpAddr &ip) const {
    const ir::IpcacheEntry *best = nullptr;
    for (const ir::IpcacheEntry &e : plan_.ipcache)
      if (e.prefix.family() == ip.family && e.prefix.contains(ip) && (!best || e.prefix.len > best->prefix.len))
        best = &e;
    return best ? std::pair{best->identity, best->flags} : std::pair{uint32_t(2), uint32_t(0)};
  }

  static const ir::PolicyEntry *lookup(const std::vector<ir::PolicyEntry> &entries, uint32_t subject, uint32_t peer,
                                       ir::PlanDirection dir, uint8_t proto, uint16_t port) {
    uint32_t value = uint32_t(proto) << 16 | port;
    const ir::PolicyEntry *best = nullptr;
    for (const ir::PolicyEntry &e : entries) {
      if (e.subject != subject || e.peer != peer || e.direction != dir) continue;
      uint32_t mask = e.l4_prefix_bits == 0 ? 0 : (~uint32_t(0) << (24 - e.l4_prefix_bits)) & 0xFFFFFF;
      if ((value & mask) != ((uint32_t(e.proto) << 16 | e.port) & mask)) continue;
      if (!best || e.l4_prefix_bits > best->l4_prefix_bits) best = &e;
    }
    return best;
  }

  const ir::MapPlan &plan_;
  HttpModel http_;
};

}  // namespace polc::test
