#include "frontend/labels.h"

#include <fmt/format.h>

namespace polc {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Kubernetes' "qualified name" part: the name of a key and every value.
std::string check_name_chars(std::string_view s, std::string_view what) {
  if (s.size() > 63) return fmt::format("{} must be at most 63 characters", what);
  for (char c : s)
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.')
      return fmt::format("{} may contain only letters, digits, '-', '_' and '.'", what);
  if (!s.empty() && (!is_alnum(s.front()) || !is_alnum(s.back())))
    return fmt::format("{} must start and end with a letter or digit", what);
  return "";
}

// RFC 1123 DNS subdomain: the optional prefix of a key.
std::string check_dns_subdomain(std::string_view s) {
  if (s.empty()) return "prefix before '/' must not be empty";
  if (s.size() > 253) return "prefix before '/' must be at most 253 characters";
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || !is_lower_alnum(part.front()) || !is_lower_alnum(part.back()))
      return "prefix before '/' must be a DNS subdomain (lowercase letters, digits, '-' and '.')";
    for (char c : part)
      if (!is_lower_alnum(c) && c != '-')
        return "prefix before '/' must be a DNS subdomain (lowercase letters, digits, '-' and '.')";
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return "";
}

}  // namespace

std::string check_label_key(std::string_view key, std::string &normalized) {
  std::string_view rest = key;
  std::string_view kept_source;
  // Cilium's label sources. "k8s" and "any" are how selectors usually
  // write plain Kubernetes labels; "reserved" and "cidr" name labels Cilium
  // itself gives (reserved:host, cidr:10.0.0.0/8).
  for (std::string_view source : {"k8s:", "any:", "reserved:", "cidr:", "container:", "unspec:"}) {
    if (rest.substr(0, source.size()) == source) {
      rest.remove_prefix(source.size());
      if (source == "reserved:" || source == "cidr:") kept_source = source;
      break;
    }
  }
  normalized.assign(kept_source);
  normalized.append(rest);
  if (kept_source == "cidr:") return "";  // an address, not a name
  if (rest.empty()) return "key must not be empty";
  std::string_view name = rest;
  size_t slash = rest.rfind('/');
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(0, slash);
    name = rest.substr(slash + 1);
    // Cilium exposes namespace labels as io.cilium.k8s.namespace.labels.<key>,
    // where <key> may itself have a prefix: check the part after ours.
    constexpr std::string_view ns_labels = "io.cilium.k8s.namespace.labels.";
    if (prefix.substr(0, ns_labels.size()) == ns_labels) prefix.remove_prefix(ns_labels.size());
    std::string reason = check_dns_subdomain(prefix);
    if (!reason.empty()) return reason;
  }
  if (name.empty()) return "name part must not be empty";
  return check_name_chars(name, "name part");
}

std::string check_label_value(std::string_view value) { return check_name_chars(value, "value"); }

}  // namespace polc
