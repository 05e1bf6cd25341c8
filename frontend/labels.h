// Label keys and values as Kubernetes validates them, plus Cilium's source
// prefixes ("k8s:app", "reserved:host"). Readers call these so a policy polc
// accepts is one the API server would accept too.
#pragma once

#include <string>
#include <string_view>

namespace polc {

// Checks a selector or inventory label key. Returns "" when valid, else the
// reason (for a message). `normalized` receives the key with Cilium's "k8s:"
// and "any:" prefixes dropped; "reserved:" and "cidr:" stay part of the key.
std::string check_label_key(std::string_view key, std::string &normalized);
// Checks a label value: at most 63 characters, alphanumerics and '-', '_',
// '.' with alphanumerics at both ends; may be empty.
std::string check_label_value(std::string_view value);

}  // namespace polc
