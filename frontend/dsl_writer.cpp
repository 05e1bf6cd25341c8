#include "frontend/dsl_writer.h"

#include <algorithm>

#include <fmt/format.h>

#include "frontend/dsl_syntax.h"

namespace polc {

namespace {

constexpr size_t kWrapColumn = 100;

bool is_bare(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_.:/-").find(c) != std::string_view::npos;
  });
}

std::string word(std::string_view s) { return is_bare(s) ? std::string(s) : dsl::quote(s); }

std::string value_list(const std::vector<std::string> &values) {
  std::vector<std::string> words;
  for (const auto &v : values) words.push_back(word(v));
  return fmt::format("({})", fmt::join(words, ", "));
}

std::string requirement(const ast::Requirement &r) {
  std::string key = word(r.key);
  switch (r.op) {
    case ast::SelectorOp::In:
      return r.values.size() == 1 ? key + " = " + word(r.values[0]) : key + " in " + value_list(r.values);
    case ast::SelectorOp::NotIn:
      return r.values.size() == 1 ? key + " != " + word(r.values[0]) : key + " not in " + value_list(r.values);
    case ast::SelectorOp::Exists: return key + " exists";
    case ast::SelectorOp::DoesNotExist: return key + " not exists";
  }
  return key;
}

std::string requirements(const ast::Selector &s) {
  std::vector<std::string> parts;
  for (const auto &r : s.requirements) parts.push_back(requirement(r));
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string selector(const ast::Selector &s) {
  return s.requirements.empty() ? "{}" : "{ " + requirements(s) + " }";
}

std::string cidr(const ast::CidrPeer &c) {
  std::string out = c.cidr.str();
  if (c.except.size() == 1) out += " except " + c.except[0].str();
  if (c.except.size() > 1) {
    std::vector<std::string> ex;
    for (const Prefix &p : c.except) ex.push_back(p.str());
    out += fmt::format(" except ({})", fmt::join(ex, ", "));
  }
  return out;
}

// The peers of a statement, one string each (the writer joins or wraps them).
std::vector<std::string> peers(const ast::RuleElement &e, std::string &kind) {
  std::vector<std::string> out;
  switch (e.peer_kind) {
    case ast::PeerKind::None:
    case ast::PeerKind::Any: kind = "any"; break;
    case ast::PeerKind::Endpoints:
      kind = "endpoints";
      for (const auto &s : e.endpoints) out.push_back(selector(s));
      break;
    case ast::PeerKind::Cidrs:
      kind = e.cidrs_match_endpoints ? "ipblock" : "cidr";
      for (const auto &c : e.cidrs) out.push_back(cidr(c));
      break;
    case ast::PeerKind::Entities:
      kind = "entity";
      for (const auto &en : e.entities) out.push_back(word(en.name));
      break;
  }
  return out;
}

std::string proto_word(ast::Proto p) {
  switch (p) {
    case ast::Proto::TCP: return "tcp";
    case ast::Proto::UDP: return "udp";
    case ast::Proto::SCTP: return "sctp";
    default: return "any";
  }
}

std::string port_item(const ast::PortProtocol &pp) {
  std::string out = proto_word(pp.proto);
  if (!pp.name.empty()) return out + " " + dsl::quote(pp.name);  // quoted: a name may be a keyword (`http`)
  if (pp.port == 0 && (pp.end_port == 0 || pp.end_port == 65535)) return out;  // every port
  out += " " + std::to_string(pp.port);
  if (pp.end_port != 0 && pp.end_port != pp.port) out += "-" + std::to_string(pp.end_port);
  return out;
}

std::string http_request(const ast::HttpRule &h) {
  std::vector<std::string> fields;
  if (h.method) fields.push_back("method " + dsl::quote(*h.method));
  if (h.path) fields.push_back("path " + dsl::quote(*h.path));
  if (h.host) fields.push_back("host " + dsl::quote(*h.host));
  for (const auto &m : h.headers) fields.push_back("header " + dsl::quote(m.value ? m.name + ": " + *m.value : m.name));
  if (fields.empty()) return "any;";
  return fmt::format("{};", fmt::join(fields, " "));
}

struct Statement {
  SourceLoc loc;
  const ast::RuleElement *element;
  bool ingress, deny;
};

class Printer {
 public:
  explicit Printer(const std::vector<DslComment> &comments) : comments_(comments) {}

  std::string print(const ast::PolicySet &set) {
    bool first = true;
    for (const ast::Rule &rule : set.rules) {
      if (!first) out_ += "\n";
      first = false;
      policy(rule);
    }
    if (next_comment_ < comments_.size() && !out_.empty()) out_ += "\n";
    while (next_comment_ < comments_.size()) out_ += comments_[next_comment_++].text + "\n";
    return out_;
  }

 private:
  const std::vector<DslComment> &comments_;
  size_t next_comment_ = 0;
  std::string out_;

  // Comments on lines before `loc`, at `indent`.
  void leading(SourceLoc loc, std::string_view indent) {
    if (!loc.valid()) return;
    uint32_t last = 0;  // blank lines between comments, and before the item, are kept
    while (next_comment_ < comments_.size() && comments_[next_comment_].loc.line < loc.line) {
      const DslComment &c = comments_[next_comment_++];
      if (last != 0 && c.loc.line > last + 1) out_ += "\n";
      out_ += fmt::format("{}{}\n", indent, c.text);
      last = c.loc.line;
    }
    if (last != 0 && loc.line > last + 1) out_ += "\n";
  }
  // A comment that shared the line of `loc`: appended to the line just printed.
  void trailing(SourceLoc loc) {
    if (!loc.valid()) return;
    while (next_comment_ < comments_.size() && comments_[next_comment_].loc.line == loc.line) {
      if (!out_.empty() && out_.back() == '\n') out_.pop_back();
      out_ += fmt::format("  {}\n", comments_[next_comment_++].text);
    }
  }
  void line(SourceLoc loc, std::string_view indent, const std::string &text) {
    leading(loc, indent);
    out_ += fmt::format("{}{}\n", indent, text);
    trailing(loc);
  }

  void policy(const ast::Rule &rule) {
    line(rule.loc, "", rule.name.empty() ? "policy {" : fmt::format("policy {} {{", word(rule.name)));
    if (!rule.description.empty()) out_ += fmt::format("  description {};\n", dsl::quote(rule.description));
    std::vector<std::string> ignores;
    for (const auto &[k, v] : rule.labels) {
      if (k == kLintIgnoreLabel) ignores.push_back(word(v));
      else out_ += fmt::format("  label {} = {};\n", word(k), word(v));
    }
    if (!ignores.empty()) out_ += fmt::format("  lint ignore {};\n", fmt::join(ignores, ", "));
    line(rule.subject.loc, "  ", rule.subject.requirements.empty() ? "select all;" : "select " + requirements(rule.subject) + ";");

    std::vector<Statement> statements;
    auto add = [&](const std::vector<ast::RuleElement> &section, bool ingress, bool deny) {
      for (const auto &e : section)
        if (e.peer_kind != ast::PeerKind::None) statements.push_back(Statement{e.loc, &e, ingress, deny});
    };
    add(rule.ingress, true, false);
    add(rule.ingress_deny, true, true);
    add(rule.egress, false, false);
    add(rule.egress_deny, false, true);
    bool has_ingress = false, has_egress = false;
    for (const auto &s : statements) (s.ingress ? has_ingress : has_egress) = true;
    if (rule.enforce_ingress && !has_ingress) out_ += "  enforce ingress;\n";
    if (rule.enforce_egress && !has_egress) out_ += "  enforce egress;\n";
    std::stable_sort(statements.begin(), statements.end(), [](const Statement &a, const Statement &b) {
      return std::pair(a.loc.line, a.loc.col) < std::pair(b.loc.line, b.loc.col);
    });
    for (const auto &s : statements) statement(s);
    leading(rule.end_loc, "  ");  // comments after the last statement, inside the block
    out_ += "}\n";
    trailing(rule.end_loc);
  }

  void statement(const Statement &s) {
    const ast::RuleElement &e = *s.element;
    std::string head = fmt::format("{} {}", s.deny ? "deny" : "allow", s.ingress ? "ingress" : "egress");
    std::string kind;
    std::vector<std::string> peer_texts = peers(e, kind);
    bool peerless = e.peer_kind == ast::PeerKind::Any && (!e.to_ports.empty() || !e.icmps.empty());
    std::string from = peerless ? "" : fmt::format(" {} {}", s.ingress ? "from" : "to", kind);

    // One line per port rule (each may carry its own HTTP rules), one for ICMP.
    std::vector<std::pair<std::string, const ast::PortRule *>> l4s;
    for (const auto &pr : e.to_ports) {
      std::vector<std::string> items;
      for (const auto &pp : pr.ports) items.push_back(port_item(pp));
      if (items.empty()) items.push_back("any");
      l4s.emplace_back(fmt::format(" on {}", fmt::join(items, ", ")), &pr);
    }
    if (!e.icmps.empty()) {
      std::vector<std::string> items;
      for (const auto &i : e.icmps) items.push_back(fmt::format("{} {}", i.family == Family::V6 ? "icmpv6" : "icmp", unsigned(i.type)));
      l4s.emplace_back(fmt::format(" on {}", fmt::join(items, ", ")), nullptr);
    }
    if (l4s.empty()) l4s.emplace_back("", nullptr);

    bool first = true;
    for (const auto &[l4, pr] : l4s) {
      bool http = pr && pr->http && !pr->http->empty();
      std::string end = http ? " http {" : ";";
      std::string one_line = fmt::format("  {}{}{}{}{}", head, from, peer_texts.empty() ? "" : " ",
                                         fmt::join(peer_texts, ", "), l4 + end);
      std::string text;
      if (one_line.size() <= kWrapColumn) {
        text = one_line.substr(2);
      } else {
        text = head + from + (peer_texts.empty() ? "" : " ") + fmt::format("{}", fmt::join(peer_texts, ",\n      "));
        text += l4.empty() ? end : "\n     " + l4 + end;
      }
      if (first) leading(s.loc, "  ");
      out_ += "  " + text + "\n";
      if (first) trailing(s.loc);
      first = false;
      if (http) {
        for (const auto &h : *pr->http) out_ += "    " + http_request(h) + "\n";
        out_ += "  }\n";
      }
    }
  }
};

}  // namespace

std::string write_dsl(const ast::PolicySet &rules, const std::vector<DslComment> &comments) {
  return Printer(comments).print(rules);
}

}  // namespace polc
