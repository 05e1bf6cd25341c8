#include "runtime/checksum.h"

#include <array>

namespace polc::runtime {

uint32_t ones_complement_sum(const uint8_t *data, size_t size, uint32_t initial) {
  uint64_t sum = initial;
  size_t i = 0;
  for (; i + 1 < size; i += 2) sum += static_cast<uint32_t>(data[i]) << 8 | data[i + 1];
  if (i < size) sum += static_cast<uint32_t>(data[i]) << 8;  // odd length: pad with a zero byte
  while (sum >> 32) sum = (sum & 0xffffffff) + (sum >> 32);
  return static_cast<uint32_t>(sum);
}

uint16_t fold_checksum(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

uint32_t crc32c(const uint8_t *data, size_t size) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;  // reflected 0x1EDC6F41
      t[i] = c;
    }
    return t;
  }();
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

}  // namespace polc::runtime
