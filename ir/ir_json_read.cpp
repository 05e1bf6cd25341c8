// The inverse of ir_json.cpp, for the policy a compiled object carries in
// its .polc.policy section (`polc apply OBJ.o`). The text was written by
// polc, so any deviation from that form is refused rather than guessed at:
// an object whose policy cannot be read exactly is not applied.
#include "ir/ir_json_read.h"

#include <nlohmann/json.hpp>

#include "ir/lower.h"

namespace polc::ir {
namespace {

using json = nlohmann::json;

// Thrown inside this file only, turned into an Error by policy_from_json.
struct Malformed {
  std::string what;
};

const json &field(const json &object, const char *name) {
  if (!object.is_object() || !object.contains(name)) throw Malformed{std::string("no \"") + name + "\""};
  return object.at(name);
}

std::string text(const json &value, const char *what) {
  if (!value.is_string()) throw Malformed{std::string(what) + " is not a string"};
  return value.get<std::string>();
}

uint64_t number(const json &value, const char *what, uint64_t max) {
  if (!value.is_number_unsigned() || value.get<uint64_t>() > max)
    throw Malformed{std::string(what) + " is not a number from 0 to " + std::to_string(max)};
  return value.get<uint64_t>();
}

ast::SelectorOp selector_op(const std::string &name) {
  for (ast::SelectorOp op : {ast::SelectorOp::In, ast::SelectorOp::NotIn, ast::SelectorOp::Exists,
                             ast::SelectorOp::DoesNotExist})
    if (name == selector_op_name(op)) return op;
  throw Malformed{"unknown selector operator \"" + name + "\""};
}

Selector selector(const json &value) {
  if (!value.is_array()) throw Malformed{"a selector is not a list"};
  Selector s;
  for (const json &r : value) {
    Requirement req{text(field(r, "key"), "a key"), selector_op(text(field(r, "operator"), "an operator")), {}};
    if (r.contains("values"))
      for (const json &v : r.at("values")) req.values.push_back(text(v, "a value"));
    s.requirements.push_back(std::move(req));
  }
  return s;
}

Direction direction(const json &value) {
  const std::string name = text(value, "a direction");
  if (name == direction_name(Direction::Ingress)) return Direction::Ingress;
  if (name == direction_name(Direction::Egress)) return Direction::Egress;
  throw Malformed{"unknown direction \"" + name + "\""};
}

Prefix prefix(const json &value) {
  auto parsed = parse_prefix(text(value, "a CIDR"));
  if (!parsed.value || parsed.host_bits) throw Malformed{"bad CIDR " + value.dump()};
  return *parsed.value;
}

Peer peer(const json &value) {
  Peer p;
  if (value.contains("any")) {
    p.kind = Peer::Kind::Any;
  } else if (value.contains("cluster")) {
    p.kind = Peer::Kind::Cluster;
  } else if (value.contains("selector")) {
    p.kind = Peer::Kind::Selector;
    p.selector = selector(value.at("selector"));
  } else {
    p.kind = Peer::Kind::Cidr;
    p.cidr = prefix(field(value, "cidr"));
    if (value.contains("except"))
      for (const json &e : value.at("except")) p.except.push_back(prefix(e));
    p.cidr_matches_endpoints = value.value("matches_endpoints", false);
  }
  return p;
}

ast::Proto proto(const json &value) {
  const std::string name = text(value, "a protocol");
  for (ast::Proto p : {ast::Proto::Any, ast::Proto::ICMP, ast::Proto::TCP, ast::Proto::UDP, ast::Proto::ICMPv6,
                       ast::Proto::SCTP})
    if (name == proto_name(p)) return p;
  throw Malformed{"unknown protocol \"" + name + "\""};
}

L4 l4(const json &value) {
  L4 out;
  if (value.is_string()) {
    if (value.get<std::string>() != "all") throw Malformed{"unknown layer-4 match " + value.dump()};
    return out;
  }
  out.proto = proto(field(value, "protocol"));
  if (value.contains("icmp_type")) {
    out.kind = L4::Kind::IcmpType;
    out.icmp_type = static_cast<uint8_t>(number(value.at("icmp_type"), "icmp_type", 255));
  } else if (value.contains("port_name")) {
    out.kind = L4::Kind::NamedPort;
    out.port_name = text(value.at("port_name"), "port_name");
    out.port_lo = out.port_hi = 0;
  } else {
    out.kind = L4::Kind::Ports;
    out.port_lo = static_cast<uint16_t>(number(field(value, "port"), "port", 65535));
    out.port_hi = static_cast<uint16_t>(number(field(value, "end_port"), "end_port", 65535));
  }
  return out;
}

HttpRule http_rule(const json &value) {
  if (!value.is_object()) throw Malformed{"an HTTP rule is not an object"};
  HttpRule h;
  if (value.contains("method")) h.method = text(value.at("method"), "method");
  if (value.contains("path")) h.path = text(value.at("path"), "path");
  if (value.contains("host")) h.host = text(value.at("host"), "host");
  if (value.contains("headers"))
    for (const json &m : value.at("headers")) {
      HeaderMatch header{text(field(m, "name"), "a header name"), m.contains("value"), {}};
      if (header.has_value) header.value = text(m.at("value"), "a header value");
      h.headers.push_back(std::move(header));
    }
  return h;
}

Policy policy(const json &doc) {
  if (number(field(doc, "polc_ir_version"), "polc_ir_version", 1000) != 1)
    throw Malformed{"IR version " + doc.at("polc_ir_version").dump() + ", this polc reads version 1"};
  Policy out;
  for (const json &e : field(doc, "enforcements"))
    out.enforcements.push_back({selector(field(e, "subject")), direction(field(e, "direction"))});
  for (const json &r : field(doc, "rules")) {
    Rule rule;
    rule.subject = selector(field(r, "subject"));
    rule.direction = direction(field(r, "direction"));
    const std::string verdict = text(field(r, "verdict"), "a verdict");
    if (verdict != "allow" && verdict != "deny") throw Malformed{"unknown verdict \"" + verdict + "\""};
    rule.verdict = verdict == "allow" ? Verdict::Allow : Verdict::Deny;
    rule.peer = peer(field(r, "peer"));
    rule.l4 = l4(field(r, "l4"));
    if (r.contains("http")) {
      rule.has_http = true;
      for (const json &h : r.at("http")) rule.http.push_back(http_rule(h));
    }
    out.rules.push_back(std::move(rule));
  }
  return out;
}

}  // namespace

Result<Policy> policy_from_json(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Error{"the policy is not JSON", 1};
  try {
    Policy out = policy(doc);
    // Written canonical; canonicalized again so that what is enforced never
    // depends on the writer having been right.
    canonicalize(out);
    return out;
  } catch (const Malformed &m) {
    return Error{"the policy is not polc IR: " + m.what, 1};
  } catch (const json::exception &e) {
    return Error{std::string("the policy is not polc IR: ") + e.what(), 1};
  }
}

}  // namespace polc::ir
