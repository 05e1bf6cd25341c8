#include "codegen/elf_section.h"

#include <elf.h>

#include <cstring>

namespace polc::codegen {

namespace {

bool is_elf64le(const std::vector<uint8_t> &elf) {
  return elf.size() >= sizeof(Elf64_Ehdr) && std::memcmp(elf.data(), ELFMAG, SELFMAG) == 0 &&
         elf[EI_CLASS] == ELFCLASS64 && elf[EI_DATA] == ELFDATA2LSB;
}

template <typename T>
T load(const std::vector<uint8_t> &bytes, size_t offset) {
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}

void align(std::vector<uint8_t> &bytes, size_t to) {
  while (bytes.size() % to) bytes.push_back(0);
}

// Section headers, checked to lie inside the file.
std::optional<std::vector<Elf64_Shdr>> section_headers(const std::vector<uint8_t> &elf, const Elf64_Ehdr &eh) {
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > elf.size() ||
      eh.e_shnum > (elf.size() - eh.e_shoff) / sizeof(Elf64_Shdr) || eh.e_shstrndx >= eh.e_shnum)
    return std::nullopt;
  std::vector<Elf64_Shdr> out(eh.e_shnum);
  std::memcpy(out.data(), elf.data() + eh.e_shoff, eh.e_shnum * sizeof(Elf64_Shdr));
  for (const auto &sh : out)
    if (sh.sh_type != SHT_NOBITS && (sh.sh_offset > elf.size() || sh.sh_size > elf.size() - sh.sh_offset))
      return std::nullopt;
  return out;
}

std::string_view section_name(const std::vector<uint8_t> &elf, const Elf64_Shdr &strtab, uint32_t offset) {
  if (offset >= strtab.sh_size) return {};
  const char *base = reinterpret_cast<const char *>(elf.data() + strtab.sh_offset);
  size_t max = strtab.sh_size - offset;
  return std::string_view(base + offset, strnlen(base + offset, max));
}

}  // namespace

Result<std::vector<uint8_t>> add_elf_section(const std::vector<uint8_t> &elf, std::string_view name,
                                             std::string_view contents) {
  if (!is_elf64le(elf)) return internal_error("not an ELF64 little-endian object");
  auto eh = load<Elf64_Ehdr>(elf, 0);
  auto headers = section_headers(elf, eh);
  if (!headers) return internal_error("malformed ELF section table");

  // The new layout: the old file up to its section headers' start, then a
  // new section-name table (old names + the new one), the contents, and the
  // section headers with one more entry.
  std::vector<uint8_t> out(elf.begin(), elf.end());
  const Elf64_Shdr &old_strtab = (*headers)[eh.e_shstrndx];
  std::vector<uint8_t> strtab(elf.begin() + old_strtab.sh_offset,
                              elf.begin() + old_strtab.sh_offset + old_strtab.sh_size);
  uint32_t name_offset = static_cast<uint32_t>(strtab.size());
  strtab.insert(strtab.end(), name.begin(), name.end());
  strtab.push_back(0);

  align(out, 8);
  uint64_t strtab_offset = out.size();
  out.insert(out.end(), strtab.begin(), strtab.end());
  align(out, 8);
  uint64_t contents_offset = out.size();
  out.insert(out.end(), contents.begin(), contents.end());
  align(out, 8);
  uint64_t shoff = out.size();

  (*headers)[eh.e_shstrndx].sh_offset = strtab_offset;
  (*headers)[eh.e_shstrndx].sh_size = strtab.size();
  Elf64_Shdr added{};
  added.sh_name = name_offset;
  added.sh_type = SHT_PROGBITS;
  added.sh_flags = 0;  // not loaded: data for polc, not for the kernel
  added.sh_offset = contents_offset;
  added.sh_size = contents.size();
  added.sh_addralign = 1;
  headers->push_back(added);

  size_t table_bytes = headers->size() * sizeof(Elf64_Shdr);
  out.resize(shoff + table_bytes);
  std::memcpy(out.data() + shoff, headers->data(), table_bytes);
  eh.e_shoff = shoff;
  eh.e_shnum = static_cast<uint16_t>(headers->size());
  std::memcpy(out.data(), &eh, sizeof eh);
  return out;
}

std::optional<std::string> read_elf_section(const std::vector<uint8_t> &elf, std::string_view name) {
  if (!is_elf64le(elf)) return std::nullopt;
  auto eh = load<Elf64_Ehdr>(elf, 0);
  auto headers = section_headers(elf, eh);
  if (!headers) return std::nullopt;
  const Elf64_Shdr &strtab = (*headers)[eh.e_shstrndx];
  for (const Elf64_Shdr &sh : *headers)
    if (sh.sh_type == SHT_PROGBITS && section_name(elf, strtab, sh.sh_name) == name)
      return std::string(reinterpret_cast<const char *>(elf.data() + sh.sh_offset), sh.sh_size);
  return std::nullopt;
}

}  // namespace polc::codegen
