#include "frontend/value_reader.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include <fmt/format.h>

#include "frontend/doc_reader.h"

namespace polc::reader {

bool read_prefix(const DocNode &node, What what, DiagnosticEngine &diags, Prefix &out) {
  if (!expect_scalar(node, what, diags)) return false;
  Parsed<Prefix> parsed = parse_prefix(node.text());
  if (!parsed.value) {
    diags.error(node.loc, "invalid-cidr", fmt::format("invalid CIDR \"{}\": {}", node.text(), parsed.error));
    return false;
  }
  out = *parsed.value;
  if (parsed.host_bits)
    diags.warning(node.loc, "cidr-host-bits",
                  fmt::format("CIDR \"{}\" has host bits set; it means \"{}\"", node.text(), out.str()));
  return true;
}

void check_excepts(const ast::CidrPeer &peer, DiagnosticEngine &diags) {
  for (size_t i = 0; i < peer.except.size(); ++i) {
    const Prefix &e = peer.except[i];
    if (peer.cidr.contains(e)) continue;
    SourceLoc loc = i < peer.except_locs.size() ? peer.except_locs[i] : peer.loc;
    diags.error(loc, "invalid-rule",
                fmt::format("except \"{}\" is not inside its CIDR \"{}\"", e.str(), peer.cidr.str()));
  }
}

bool read_port(const DocNode &node, What what, DiagnosticEngine &diags, uint16_t &out) {
  if (!expect_scalar(node, what, diags)) return false;
  if (node.text().empty()) {  // Cilium reads "" as port 0: every port
    out = 0;
    return true;
  }
  std::optional<int64_t> value = parse_integer(node.text());
  if (!value) {
    diags.error(node.loc, "invalid-port",
                fmt::format("invalid port \"{}\": expected a number from 0 to 65535", node.text()));
    return false;
  }
  if (*value < 0 || *value > 65535) {
    diags.error(node.loc, "invalid-port", fmt::format("port {} out of range 0..65535", node.text()));
    return false;
  }
  out = static_cast<uint16_t>(*value);
  return true;
}

std::string port_name_problem(std::string_view name) {
  if (name.empty() || name.size() > 15) return "a port name has 1 to 15 characters";
  bool letter = false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'a' && c <= 'z') letter = true;
    else if (c == '-') {
      if (i == 0 || i + 1 == name.size()) return "a port name neither starts nor ends with '-'";
      if (name[i - 1] == '-') return "a port name has no \"--\"";
    } else if (c < '0' || c > '9') {
      return "a port name has only lowercase letters, digits and '-'";
    }
  }
  if (!letter) return "a port name has at least one letter";
  return "";
}

bool read_port_or_name(const DocNode &node, What what, DiagnosticEngine &diags, ast::PortProtocol &out) {
  if (!expect_scalar(node, what, diags)) return false;
  const std::string text(node.text());
  bool numeric_looking = text.empty() || text[0] == '-' || (text[0] >= '0' && text[0] <= '9');
  bool has_letter = std::any_of(text.begin(), text.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
  if (numeric_looking && !has_letter) return read_port(node, what, diags, out.port);
  if (std::string problem = port_name_problem(text); !problem.empty()) {
    diags.error(node.loc, "invalid-port",
                fmt::format("invalid port \"{}\": neither a number from 0 to 65535 nor a port name ({})", text,
                            problem));
    return false;
  }
  out.name = text;
  out.port = out.end_port = 0;
  return true;
}

bool read_protocol(const DocNode &node, bool allow_any, DiagnosticEngine &diags, ast::Proto &out) {
  if (!expect_scalar(node, quoted("protocol"), diags)) return false;
  std::string upper;
  for (char c : node.text()) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "TCP") out = ast::Proto::TCP;
  else if (upper == "UDP") out = ast::Proto::UDP;
  else if (upper == "SCTP") out = ast::Proto::SCTP;
  else if (upper == "ANY" && allow_any) out = ast::Proto::Any;
  else if (allow_any && (upper == "ICMP" || upper == "ICMPV6" || upper == "VRRP" || upper == "IGMP")) {
    // Cilium knows these in toPorts; polc matches ICMP through `icmps` only.
    diags.error(node.loc, "not-supported", fmt::format("protocol \"{}\" is not supported yet", node.text()));
    return false;
  } else {
    std::vector<std::string_view> names{"TCP", "UDP", "SCTP"};
    if (allow_any) names.push_back("ANY");
    std::string hint = nearest(node.text(), names);
    if (!hint.empty())
      diags.error(node.loc, "unknown-protocol", fmt::format("unknown protocol \"{}\"; did you mean \"{}\"?", node.text(), hint));
    else
      diags.error(node.loc, "unknown-protocol",
                  fmt::format("unknown protocol \"{}\"; expected {}", node.text(), allow_any ? "TCP, UDP, SCTP or ANY" : "TCP, UDP or SCTP"));
    return false;
  }
  return true;
}

bool read_cidr_peer(const DocNode &cidr, const DocNode *except, DiagnosticEngine &diags, ast::CidrPeer &out) {
  out.loc = cidr.loc;
  if (!read_prefix(cidr, quoted("cidr"), diags, out.cidr)) return false;
  if (except && expect_seq(*except, quoted("except"), diags)) {
    for (const DocNode &e : except->children()) {
      Prefix p;
      if (!read_prefix(e, item_of("except"), diags, p)) continue;
      out.except.push_back(p);
      out.except_locs.push_back(e.loc);
    }
  }
  check_excepts(out, diags);
  return true;
}

}  // namespace polc::reader
