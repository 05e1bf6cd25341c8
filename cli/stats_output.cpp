#include "cli/stats_output.h"

#include <algorithm>

#include <fmt/format.h>

namespace polc::cli {

namespace {

std::string netns_name(const runtime::IfaceId &id) { return id.netns.empty() ? "host" : id.netns; }

bool is_allow(const runtime::RuleStat &r) { return r.verdict == "allow"; }

}  // namespace

std::string stats_text(const runtime::IfaceId &id, const runtime::InterfaceStats &stats) {
  std::string where = id.netns.empty() ? id.iface : fmt::format("{} (netns {})", id.iface, id.netns);
  std::string out = fmt::format("{}: generation {}\n", where, stats.generation);
  size_t width = std::string_view("default deny").size();
  for (const auto &r : stats.rules) width = std::max(width, r.source.size());
  out += fmt::format("  {:<{}}  {:<9} {:<7} {:>12}\n", "RULE", width, "DIRECTION", "VERDICT", "COUNT");
  uint64_t flows = 0, denied = 0;
  for (const auto &r : stats.rules) {
    out += fmt::format("  {:<{}}  {:<9} {:<7} {:>12} {}\n", r.source, width, r.direction, r.verdict, r.count,
                       is_allow(r) ? "flows" : "packets");
    (is_allow(r) ? flows : denied) += r.count;
  }
  out += fmt::format("  {:<{}}  {:<9} {:<7} {:>12} packets\n", "default deny", width, "ingress", "deny",
                     stats.default_deny_ingress);
  out += fmt::format("  {:<{}}  {:<9} {:<7} {:>12} packets\n", "default deny", width, "egress", "deny",
                     stats.default_deny_egress);
  uint64_t other = 0;
  std::string reasons;
  for (const auto &[reason, n] : stats.drops) {
    other += n;
    if (n) reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", reason, n);
  }
  out += fmt::format("  total: {} flows allowed by rules, {} packets dropped by deny rules, {} by default deny, "
                     "{} for other reasons{}\n",
                     flows, denied, stats.default_deny_ingress + stats.default_deny_egress, other,
                     reasons.empty() ? "" : " (" + reasons + ")");
  return out;
}

nlohmann::ordered_json stats_json(const runtime::IfaceId &id, const runtime::InterfaceStats &stats) {
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const auto &r : stats.rules)
    rules.push_back({{"source", r.source},
                     {"direction", r.direction},
                     {"verdict", r.verdict},
                     {is_allow(r) ? "flows" : "packets", r.count}});
  nlohmann::ordered_json drops = nlohmann::ordered_json::object();
  for (const auto &[reason, n] : stats.drops) drops[reason] = n;
  return {{"iface", id.iface},
          {"netns", netns_name(id)},
          {"generation", stats.generation},
          {"rules", std::move(rules)},
          {"default_deny", {{"ingress", stats.default_deny_ingress}, {"egress", stats.default_deny_egress}}},
          {"drops", std::move(drops)}};
}

std::string prometheus_label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string stats_prometheus(const runtime::IfaceId &id, const runtime::InterfaceStats &stats) {
  const std::string iface = prometheus_label_value(id.iface);
  std::string flows, packets;
  for (const auto &r : stats.rules)
    (is_allow(r) ? flows : packets) +=
        fmt::format("{}{{iface=\"{}\",source=\"{}\",direction=\"{}\"}} {}\n",
                    is_allow(r) ? "polc_rule_flows_total" : "polc_rule_packets_total", iface,
                    prometheus_label_value(r.source), r.direction, r.count);
  std::string out;
  out += "# HELP polc_rule_flows_total Connections each allow rule let open.\n";
  out += "# TYPE polc_rule_flows_total counter\n" + flows;
  out += "# HELP polc_rule_packets_total Packets each deny rule dropped.\n";
  out += "# TYPE polc_rule_packets_total counter\n" + packets;
  out += "# HELP polc_drops_total Packets dropped for a reason other than a deny rule.\n";
  out += "# TYPE polc_drops_total counter\n";
  out += fmt::format("polc_drops_total{{iface=\"{}\",reason=\"default_deny\",direction=\"ingress\"}} {}\n", iface,
                     stats.default_deny_ingress);
  out += fmt::format("polc_drops_total{{iface=\"{}\",reason=\"default_deny\",direction=\"egress\"}} {}\n", iface,
                     stats.default_deny_egress);
  for (const auto &[reason, n] : stats.drops)
    out += fmt::format("polc_drops_total{{iface=\"{}\",reason=\"{}\"}} {}\n", iface, reason, n);
  return out;
}

}  // namespace polc::cli
