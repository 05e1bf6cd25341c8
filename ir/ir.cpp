#include "ir/ir.h"

#include <tuple>

namespace polc::ir {

static auto meaning(const Rule &r) {
  return std::tie(r.subject, r.direction, r.verdict, r.peer, r.l4, r.has_http, r.http);
}

bool Rule::same_meaning(const Rule &o) const { return meaning(*this) == meaning(o); }
bool Rule::less_meaning(const Rule &o) const { return meaning(*this) < meaning(o); }

std::string_view direction_name(Direction d) { return d == Direction::Ingress ? "ingress" : "egress"; }

std::string_view proto_name(ast::Proto p) {
  switch (p) {
    case ast::Proto::Any: return "ANY";
    case ast::Proto::ICMP: return "ICMP";
    case ast::Proto::TCP: return "TCP";
    case ast::Proto::UDP: return "UDP";
    case ast::Proto::ICMPv6: return "ICMPv6";
    case ast::Proto::SCTP: return "SCTP";
  }
  return "ANY";
}

std::string_view selector_op_name(ast::SelectorOp op) {
  switch (op) {
    case ast::SelectorOp::In: return "In";
    case ast::SelectorOp::NotIn: return "NotIn";
    case ast::SelectorOp::Exists: return "Exists";
    case ast::SelectorOp::DoesNotExist: return "DoesNotExist";
  }
  return "In";
}

}  // namespace polc::ir
