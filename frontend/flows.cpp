#include "frontend/flows.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "frontend/doc_reader.h"
#include "frontend/source_reader.h"

namespace polc {

namespace {

using reader::check_fields;
using reader::expect_map;
using reader::expect_scalar;
using reader::expect_seq;
using reader::Fields;
using reader::item_of;
using reader::quoted;

constexpr std::string_view kFileFields[] = {"flows"};
constexpr std::string_view kFlowFields[] = {"name", "from", "to", "proto", "sport", "dport", "icmp_type", "http", "expect"};
constexpr std::string_view kPeerFields[] = {"ip"};
constexpr std::string_view kHttpFields[] = {"method", "path", "host", "headers"};

bool read_peer(const DocNode &node, std::string_view field, const Inventory *inventory, DiagnosticEngine &diags,
               FlowPeer &out) {
  out.loc = node.loc;
  if (node.is_scalar()) {
    out.endpoint = node.text();
    if (inventory && !inventory->find_endpoint(node.text())) {
      std::vector<std::string_view> names;
      for (const InventoryEndpoint &e : inventory->endpoints) names.push_back(e.name);
      std::string hint = names.size() < 10000 ? nearest(node.text(), names) : "";
      diags.error(node.loc, "unknown-endpoint",
                  hint.empty() ? fmt::format("no endpoint \"{}\" in the inventory", node.text())
                               : fmt::format("no endpoint \"{}\" in the inventory; did you mean \"{}\"?", node.text(), hint));
      return false;
    }
    return true;
  }
  if (!node.is_map()) {
    diags.error(node.loc, "type", fmt::format("expected an endpoint name or {{\"ip\": ...}} for {}, found {}",
                                              quoted(field).str(), node.kind_name()));
    return false;
  }
  Fields f = check_fields(node, {kPeerFields}, diags);
  const DocNode *ip = f.get("ip");
  if (!ip) {
    diags.error(node.loc, "missing-field", fmt::format("{} has no \"ip\"", quoted(field).str()));
    return false;
  }
  if (!expect_scalar(*ip, quoted("ip"), diags)) return false;
  Parsed<IpAddr> parsed = parse_ip(ip->text());
  if (!parsed.value) {
    diags.error(ip->loc, "invalid-ip", fmt::format("invalid IP address \"{}\": {}", ip->text(), parsed.error));
    return false;
  }
  out.ip = *parsed.value;
  return true;
}

bool read_number(const DocNode &node, std::string_view field, int64_t max, DiagnosticEngine &diags, int64_t &out) {
  if (!expect_scalar(node, quoted(field), diags)) return false;
  std::optional<int64_t> v = reader::parse_integer(node.text());
  if (!v || *v < 0 || *v > max) {
    diags.error(node.loc, field == "icmp_type" ? "invalid-icmp" : "invalid-port",
                fmt::format("invalid {} \"{}\": expected a number from 0 to {}", quoted(field).str(), node.text(), max));
    return false;
  }
  out = *v;
  return true;
}

// The request is written onto the wire as one head: a CR or LF inside a
// field would end its line there, and the kernel would read another
// request than the one the flow describes.
bool one_line(const DocNode &node, std::string_view field, const std::string &value, DiagnosticEngine &diags) {
  if (value.find_first_of("\r\n") == std::string::npos) return true;
  diags.error(node.loc, "invalid-flow", fmt::format("{} holds a line break; a request field is one line", field));
  return false;
}

// A header name is an RFC 9110 token: what a request can carry.
bool header_name_ok(const DocNode &key, DiagnosticEngine &diags) {
  std::string_view name = key.text();
  constexpr std::string_view kTchar = "!#$%&'*+-.^_`|~";
  bool ok = !name.empty() && std::all_of(name.begin(), name.end(), [&](char c) {
    return (std::isalnum(static_cast<unsigned char>(c)) && static_cast<unsigned char>(c) < 0x80) ||
           kTchar.find(c) != std::string_view::npos;
  });
  if (!ok)
    diags.error(key.loc, "invalid-flow",
                fmt::format("invalid header name \"{}\": a name is letters, digits and !#$%&'*+-.^_`|~", name));
  return ok;
}

void read_http(const DocNode &node, DiagnosticEngine &diags, FlowHttp &out) {
  out.loc = node.loc;
  if (!expect_map(node, quoted("http"), diags)) return;
  Fields f = check_fields(node, {kHttpFields}, diags);
  if (const DocNode *m = f.get("method"); m && reader::read_string(*m, quoted("method"), diags, out.method))
    one_line(*m, "\"method\"", out.method, diags);
  if (const DocNode *p = f.get("path"); p && reader::read_string(*p, quoted("path"), diags, out.path))
    one_line(*p, "\"path\"", out.path, diags);
  if (const DocNode *h = f.get("host")) {
    std::string host;
    if (reader::read_string(*h, quoted("host"), diags, host) && one_line(*h, "\"host\"", host, diags))
      out.host = std::move(host);
  }
  if (const DocNode *headers = f.get("headers"); headers && expect_map(*headers, quoted("headers"), diags)) {
    for (size_t i = 0; i < headers->map_size(); ++i) {
      std::string value;
      if (reader::read_string(headers->value(i), quoted(headers->key(i).text()), diags, value) &&
          header_name_ok(headers->key(i), diags) &&
          one_line(headers->value(i), quoted(headers->key(i).text()).str(), value, diags))
        out.headers.emplace_back(headers->key(i).text(), std::move(value));
      // A request has one Host line: from "host", or from this header. With
      // both, the host rules would judge one value and the wire carry the other.
      std::string name(headers->key(i).text());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      if (name == "host" && f.get("host"))
        diags.error(headers->key(i).loc, "duplicate-host",
                    "the request's host is given twice, as \"host\" and as a \"Host\" header; give it once");
    }
  }
}

void read_flow(const DocNode &node, size_t index, const Inventory *inventory, DiagnosticEngine &diags,
               FlowFile &out) {
  if (!expect_map(node, item_of("flows"), diags)) return;
  size_t errors = diags.error_count();
  Fields f = check_fields(node, {kFlowFields}, diags);
  Flow flow;
  flow.loc = node.loc;
  flow.name = fmt::format("flow {}", index + 1);
  if (const DocNode *name = f.get("name")) reader::read_string(*name, quoted("name"), diags, flow.name);
  for (std::string_view field : {"from", "to", "proto", "expect"})
    if (!f.get(field)) diags.error(node.loc, "missing-field", fmt::format("flow has no \"{}\"", field));
  if (const DocNode *from = f.get("from")) read_peer(*from, "from", inventory, diags, flow.from);
  if (const DocNode *to = f.get("to")) read_peer(*to, "to", inventory, diags, flow.to);
  if (const DocNode *proto = f.get("proto"); proto && expect_scalar(*proto, quoted("proto"), diags)) {
    std::string p;
    for (char c : proto->text()) p += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (p == "tcp") flow.proto = ast::Proto::TCP;
    else if (p == "udp") flow.proto = ast::Proto::UDP;
    else if (p == "sctp") flow.proto = ast::Proto::SCTP;
    else if (p == "icmp") flow.proto = ast::Proto::ICMP;
    else if (p == "icmpv6") flow.proto = ast::Proto::ICMPv6;
    else {
      std::string hint = nearest(proto->text(), {"tcp", "udp", "sctp", "icmp", "icmpv6"});
      diags.error(proto->loc, "unknown-protocol",
                  hint.empty() ? fmt::format("unknown protocol \"{}\"; expected tcp, udp, sctp, icmp or icmpv6", proto->text())
                               : fmt::format("unknown protocol \"{}\"; did you mean \"{}\"?", proto->text(), hint));
    }
  }
  bool icmp = flow.proto == ast::Proto::ICMP || flow.proto == ast::Proto::ICMPv6;
  if (flow.proto == ast::Proto::ICMPv6) flow.icmp_type = 128;
  int64_t number = 0;
  if (const DocNode *sport = f.get("sport"); sport && read_number(*sport, "sport", 65535, diags, number))
    flow.sport = static_cast<uint16_t>(number);
  const DocNode *dport = f.get("dport");
  if (dport && read_number(*dport, "dport", 65535, diags, number)) flow.dport = static_cast<uint16_t>(number);
  if (!dport && !icmp && f.get("proto"))
    diags.error(node.loc, "missing-field", "flow has no \"dport\"");
  if (icmp && (dport || f.get("sport")))
    diags.error((dport ? dport : f.get("sport"))->loc, "invalid-flow", "ICMP flows have no ports");
  if (const DocNode *type = f.get("icmp_type")) {
    if (!icmp) diags.error(type->loc, "invalid-flow", "\"icmp_type\" needs proto icmp or icmpv6");
    else if (read_number(*type, "icmp_type", 255, diags, number)) flow.icmp_type = static_cast<uint8_t>(number);
  }
  if (const DocNode *http = f.get("http")) {
    if (flow.proto != ast::Proto::TCP) diags.error(http->loc, "invalid-flow", "\"http\" needs proto tcp");
    flow.http.emplace();
    read_http(*http, diags, *flow.http);
  }
  if (const DocNode *expect = f.get("expect"); expect && expect_scalar(*expect, quoted("expect"), diags)) {
    if (expect->text() == "allow") flow.expect_allow = true;
    else if (expect->text() == "deny") flow.expect_allow = false;
    else
      diags.error(expect->loc, "invalid-flow", fmt::format("\"expect\" must be allow or deny, found \"{}\"", expect->text()));
  }
  if (diags.error_count() == errors) out.flows.push_back(std::move(flow));
}

}  // namespace

bool read_flows(const DocNode &root, const Inventory *inventory, DiagnosticEngine &diags, FlowFile &out) {
  size_t errors = diags.error_count();
  if (!expect_map(root, "the flow file", diags)) return false;
  Fields f = check_fields(root, {kFileFields}, diags);
  const DocNode *flows = f.get("flows");
  if (!flows) {
    diags.error(root.loc, "missing-field", "flow file has no \"flows\"");
    return false;
  }
  if (!expect_seq(*flows, quoted("flows"), diags)) return false;
  for (size_t i = 0; i < flows->children().size(); ++i) read_flow(flows->children()[i], i, inventory, diags, out);
  return diags.error_count() == errors;
}

bool load_flow_file(const std::string &path, const Inventory *inventory, SourceManager &sources,
                    DiagnosticEngine &diags, FlowFile &out) {
  size_t errors = diags.error_count();
  uint32_t file = read_source_file(path, sources, diags);
  if (file == 0) return false;
  std::vector<Document> docs = parse_source(file, sources, diags);
  if (docs.empty()) return false;
  read_flows(docs.front().root, inventory, diags, out);
  return diags.error_count() == errors;
}

}  // namespace polc
