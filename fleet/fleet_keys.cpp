#include "fleet/fleet_keys.h"

#include <array>

namespace polc::fleet {

namespace {

struct Folder {
  std::string_view dir;
  KeyKind kind;
};
constexpr std::array<Folder, 4> kFolders = {{{"policies/", KeyKind::Policy},
                                             {"endpoints/", KeyKind::Endpoint},
                                             {"namespaces/", KeyKind::Namespace},
                                             {"status/", KeyKind::Status}}};

std::string join(std::string_view prefix, std::string_view dir, std::string_view name) {
  std::string key = normalized_prefix(prefix);
  key += dir;
  key += name;
  return key;
}

}  // namespace

std::string normalized_prefix(std::string_view prefix) {
  std::string p(prefix);
  if (p.empty() || p.back() != '/') p += '/';
  return p;
}

KeyName classify_key(std::string_view prefix, std::string_view key) {
  if (key.substr(0, prefix.size()) != prefix) return {};
  std::string_view rest = key.substr(prefix.size());
  for (const Folder &f : kFolders)
    if (rest.size() > f.dir.size() && rest.substr(0, f.dir.size()) == f.dir)
      return {f.kind, std::string(rest.substr(f.dir.size()))};
  return {};
}

std::string policy_key(std::string_view prefix, std::string_view name) { return join(prefix, "policies/", name); }
std::string endpoint_key(std::string_view prefix, std::string_view name) { return join(prefix, "endpoints/", name); }
std::string namespace_key(std::string_view prefix, std::string_view name) {
  return join(prefix, "namespaces/", name);
}
std::string status_key(std::string_view prefix, std::string_view node) { return join(prefix, "status/", node); }

std::string policy_name_problem(std::string_view name) {
  for (std::string_view ext : {".json", ".yaml", ".yml", ".pol"})
    if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext) return {};
  return "a policy's name ends in .json, .yaml, .yml or .pol, which gives its format";
}

}  // namespace polc::fleet
