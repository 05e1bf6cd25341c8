// Large generated policies and inventories for the benchmarks. Deterministic:
// the same size gives the same text, so figures compare across runs.
#pragma once

#include <cstddef>
#include <string>

namespace polc::bench {

// Rule JSON with `rules` rules, a realistic mix per rule: an endpoint
// selector, a peer selector with a port and HTTP rules, and a CIDR set with
// an except (the tests' former speed test, kept as the frontend benchmark).
std::string frontend_rules_json(size_t rules);
// The same rules as YAML CiliumNetworkPolicy documents of 100 specs each.
std::string frontend_rules_yaml(size_t rules);

// Rule JSON for the datapath benchmark: every rule allows one client role to
// one service on one TCP port, and the (service, client, port) triples are
// distinct, so `rules` rules become `rules` policy-map entries. Rule 0 is
// "role=c0 may reach app=svc0 on TCP 1000", whatever the size. Another
// `variant` moves every other rule's port: the same program shape and entry
// count, different map contents (bench_swap's map-only updates).
std::string datapath_rules_json(size_t rules, size_t variant = 0);

// The inventory the datapath rules select from: 1,000 services
// (svc-N: 10.1.N/256.N%256, fd01::N) and 100 clients (c-N: 10.2.0.N,
// fd02::N); the same for every policy size, so only the rules vary.
std::string datapath_inventory_json();
inline constexpr const char *kClient0V4 = "10.2.0.0";
inline constexpr const char *kClient0V6 = "fd02::";
inline constexpr const char *kService0V4 = "10.1.0.0";
inline constexpr const char *kService0V6 = "fd01::";
inline constexpr int kService0Port = 1000;

}  // namespace polc::bench
