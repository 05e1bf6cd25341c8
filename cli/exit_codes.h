// CONTRACT §2 exit codes.
#pragma once

namespace polc {

enum ExitCode : int {
  kExitOk = 0,
  kExitInputError = 1,   // wrong input, lint error, flow missed its expectation
  kExitUsage = 2,
  kExitEnvironment = 3,  // no privilege, no BPF, verifier rejected
  kExitInternal = 4,     // polc bug, evaluators disagree
};

}  // namespace polc
