// Compiled datapath objects kept between `polc apply` runs (issue 4: "reusing
// a cached object when the policy's shape is unchanged"). A program is a
// function of the policy's shape (and, with HTTP rules, of its table sizes):
// compiling it costs about as much as everything else an apply does, so a
// program compiled once on this host is not compiled again.
//
// Content-addressed: the key digests the generated program (main file,
// source, generated headers) and the polc executable (device, inode, size,
// modification time), which fixes the embedded templates and the compiler:
// a rebuilt or upgraded polc starts afresh. The objects carry no policy
// section (apply does not need one).
//
//   /run/polc/objects/<key>.o     owner-only; the 16 most recently used kept
//
// POLC_OBJECT_CACHE names another directory, or "off" for none (tests and
// benchmarks). A missing or unusable cache only means compiling: it never
// fails an apply.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/generate.h"
#include "frontend/result.h"

namespace polc::cli {

inline constexpr const char *kObjectCacheDir = "/run/polc/objects";

// kObjectCacheDir, or POLC_OBJECT_CACHE; empty when caching is off.
std::string object_cache_dir();

struct CachedObject {
  std::vector<uint8_t> elf;
  bool hit = false;  // read from the cache, not compiled
};

// The object of `program`, from the cache or compiled (and then stored).
Result<CachedObject> cached_object(const codegen::GeneratedProgram &program,
                                   const std::string &dir = object_cache_dir());

}  // namespace polc::cli
