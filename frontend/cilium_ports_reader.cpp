#include "frontend/cilium_ports_reader.h"

#include <mutex>
#include <unordered_map>

#include <fmt/format.h>
#include <re2/re2.h>

#include "frontend/doc_reader.h"
#include "frontend/value_reader.h"

namespace polc::reader {

namespace {

constexpr std::string_view kPortRuleFields[] = {"ports", "rules"};
constexpr std::string_view kPortRuleUnsupported[] = {"terminatingTLS", "originatingTLS", "serverNames", "listener"};
constexpr std::string_view kPortFields[] = {"port", "endPort", "protocol"};
constexpr std::string_view kL7Fields[] = {"http"};
constexpr std::string_view kL7Unsupported[] = {"kafka", "dns", "l7proto", "l7"};
constexpr std::string_view kHttpFields[] = {"method", "path", "host", "headers"};
constexpr std::string_view kHttpUnsupported[] = {"headerMatches"};
constexpr std::string_view kIcmpRuleFields[] = {"fields"};
constexpr std::string_view kIcmpFields[] = {"type", "family"};

struct IcmpName {
  std::string_view name;
  uint8_t type;
};

// Cilium's names (pkg/policy/api/icmp.go).
constexpr IcmpName kIcmpV4Names[] = {
    {"EchoReply", 0},           {"DestinationUnreachable", 3}, {"Redirect", 5},
    {"Echo", 8},                {"EchoRequest", 8},            {"RouterAdvertisement", 9},
    {"RouterSelection", 10},    {"TimeExceeded", 11},          {"ParameterProblem", 12},
    {"Timestamp", 13},          {"TimestampReply", 14},        {"Photuris", 40},
    {"ExtendedEchoRequest", 42}, {"ExtendedEchoReply", 43},
};
constexpr IcmpName kIcmpV6Names[] = {
    {"DestinationUnreachable", 1},
    {"PacketTooBig", 2},
    {"TimeExceeded", 3},
    {"ParameterProblem", 4},
    {"EchoRequest", 128},
    {"EchoReply", 129},
    {"MulticastListenerQuery", 130},
    {"MulticastListenerReport", 131},
    {"MulticastListenerDone", 132},
    {"RouterSolicitation", 133},
    {"RouterAdvertisement", 134},
    {"NeighborSolicitation", 135},
    {"NeighborAdvertisement", 136},
    {"RedirectMessage", 137},
    {"RouterRenumbering", 138},
    {"ICMPNodeInformationQuery", 139},
    {"ICMPNodeInformationResponse", 140},
    {"InverseNeighborDiscoverySolicitation", 141},
    {"InverseNeighborDiscoveryAdvertisement", 142},
    {"HomeAgentAddressDiscoveryRequest", 144},
    {"HomeAgentAddressDiscoveryReply", 145},
    {"MobilePrefixSolicitation", 146},
    {"MobilePrefixAdvertisement", 147},
    {"DuplicateAddressRequestCodeSuffix", 157},
    {"DuplicateAddressConfirmationCodeSuffix", 158},
    {"ExtendedEchoRequest", 160},
    {"ExtendedEchoReply", 161},
};

std::span<const IcmpName> icmp_names(Family f) {
  if (f == Family::V4) return kIcmpV4Names;
  return kIcmpV6Names;
}

// RE2's error for a pattern, "" when it compiles. Generated policies repeat
// the same few patterns many times: compile each once.
std::string regex_error(const std::string &pattern) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::string> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(pattern);
  if (it != cache.end()) return it->second;
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(pattern, options);
  std::string error = re.ok() ? std::string() : re.error();
  if (cache.size() < 100000) cache.emplace(pattern, error);
  return error;
}

void read_regex(const Fields &f, std::string_view field, DiagnosticEngine &diags,
                std::optional<std::string> &out, SourceLoc &loc) {
  const DocNode *n = f.get(field);
  if (!n) return;
  std::string text;
  if (!read_string(*n, quoted(field), diags, text)) return;
  std::string error = regex_error(text);
  if (!error.empty()) {
    diags.error(n->loc, "invalid-regex", fmt::format("invalid regex \"{}\" in \"{}\": {}", text, field, error));
    return;
  }
  out = std::move(text);
  loc = n->loc;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void read_header(const DocNode &node, DiagnosticEngine &diags, std::vector<ast::HeaderMatch> &out) {
  std::string text;
  if (!read_string(node, item_of("headers"), diags, text)) return;
  ast::HeaderMatch h;
  h.loc = node.loc;
  size_t colon = text.find(':');
  std::string_view name = std::string_view(text).substr(0, colon);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  if (colon != std::string::npos) {
    std::string_view value = std::string_view(text).substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    h.value = std::string(value);
  }
  bool valid = !name.empty();
  for (char c : name) valid = valid && is_token_char(c);
  if (!valid) {
    diags.error(node.loc, "invalid-header",
                fmt::format("invalid header match \"{}\": expected \"Name\" or \"Name: value\" with a valid header name", text));
    return;
  }
  h.name = std::string(name);
  out.push_back(std::move(h));
}

void read_http(const DocNode &node, DiagnosticEngine &diags, std::vector<ast::HttpRule> &out) {
  if (!expect_map(node, item_of("http"), diags)) return;
  Fields f = check_fields(node, {kHttpFields, kHttpUnsupported}, diags);
  ast::HttpRule rule;
  rule.loc = node.loc;
  read_regex(f, "method", diags, rule.method, rule.method_loc);
  read_regex(f, "path", diags, rule.path, rule.path_loc);
  read_regex(f, "host", diags, rule.host, rule.host_loc);
  if (const DocNode *headers = f.get("headers"); headers && expect_seq(*headers, quoted("headers"), diags))
    for (const DocNode &h : headers->children()) read_header(h, diags, rule.headers);
  out.push_back(std::move(rule));
}

void read_port_protocol(const DocNode &node, DiagnosticEngine &diags, std::vector<ast::PortProtocol> &out) {
  if (!expect_map(node, item_of("ports"), diags)) return;
  Fields f = check_fields(node, {kPortFields}, diags);
  ast::PortProtocol pp;
  pp.loc = node.loc;
  bool ok = true;
  if (const DocNode *port = f.get("port")) ok = read_port_or_name(*port, quoted("port"), diags, pp) && ok;
  if (const DocNode *end = f.get("endPort")) {
    if (read_port(*end, quoted("endPort"), diags, pp.end_port)) {
      if (ok && !pp.name.empty() && pp.end_port != 0) {
        diags.error(end->loc, "invalid-port-range",
                    fmt::format("endPort cannot follow the named port \"{}\": a range needs a numeric port", pp.name));
        ok = false;
      } else if (pp.end_port != 0 && ok && pp.end_port < pp.port) {
        diags.error(end->loc, "invalid-port-range",
                    fmt::format("endPort {} is below port {}", pp.end_port, pp.port));
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (const DocNode *proto = f.get("protocol")) ok = read_protocol(*proto, true, diags, pp.proto) && ok;
  if (ok) out.push_back(pp);
}

void read_port_rule(const DocNode &node, bool deny, DiagnosticEngine &diags, std::vector<ast::PortRule> &out) {
  if (!expect_map(node, item_of("toPorts"), diags)) return;
  Fields f = check_fields(node, {kPortRuleFields, kPortRuleUnsupported}, diags);
  ast::PortRule rule;
  rule.loc = node.loc;
  if (const DocNode *ports = f.get("ports"); ports && expect_seq(*ports, quoted("ports"), diags))
    for (const DocNode &p : ports->children()) read_port_protocol(p, diags, rule.ports);
  if (const DocNode *rules = f.get("rules")) {
    if (deny) {
      diags.error(f.key("rules")->loc, "invalid-rule",
                  "layer 7 \"rules\" are not allowed in a deny section; deny the port, or allow only the requests you want");
    } else if (expect_map(*rules, quoted("rules"), diags)) {
      Fields l7 = check_fields(*rules, {kL7Fields, kL7Unsupported}, diags);
      if (const DocNode *http = l7.get("http"); http && expect_seq(*http, quoted("http"), diags)) {
        rule.http.emplace();
        for (const DocNode &h : http->children()) read_http(h, diags, *rule.http);
      }
    }
  }
  out.push_back(std::move(rule));
}

void read_icmp_field(const DocNode &node, DiagnosticEngine &diags, std::vector<ast::IcmpField> &out) {
  if (!expect_map(node, item_of("fields"), diags)) return;
  Fields f = check_fields(node, {kIcmpFields}, diags);
  ast::IcmpField field;
  field.loc = node.loc;
  if (const DocNode *family = f.get("family"); family && expect_scalar(*family, quoted("family"), diags)) {
    std::string lower;
    for (char c : family->text()) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "ipv4") field.family = Family::V4;
    else if (lower == "ipv6") field.family = Family::V6;
    else {
      diags.error(family->loc, "invalid-icmp", fmt::format("unknown ICMP family \"{}\"; expected IPv4 or IPv6", family->text()));
      return;
    }
  }
  const DocNode *type = f.get("type");
  if (!type) {
    diags.error(node.loc, "missing-field", "ICMP field has no \"type\"");
    return;
  }
  if (!expect_scalar(*type, quoted("type"), diags)) return;
  if (std::optional<int64_t> number = parse_integer(type->text())) {
    if (*number < 0 || *number > 255) {
      diags.error(type->loc, "invalid-icmp", fmt::format("ICMP type {} out of range 0..255", type->text()));
      return;
    }
    field.type = static_cast<uint8_t>(*number);
  } else if (std::optional<uint8_t> named = icmp_type_by_name(field.family, type->text())) {
    field.type = *named;
  } else {
    std::vector<std::string_view> names;
    for (const IcmpName &n : icmp_names(field.family)) names.push_back(n.name);
    std::string hint = nearest(type->text(), names);
    const char *family_name = field.family == Family::V4 ? "ICMPv4" : "ICMPv6";
    diags.error(type->loc, "invalid-icmp",
                hint.empty() ? fmt::format("unknown {} type \"{}\"", family_name, type->text())
                             : fmt::format("unknown {} type \"{}\"; did you mean \"{}\"?", family_name, type->text(), hint));
    return;
  }
  out.push_back(field);
}

}  // namespace

std::optional<uint8_t> icmp_type_by_name(Family family, std::string_view name) {
  for (const IcmpName &n : icmp_names(family))
    if (n.name == name) return n.type;
  return std::nullopt;
}

void read_to_ports(const DocNode &node, bool deny, DiagnosticEngine &diags, std::vector<ast::PortRule> &out) {
  if (!expect_seq(node, quoted("toPorts"), diags)) return;
  for (const DocNode &item : node.children()) read_port_rule(item, deny, diags, out);
}

void read_icmps(const DocNode &node, DiagnosticEngine &diags, std::vector<ast::IcmpField> &out) {
  if (!expect_seq(node, quoted("icmps"), diags)) return;
  for (const DocNode &item : node.children()) {
    if (!expect_map(item, item_of("icmps"), diags)) continue;
    Fields f = check_fields(item, {kIcmpRuleFields}, diags);
    if (const DocNode *fields = f.get("fields"); fields && expect_seq(*fields, quoted("fields"), diags))
      for (const DocNode &field : fields->children()) read_icmp_field(field, diags, out);
  }
}

}  // namespace polc::reader
