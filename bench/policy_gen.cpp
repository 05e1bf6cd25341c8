#include "bench/policy_gen.h"

#include <fmt/format.h>

namespace polc::bench {

namespace {
constexpr size_t kServices = 1000;
constexpr size_t kClients = 100;
}  // namespace

std::string frontend_rules_json(size_t rules) {
  std::string text = "[";
  text.reserve(rules * 330);
  for (size_t i = 0; i < rules; ++i) {
    if (i) text += ",\n";
    text += fmt::format(
        R"({{"endpointSelector":{{"matchLabels":{{"app":"svc{}"}}}},"ingress":[{{"fromEndpoints":[{{"matchLabels":{{"role":"c{}"}}}}],)"
        R"("toPorts":[{{"ports":[{{"port":"{}","protocol":"TCP"}}],"rules":{{"http":[{{"method":"GET","path":"/v{}/.*"}}]}}}}]}},)"
        R"({{"fromCIDRSet":[{{"cidr":"10.{}.0.0/16","except":["10.{}.1.0/24"]}}]}}]}})",
        i, i % 100, 1000 + i % 5000, i % 10, i % 256, i % 256);
  }
  text += "]\n";
  return text;
}

std::string frontend_rules_yaml(size_t rules) {
  std::string text;
  text.reserve(rules * 400);
  for (size_t i = 0; i < rules; ++i) {
    if (i % 100 == 0)
      text += fmt::format(
          "---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: bench-{}\n  namespace: prod\n"
          "specs:\n",
          i / 100);
    text += fmt::format(
        "  - endpointSelector:\n      matchLabels:\n        app: svc{}\n"
        "    ingress:\n"
        "      - fromEndpoints:\n          - matchLabels:\n              role: c{}\n"
        "        toPorts:\n          - ports:\n              - port: \"{}\"\n                protocol: TCP\n"
        "            rules:\n              http:\n                - method: GET\n                  path: \"/v{}/.*\"\n"
        "      - fromCIDRSet:\n          - cidr: 10.{}.0.0/16\n            except:\n              - 10.{}.1.0/24\n",
        i, i % 100, 1000 + i % 5000, i % 10, i % 256, i % 256);
  }
  return text;
}

std::string datapath_rules_json(size_t rules, size_t variant) {
  std::string text = "[";
  text.reserve(rules * 200);
  for (size_t i = 0; i < rules; ++i) {
    // svc = i mod 1000 and client = i div 1000 (mod 100): distinct pairs for
    // the first 100,000 rules; the port varies too, for a realistic trie.
    size_t service = i % kServices, client = (i / kServices) % kClients;
    size_t port = i == 0 ? kService0Port : 1000 + (i * 7 + variant * 13) % 50000;
    if (i) text += ",\n";
    text += fmt::format(
        R"({{"endpointSelector":{{"matchLabels":{{"app":"svc{}"}}}},"ingress":[{{"fromEndpoints":[{{"matchLabels":{{"role":"c{}"}}}}],)"
        R"("toPorts":[{{"ports":[{{"port":"{}","protocol":"TCP"}}]}}]}}]}})",
        service, client, port);
  }
  text += "]\n";
  return text;
}

std::string datapath_inventory_json() {
  std::string text = "{\"endpoints\": [\n";
  for (size_t s = 0; s < kServices; ++s)
    text += fmt::format(R"(  {{"name": "svc-{0}", "labels": {{"app": "svc{0}"}}, "ips": ["10.1.{1}.{2}", "fd01::{0:x}"]}},)"
                        "\n",
                        s, s / 256, s % 256);
  for (size_t c = 0; c < kClients; ++c)
    text += fmt::format(R"(  {{"name": "c-{0}", "labels": {{"role": "c{0}"}}, "ips": ["10.2.0.{0}", "fd02::{0:x}"]}}{1})"
                        "\n",
                        c, c + 1 < kClients ? "," : "");
  text += "]}\n";
  return text;
}

}  // namespace polc::bench
