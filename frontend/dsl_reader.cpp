#include "frontend/dsl_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>
#include <re2/re2.h>

#include "frontend/cilium_ports_reader.h"
#include "frontend/cilium_reader.h"
#include "frontend/dsl_syntax.h"
#include "frontend/labels.h"
#include "frontend/value_reader.h"

namespace polc {

namespace {

using P = grammar::PolicyParser;

// Walks one file's parse tree (free of syntax errors) into rules.
class TreeReader {
 public:
  TreeReader(const dsl::SyntaxTree &tree, DiagnosticEngine &diags) : tree_(tree), diags_(diags) {}

  void read_file(ast::PolicySet &out) {
    for (P::PolicyContext *p : tree_.root()->policy()) out.rules.push_back(read_policy(p));
  }

 private:
  const dsl::SyntaxTree &tree_;
  DiagnosticEngine &diags_;

  SourceLoc loc(antlr4::ParserRuleContext *ctx) const { return tree_.loc(ctx); }
  SourceLoc loc(antlr4::Token *t) const { return tree_.loc(t); }
  static std::string text(P::TextContext *t) { return dsl::unquote(t->getText()); }
  static std::string token_text(antlr4::Token *t) { return dsl::unquote(t->getText()); }

  ast::Rule read_policy(P::PolicyContext *p) {
    ast::Rule rule;
    rule.origin = ast::Origin::Dsl;
    rule.loc = loc(p);
    rule.end_loc = loc(p->getStop());
    if (p->name) rule.name = text(p->name);
    bool selected = false;
    for (P::ItemContext *item : p->item()) {
      if (auto *d = dynamic_cast<P::DescriptionItemContext *>(item)) {
        rule.description = token_text(d->STRING()->getSymbol());
      } else if (auto *l = dynamic_cast<P::LabelItemContext *>(item)) {
        rule.labels.emplace_back(text(l->key), text(l->value));
      } else if (auto *li = dynamic_cast<P::LintItemContext *>(item)) {
        for (P::TextContext *id : li->text()) rule.labels.emplace_back(std::string(kLintIgnoreLabel), text(id));
      } else if (auto *s = dynamic_cast<P::SelectItemContext *>(item)) {
        if (selected) {
          diags_.error(loc(s), "duplicate-field", "a policy has one \"select\"")
              .hint = "put every requirement in one select, separated by commas";
          continue;
        }
        selected = true;
        rule.subject.loc = loc(s);
        for (P::RequirementContext *r : s->requirement()) read_requirement(r, rule.subject);
      } else if (auto *e = dynamic_cast<P::EnforceItemContext *>(item)) {
        (e->direction()->INGRESS() ? rule.enforce_ingress : rule.enforce_egress) = true;
      } else if (auto *r = dynamic_cast<P::RuleItemContext *>(item)) {
        read_statement(r, rule);
      }
    }
    if (!selected)
      diags_.error(rule.loc, "missing-field", "policy has no \"select\"")
          .hint = "say which endpoints it applies to, e.g. `select app = web;` or `select all;`";
    return rule;
  }

  void read_requirement(P::RequirementContext *ctx, ast::Selector &out) {
    ast::Requirement r;
    r.loc = loc(ctx);
    P::TextContext *key = nullptr;
    std::vector<P::TextContext *> values;
    if (auto *c = dynamic_cast<P::EqualsRequirementContext *>(ctx)) {
      key = c->key, r.op = ast::SelectorOp::In, values = {c->value};
    } else if (auto *c = dynamic_cast<P::NotEqualsRequirementContext *>(ctx)) {
      key = c->key, r.op = ast::SelectorOp::NotIn, values = {c->value};
    } else if (auto *c = dynamic_cast<P::InRequirementContext *>(ctx)) {
      key = c->key, r.op = ast::SelectorOp::In, values = c->valueList()->text();
    } else if (auto *c = dynamic_cast<P::NotInRequirementContext *>(ctx)) {
      key = c->key, r.op = ast::SelectorOp::NotIn, values = c->valueList()->text();
    } else if (auto *c = dynamic_cast<P::ExistsRequirementContext *>(ctx)) {
      key = c->key, r.op = ast::SelectorOp::Exists;
    } else if (auto *c = dynamic_cast<P::NotExistsRequirementContext *>(ctx)) {
      key = c->key, r.op = ast::SelectorOp::DoesNotExist;
    }
    if (!key) return;
    bool ok = true;
    std::string raw = text(key);
    if (std::string reason = check_label_key(raw, r.key); !reason.empty()) {
      diags_.error(loc(key), "invalid-label", fmt::format("invalid label key \"{}\": {}", raw, reason));
      ok = false;
    }
    for (P::TextContext *v : values) {
      std::string value = text(v);
      if (std::string reason = check_label_value(value); !reason.empty()) {
        diags_.error(loc(v), "invalid-label", fmt::format("invalid label value \"{}\": {}", value, reason));
        ok = false;
      }
      r.values.push_back(std::move(value));
    }
    if ((r.op == ast::SelectorOp::In || r.op == ast::SelectorOp::NotIn) && r.values.empty()) {
      diags_.error(r.loc, "invalid-selector", fmt::format("\"{}\" needs at least one value in its list", raw));
      ok = false;
    }
    if (ok) out.requirements.push_back(std::move(r));
  }

  void read_statement(P::RuleItemContext *ctx, ast::Rule &rule) {
    bool ingress = ctx->direction()->INGRESS() != nullptr;
    bool deny = ctx->verdict()->DENY() != nullptr;
    ast::RuleElement el;
    el.loc = loc(ctx);
    if (P::PeerClauseContext *pc = ctx->peerClause()) {
      if (ingress && pc->TO())
        diags_.error(loc(pc), "invalid-rule", "an ingress statement names its peers with \"from\", not \"to\"");
      if (!ingress && pc->FROM())
        diags_.error(loc(pc), "invalid-rule", "an egress statement names its peers with \"to\", not \"from\"");
      read_peer(pc->peer(), el);
    } else {
      el.peer_kind = ast::PeerKind::Any;
    }
    if (P::L4ClauseContext *l4 = ctx->l4Clause()) read_l4(l4, el);
    if (P::HttpClauseContext *http = ctx->httpClause()) {
      if (deny) {
        diags_.error(loc(http), "invalid-rule", "HTTP rules are not allowed in a deny statement")
            .hint = "deny the port, or allow only the requests you want";
      } else if (!ctx->l4Clause() || !el.icmps.empty()) {
        diags_.error(loc(http), "invalid-rule", "HTTP rules need the ports they apply to")
            .hint = "name them before the rules, e.g. `on tcp 80 http { ... }`";
      } else {
        read_http(http, el.to_ports.front());
      }
    }
    if (!ctx->peerClause() && !ctx->l4Clause()) {
      diags_.error(el.loc, "invalid-rule", "statement names neither peers nor ports")
          .hint = fmt::format("add `{} any` for every peer, or write `enforce {};` for default deny alone",
                              ingress ? "from" : "to", ingress ? "ingress" : "egress");
      return;
    }
    (ingress ? rule.enforce_ingress : rule.enforce_egress) = true;
    auto &section = ingress ? (deny ? rule.ingress_deny : rule.ingress) : (deny ? rule.egress_deny : rule.egress);
    section.push_back(std::move(el));
  }

  void read_peer(P::PeerContext *ctx, ast::RuleElement &el) {
    if (auto *e = dynamic_cast<P::EndpointsPeerContext *>(ctx)) {
      el.peer_kind = ast::PeerKind::Endpoints;
      for (P::SelectorContext *s : e->selector()) {
        ast::Selector sel;
        sel.loc = loc(s);
        for (P::RequirementContext *r : s->requirement()) read_requirement(r, sel);
        el.endpoints.push_back(std::move(sel));
      }
    } else if (auto *c = dynamic_cast<P::CidrPeerContext *>(ctx)) {
      el.peer_kind = ast::PeerKind::Cidrs;
      for (P::CidrItemContext *item : c->cidrItem()) read_cidr(item, el);
    } else if (auto *b = dynamic_cast<P::IpblockPeerContext *>(ctx)) {
      el.peer_kind = ast::PeerKind::Cidrs;
      el.cidrs_match_endpoints = true;
      for (P::CidrItemContext *item : b->cidrItem()) read_cidr(item, el);
    } else if (auto *en = dynamic_cast<P::EntityPeerContext *>(ctx)) {
      el.peer_kind = ast::PeerKind::Entities;
      for (P::TextContext *t : en->text()) {
        std::string name = text(t);
        if (!reader::is_known_entity(name)) {
          diags_.error(loc(t), "unknown-entity", fmt::format("unknown entity \"{}\"", name))
              .hint = "entities are world, host, all, cluster, remote-node, kube-apiserver, health, init, ingress, unmanaged";
          continue;
        }
        el.entities.push_back(ast::Entity{std::move(name), loc(t)});
      }
    } else {
      el.peer_kind = ast::PeerKind::Any;
    }
  }

  bool read_prefix(P::TextContext *t, Prefix &out) {
    std::string value = text(t);
    Parsed<Prefix> parsed = parse_prefix(value);
    if (!parsed.value) {
      diags_.error(loc(t), "invalid-cidr", fmt::format("invalid CIDR \"{}\": {}", value, parsed.error));
      return false;
    }
    if (parsed.host_bits)
      diags_.warning(loc(t), "cidr-host-bits",
                     fmt::format("CIDR \"{}\" has bits set past its length; read as \"{}\"", value, parsed.value->str()));
    out = *parsed.value;
    return true;
  }

  void read_cidr(P::CidrItemContext *item, ast::RuleElement &el) {
    ast::CidrPeer peer;
    peer.loc = loc(item->cidr);
    bool ok = read_prefix(item->cidr, peer.cidr);
    std::vector<P::TextContext *> texts = item->text();
    for (size_t i = 1; i < texts.size(); ++i) {
      Prefix except;
      if (!read_prefix(texts[i], except)) continue;
      peer.except.push_back(except);
      peer.except_locs.push_back(loc(texts[i]));
    }
    if (!ok) return;
    reader::check_excepts(peer, diags_);
    el.cidrs.push_back(std::move(peer));
  }

  bool read_number(antlr4::Token *t, std::string_view what, unsigned max, unsigned &out) {
    std::string value = token_text(t);
    const char *end = value.data() + value.size();
    auto [ptr, ec] = std::from_chars(value.data(), end, out);
    if (ec != std::errc() || ptr != end || out > max) {
      diags_.error(loc(t), "invalid-port", fmt::format("invalid {} \"{}\": expected a number from 0 to {}", what, value, max));
      return false;
    }
    return true;
  }

  void read_l4(P::L4ClauseContext *ctx, ast::RuleElement &el) {
    ast::PortRule ports;
    ports.loc = loc(ctx);
    for (P::PortItemContext *item : ctx->portItem()) {
      std::string proto = token_text(item->proto);
      for (char &c : proto) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (proto == "icmp" || proto == "icmpv6") {
        read_icmp(item, proto == "icmpv6" ? Family::V6 : Family::V4, el);
        continue;
      }
      ast::PortProtocol pp;
      pp.loc = loc(item);
      if (proto == "tcp") pp.proto = ast::Proto::TCP;
      else if (proto == "udp") pp.proto = ast::Proto::UDP;
      else if (proto == "sctp") pp.proto = ast::Proto::SCTP;
      else if (proto == "any") pp.proto = ast::Proto::Any;
      else {
        std::string hint = nearest(proto, {"tcp", "udp", "sctp", "any", "icmp", "icmpv6"});
        diags_.error(loc(item->proto), "unknown-protocol",
                     hint.empty() ? fmt::format("unknown protocol \"{}\"", proto)
                                  : fmt::format("unknown protocol \"{}\"; did you mean \"{}\"?", proto, hint))
            .hint = "protocols are tcp, udp, sctp, any (all three), icmp and icmpv6";
        continue;
      }
      if (item->port && !read_port_range(item->port, pp)) continue;
      ports.ports.push_back(pp);
    }
    if (!ports.ports.empty() && !el.icmps.empty()) {
      diags_.error(loc(ctx), "invalid-rule", "ICMP types and ports cannot be in one statement")
          .hint = "write one statement for the ports and one for ICMP, as Cilium requires";
      return;
    }
    if (el.icmps.empty()) el.to_ports.push_back(std::move(ports));
  }

  bool read_port_range(antlr4::Token *t, ast::PortProtocol &pp) {
    std::string value = token_text(t);
    // A word with a letter is a named port (`on tcp "http"`; quoted when
    // the name is a keyword of the language).
    if (std::any_of(value.begin(), value.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); })) {
      if (std::string problem = reader::port_name_problem(value); !problem.empty()) {
        diags_.error(loc(t), "invalid-port",
                     fmt::format("invalid port \"{}\": neither a number, a range such as 8000-8080, nor a port name ({})",
                                 value, problem));
        return false;
      }
      pp.name = value;
      return true;
    }
    size_t dash = value.find('-');
    unsigned lo = 0, hi = 0;
    std::string first = value.substr(0, dash);
    const char *end = first.data() + first.size();
    auto [p1, e1] = std::from_chars(first.data(), end, lo);
    bool ok = e1 == std::errc() && p1 == end && lo <= 65535;
    if (ok && dash != std::string::npos) {
      std::string second = value.substr(dash + 1);
      const char *end2 = second.data() + second.size();
      auto [p2, e2] = std::from_chars(second.data(), end2, hi);
      ok = e2 == std::errc() && p2 == end2 && hi <= 65535;
      if (ok && hi < lo) {
        diags_.error(loc(t), "invalid-port-range", fmt::format("port range \"{}\" ends below its start", value));
        return false;
      }
    }
    if (!ok) {
      diags_.error(loc(t), "invalid-port",
                   fmt::format("invalid port \"{}\": expected a number from 0 to 65535 or a range such as 8000-8080", value));
      return false;
    }
    pp.port = static_cast<uint16_t>(lo);
    pp.end_port = static_cast<uint16_t>(hi == lo ? 0 : hi);
    return true;
  }

  void read_icmp(P::PortItemContext *item, Family family, ast::RuleElement &el) {
    if (!item->port) {
      diags_.error(loc(item), "invalid-icmp", "ICMP needs a type, e.g. `icmp 8` or `icmp EchoRequest`");
      return;
    }
    std::string type = token_text(item->port);
    ast::IcmpField field{family, 0, loc(item)};
    unsigned number = 0;
    const char *end = type.data() + type.size();
    auto [ptr, ec] = std::from_chars(type.data(), end, number);
    if (ec == std::errc() && ptr == end) {
      if (number > 255) {
        diags_.error(loc(item->port), "invalid-icmp", fmt::format("ICMP type {} out of range 0..255", type));
        return;
      }
      field.type = static_cast<uint8_t>(number);
    } else if (std::optional<uint8_t> named = reader::icmp_type_by_name(family, type)) {
      field.type = *named;
    } else {
      diags_.error(loc(item->port), "invalid-icmp",
                   fmt::format("unknown ICMP{} type \"{}\"", family == Family::V6 ? "v6" : "", type))
          .hint = "use a number or a name such as EchoRequest";
      return;
    }
    el.icmps.push_back(field);
  }

  static std::string regex_error(const std::string &pattern) {
    static std::mutex mutex;
    static std::unordered_map<std::string, std::string> cache;
    std::lock_guard lock(mutex);
    if (auto it = cache.find(pattern); it != cache.end()) return it->second;
    RE2::Options options;
    options.set_log_errors(false);
    RE2 re(pattern, options);
    std::string error = re.ok() ? std::string() : re.error();
    if (cache.size() < 100000) cache.emplace(pattern, error);
    return error;
  }

  void read_http(P::HttpClauseContext *ctx, ast::PortRule &ports) {
    ports.http.emplace();
    for (P::HttpRequestContext *req : ctx->httpRequest()) {
      ast::HttpRule rule;
      rule.loc = loc(req);
      bool ok = true;
      for (P::HttpFieldContext *f : req->httpField()) {
        std::string value = token_text(f->STRING()->getSymbol());
        SourceLoc at = loc(f->STRING()->getSymbol());
        size_t kind = f->kind->getType();
        if (kind == P::HEADER) {
          ok = read_header(value, at, rule) && ok;
          continue;
        }
        if (std::string error = regex_error(value); !error.empty()) {
          diags_.error(at, "invalid-regex", fmt::format("invalid regex \"{}\" in \"{}\": {}", value, f->kind->getText(), error));
          ok = false;
          continue;
        }
        auto &slot = kind == P::METHOD ? rule.method : kind == P::PATH ? rule.path : rule.host;
        auto &slot_loc = kind == P::METHOD ? rule.method_loc : kind == P::PATH ? rule.path_loc : rule.host_loc;
        if (slot) {
          diags_.error(loc(f), "duplicate-field", fmt::format("\"{}\" is given twice in one request", f->kind->getText()))
              .hint = "a request has one method, path and host regex; use | inside the regex for alternatives";
          ok = false;
          continue;
        }
        slot = std::move(value);
        slot_loc = at;
      }
      if (ok) ports.http->push_back(std::move(rule));
    }
  }

  bool read_header(const std::string &text, SourceLoc at, ast::HttpRule &rule) {
    ast::HeaderMatch h;
    h.loc = at;
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
    for (char c : name)
      valid = valid && (std::isalnum(static_cast<unsigned char>(c)) ||
                        std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos);
    if (!valid) {
      diags_.error(at, "invalid-header",
                   fmt::format("invalid header match \"{}\": expected \"Name\" or \"Name: value\" with a valid header name", text));
      return false;
    }
    h.name = std::string(name);
    rule.headers.push_back(std::move(h));
    return true;
  }
};

}  // namespace

bool read_dsl(uint32_t file, SourceManager &sources, DiagnosticEngine &diags, ast::PolicySet &out,
              std::vector<DslComment> *comments) {
  size_t errors = diags.error_count();
  dsl::SyntaxTree tree(file, sources, diags);
  if (comments) *comments = tree.comments();
  if (tree.syntax_errors() == 0) TreeReader(tree, diags).read_file(out);
  return diags.error_count() == errors;
}

}  // namespace polc
