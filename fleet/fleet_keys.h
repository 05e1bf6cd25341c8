// The key layout of a fleet in etcd (CONTRACT §2, "Fleet"), under a prefix
// P (default /polc):
//   P/policies/NAME     one policy document; NAME's extension gives its format
//   P/endpoints/NAME    one inventory endpoint (the JSON of CONTRACT §1.2)
//   P/namespaces/NAME   one inventory namespace
//   P/status/NODE       the agent of NODE: what is in force there (leased)
#pragma once

#include <string>
#include <string_view>

namespace polc::fleet {

inline constexpr const char *kDefaultPrefix = "/polc";

enum class KeyKind { Policy, Endpoint, Namespace, Status, Other };

struct KeyName {
  KeyKind kind = KeyKind::Other;
  std::string name;  // NAME: what follows the kind's folder
};

// "/polc/" for "/polc" and "/polc/": every key of the fleet starts with it.
std::string normalized_prefix(std::string_view prefix);
// What a key under `prefix` (normalized) holds.
KeyName classify_key(std::string_view prefix, std::string_view key);

std::string policy_key(std::string_view prefix, std::string_view name);
std::string endpoint_key(std::string_view prefix, std::string_view name);
std::string namespace_key(std::string_view prefix, std::string_view name);
std::string status_key(std::string_view prefix, std::string_view node);

// A policy's NAME must end in an extension a policy file may have, since
// that picks its reader; empty when it does, else what is wrong.
std::string policy_name_problem(std::string_view name);

}  // namespace polc::fleet
