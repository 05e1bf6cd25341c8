// libFuzzer target: the flows reader on json input.
#include "tests/fuzz/fuzz_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return polc::fuzz::read_bytes(polc::fuzz::Reader::Flows, "flows.json", data, size);
}
