#include "codegen/btf_canonical.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>

namespace polc::codegen {
namespace {

// BTF kinds (include/uapi/linux/btf.h), and the layout facts used below.
enum : uint32_t {
  kInt = 1, kPtr = 2, kArray = 3, kStruct = 4, kUnion = 5, kEnum = 6, kFwd = 7, kTypedef = 8,
  kVolatile = 9, kConst = 10, kRestrict = 11, kFunc = 12, kFuncProto = 13, kVar = 14, kDatasec = 15,
  kFloat = 16, kDeclTag = 17, kTypeTag = 18, kEnum64 = 19,
};

uint16_t load16(const uint8_t *p) { uint16_t v; std::memcpy(&v, p, 2); return v; }
uint32_t load32(const uint8_t *p) { uint32_t v; std::memcpy(&v, p, 4); return v; }
uint64_t load64(const uint8_t *p) { uint64_t v; std::memcpy(&v, p, 8); return v; }
void store32(uint8_t *p, uint32_t v) { std::memcpy(p, &v, 4); }

struct Span {
  uint8_t *data;
  size_t size;
};

// The bytes of the ELF section called `wanted` (64-bit little-endian ELF,
// which is all the BPF backend writes for bpfel).
std::optional<Span> find_section(std::vector<uint8_t> &elf, std::string_view wanted) {
  if (elf.size() < 0x40 || std::memcmp(elf.data(), "\x7f" "ELF", 4) != 0 || elf[4] != 2 || elf[5] != 1)
    return std::nullopt;
  const uint64_t shoff = load64(&elf[0x28]);
  const uint16_t shentsize = load16(&elf[0x3a]), shnum = load16(&elf[0x3c]), shstrndx = load16(&elf[0x3e]);
  auto header = [&](size_t i) -> const uint8_t * {
    size_t at = shoff + i * shentsize;
    return at + 0x40 <= elf.size() ? &elf[at] : nullptr;
  };
  const uint8_t *names = header(shstrndx);
  if (!names) return std::nullopt;
  const uint64_t names_off = load64(names + 0x18), names_size = load64(names + 0x20);
  for (size_t i = 0; i < shnum; ++i) {
    const uint8_t *h = header(i);
    if (!h) return std::nullopt;
    const uint32_t name = load32(h);
    const uint64_t off = load64(h + 0x18), size = load64(h + 0x20);
    if (name >= names_size || names_off + names_size > elf.size() || off + size > elf.size()) continue;
    const char *text = reinterpret_cast<const char *>(&elf[names_off + name]);
    if (std::string_view(text, strnlen(text, names_size - name)) == wanted) return Span{&elf[off], size};
  }
  return std::nullopt;
}

// Bytes a type's record takes after the 12-byte common header.
std::optional<size_t> extra_size(uint32_t kind, uint32_t vlen) {
  switch (kind) {
    case kInt: return 4;
    case kArray: return 12;
    case kStruct: case kUnion: case kDatasec: case kEnum64: return vlen * 12;
    case kEnum: case kFuncProto: return vlen * 8;
    case kVar: case kDeclTag: return 4;
    case kPtr: case kFwd: case kTypedef: case kVolatile: case kConst: case kRestrict: case kFunc:
    case kFloat: case kTypeTag: return 0;
    default: return std::nullopt;
  }
}

// Every field of a record that holds a type id.
template <typename F>
void for_each_type_ref(uint8_t *record, uint32_t kind, uint32_t vlen, F &&visit) {
  uint8_t *extra = record + 12;
  switch (kind) {
    case kPtr: case kTypedef: case kVolatile: case kConst: case kRestrict: case kFunc: case kVar:
    case kDeclTag: case kTypeTag: visit(record + 8); break;
    case kFuncProto:
      visit(record + 8);
      for (uint32_t i = 0; i < vlen; ++i) visit(extra + i * 8 + 4);
      break;
    case kArray: visit(extra); visit(extra + 4); break;
    case kStruct: case kUnion: for (uint32_t i = 0; i < vlen; ++i) visit(extra + i * 12 + 4); break;
    case kDatasec: for (uint32_t i = 0; i < vlen; ++i) visit(extra + i * 12); break;
    default: break;
  }
}

}  // namespace

Result<void> canonicalize_btf_forward_declarations(std::vector<uint8_t> &elf) {
  auto btf = find_section(elf, ".BTF");
  if (!btf) return {};
  auto bad = [] { return internal_error("the BPF compiler wrote a .BTF section polc cannot read"); };
  if (btf->size < 24 || load16(btf->data) != 0xeB9F) return bad();
  const uint32_t hdr_len = load32(btf->data + 4);
  const uint32_t type_off = load32(btf->data + 8), type_len = load32(btf->data + 12);
  const uint32_t str_off = load32(btf->data + 16), str_len = load32(btf->data + 20);
  if (size_t(hdr_len) + type_off + type_len > btf->size || size_t(hdr_len) + str_off + str_len > btf->size) return bad();
  uint8_t *types = btf->data + hdr_len + type_off;
  char *strings = reinterpret_cast<char *>(btf->data + hdr_len + str_off);

  struct Record {
    uint8_t *at;
    uint32_t kind, vlen;
  };
  std::vector<Record> records;  // records[i] is type id i + 1
  for (size_t at = 0; at < type_len;) {
    if (at + 12 > type_len) return bad();
    const uint32_t info = load32(types + at + 4);
    const uint32_t kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
    auto extra = extra_size(kind, vlen);
    if (!extra) return bad();
    records.push_back({types + at, kind, vlen});
    at += 12 + *extra;
  }

  size_t first_fwd = records.size();
  while (first_fwd > 0 && records[first_fwd - 1].kind == kFwd) --first_fwd;
  const size_t count = records.size() - first_fwd;
  if (count < 2) return {};

  auto name_of = [&](const Record &r) {
    const uint32_t off = load32(r.at);
    return off < str_len ? std::string_view(strings + off, strnlen(strings + off, str_len - off)) : std::string_view();
  };
  // Sorted by name, then struct before union (the kind flag).
  std::vector<size_t> order(count);
  std::iota(order.begin(), order.end(), first_fwd);
  auto key = [&](size_t i) { return std::pair(name_of(records[i]), load32(records[i].at + 4)); };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });

  // Their names, when they are exactly the tail of the string table (the
  // usual case: nothing else shares them), are rewritten in sorted order too.
  std::vector<std::string> names;
  uint32_t names_start = str_len;
  for (size_t i = first_fwd; i < records.size(); ++i) {
    names.emplace_back(name_of(records[i]));
    names_start = std::min(names_start, load32(records[i].at));
  }
  size_t names_bytes = 0;
  for (const auto &n : names) names_bytes += n.size() + 1;
  const bool names_are_tail = names_start + names_bytes == str_len;

  // Old id -> new id for the permuted tail; then the records move.
  std::vector<uint32_t> new_id(records.size() + 1);
  std::iota(new_id.begin(), new_id.end(), 0);
  for (size_t slot = 0; slot < count; ++slot) new_id[order[slot] + 1] = static_cast<uint32_t>(first_fwd + slot + 1);
  std::vector<uint8_t> moved(count * 12);
  for (size_t slot = 0; slot < count; ++slot) std::memcpy(&moved[slot * 12], records[order[slot]].at, 12);
  std::memcpy(records[first_fwd].at, moved.data(), moved.size());  // the tail is contiguous: 12 bytes each

  if (names_are_tail) {
    uint32_t at = names_start;
    for (size_t slot = 0; slot < count; ++slot) {
      const std::string &name = names[order[slot] - first_fwd];
      std::memcpy(strings + at, name.c_str(), name.size() + 1);
      store32(records[first_fwd + slot].at, at);
      at += static_cast<uint32_t>(name.size() + 1);
    }
  }

  for (size_t i = 0; i < first_fwd; ++i) {
    for_each_type_ref(records[i].at, records[i].kind, records[i].vlen, [&](uint8_t *field) {
      const uint32_t id = load32(field);
      if (id < new_id.size()) store32(field, new_id[id]);
    });
  }
  return {};
}

}  // namespace polc::codegen
