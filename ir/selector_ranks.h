// Ranks of selectors, for canonicalize (ir/lower.cpp). Comparing two rules
// is mostly comparing their selectors, and sorting 200,000 rules compares
// millions of pairs, each chasing pointers through a heap of hundreds of
// MiB. So each distinct selector is ranked once and rules sort by rank. The
// ranking compares flat encodings of the selectors, kept together in one
// small arena, which order as the selectors do; equal selectors are found
// by hashing the encodings (open addressing: no allocation per selector).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.h"

namespace polc::ir {

class SelectorRanks {
 public:
  // The same id for equal selectors, ids counting from 0.
  uint32_t id(const Selector &s) {
    if (s.requirements.empty() && empty_id_) return *empty_id_;  // most peers that are no selector
    scratch_.clear();
    encode(s, scratch_);
    uint64_t hash = std::hash<std::string_view>{}(scratch_);
    if (2 * (encodings_.size() + 1) > slots_.size()) rehash(std::max<size_t>(1024, 2 * slots_.size()));
    size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      uint32_t slot = slots_[i];
      if (slot == 0) {
        uint32_t id = add(hash);
        slots_[i] = id + 1;
        if (s.requirements.empty()) empty_id_ = id;
        return id;
      }
      if (hashes_[slot - 1] == hash && encodings_[slot - 1] == scratch_) return slot - 1;
    }
  }

  // Turns ids into ranks (after the last id()): ranks compare as the
  // selectors do.
  void rank() {
    std::vector<uint32_t> by_value(encodings_.size());
    for (uint32_t i = 0; i < by_value.size(); ++i) by_value[i] = i;
    std::sort(by_value.begin(), by_value.end(), [&](uint32_t a, uint32_t b) { return encodings_[a] < encodings_[b]; });
    rank_of_id_.resize(encodings_.size());
    for (uint32_t r = 0; r < by_value.size(); ++r) rank_of_id_[by_value[r]] = r;
  }
  uint32_t rank_of(uint32_t id) const { return rank_of_id_[id]; }

 private:
  // Bytes whose order (memcmp, then length) is Selector's order: a string
  // ends with 00 00 and escapes its 00 bytes as 00 01, so a string sorts
  // before its extensions; in a list each item starts with 01 and the list
  // ends with 00, so a list sorts before its extensions too.
  static void encode(std::string_view text, std::string &out) {
    size_t plain = 0;  // start of the bytes not yet copied
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '\0') continue;
      out.append(text.substr(plain, i + 1 - plain));
      out += '\1';
      plain = i + 1;
    }
    out.append(text.substr(plain));
    out.append(2, '\0');
  }
  static void encode(const Selector &s, std::string &out) {
    for (const Requirement &r : s.requirements) {
      out += '\1';
      encode(r.key, out);
      out += static_cast<char>(r.op);
      for (const std::string &v : r.values) {
        out += '\1';
        encode(v, out);
      }
      out += '\0';
    }
    out += '\0';
  }

  uint32_t add(uint64_t hash) {
    char *copy = static_cast<char *>(memory_.allocate(scratch_.size(), 1));
    std::copy(scratch_.begin(), scratch_.end(), copy);
    encodings_.emplace_back(copy, scratch_.size());
    hashes_.push_back(hash);
    return static_cast<uint32_t>(encodings_.size() - 1);
  }
  void rehash(size_t size) {  // a power of two
    slots_.assign(size, 0);
    for (uint32_t id = 0; id < hashes_.size(); ++id) {
      size_t i = hashes_[id] & (size - 1);
      while (slots_[i] != 0) i = (i + 1) & (size - 1);
      slots_[i] = id + 1;
    }
  }

  std::pmr::monotonic_buffer_resource memory_;  // the encodings, back to back
  std::vector<std::string_view> encodings_;     // by id
  std::vector<uint64_t> hashes_;                // by id
  std::vector<uint32_t> slots_;                 // id + 1, or 0: free; at most half full
  std::vector<uint32_t> rank_of_id_;
  std::string scratch_;
  std::optional<uint32_t> empty_id_;
};

}  // namespace polc::ir
