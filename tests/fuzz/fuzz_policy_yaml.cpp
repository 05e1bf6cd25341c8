// libFuzzer target: the policy reader on yaml input.
#include "tests/fuzz/fuzz_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return polc::fuzz::read_bytes(polc::fuzz::Reader::Policy, "policy.yaml", data, size);
}
