// LLVM 16's BPF backend emits the forward declarations it needs (structs
// only ever seen behind a pointer, such as __sk_buff's bpf_sock) in the
// iteration order of a map keyed by metadata pointers: the order, and so the
// object's bytes, change with the heap's history (a second compile in the
// same process differs from the first). They are the last BTF types and
// their names the last strings, so polc sorts that tail by name after each
// compile, keeping "same input, same bytes".
#pragma once

#include <cstdint>
#include <vector>

#include "frontend/result.h"

namespace polc::codegen {

// Rewrites the .BTF section of a BPF ELF object in place. An object without
// .BTF is left alone; a malformed one is an internal error.
Result<void> canonicalize_btf_forward_declarations(std::vector<uint8_t> &elf);

}  // namespace polc::codegen
