// The body every reader's fuzz target shares: feed the bytes to the reader
// under a file name whose extension picks the syntax, then lower what was
// read. Any crash, hang or sanitizer report is a bug; diagnostics are fine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "frontend/diagnostics.h"
#include "frontend/source.h"

namespace polc::fuzz {

enum class Reader { Policy, Inventory, Flows };

int read_bytes(Reader reader, const char *file_name, const uint8_t *data, size_t size);

}  // namespace polc::fuzz
