// What the fleet tests read back from etcd: an agent's status key and the
// revision `polc push` reports.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fleet/etcd_client.h"
#include "tests/support/test_env.h"

namespace polc::test {

// The status `node`'s agent published, or null while there is none.
nlohmann::json status_of(fleet::EtcdClient &client, const std::string &node);

using StatusCheck = std::function<bool(const nlohmann::json &)>;

// Polls every node's status until `done` holds for all of them at once.
// Returns the statuses in `nodes`' order, or an empty vector after `timeout`.
std::vector<nlohmann::json> wait_statuses(fleet::EtcdClient &client, const std::vector<std::string> &nodes,
                                          const StatusCheck &done, double timeout_s = 30);

// One node's status once `done` holds for it, or null after `timeout`.
nlohmann::json wait_status(fleet::EtcdClient &client, const std::string &node, const StatusCheck &done,
                           double timeout_s = 30);

// The revision in `polc push`'s first line ("revision 42: ..."), or 0.
int64_t pushed_revision(const CommandResult &push);

}  // namespace polc::test
