// `polc stats` output (CONTRACT §2): a table for people, JSON, and the
// Prometheus text exposition that node_exporter's textfile collector reads.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "runtime/iface_state.h"
#include "runtime/rule_stats.h"

namespace polc::cli {

std::string stats_text(const runtime::IfaceId &id, const runtime::InterfaceStats &stats);
nlohmann::ordered_json stats_json(const runtime::IfaceId &id, const runtime::InterfaceStats &stats);
// Metric families polc_rule_flows_total, polc_rule_packets_total and
// polc_drops_total, each with HELP and TYPE lines; default-deny drops are
// polc_drops_total{reason="default_deny",direction=...}.
std::string stats_prometheus(const runtime::IfaceId &id, const runtime::InterfaceStats &stats);

// A label value in the exposition format: backslash, double quote and
// newline escaped.
std::string prometheus_label_value(std::string_view value);

}  // namespace polc::cli
