// The checksums real packets carry, for the packet builder and for tests
// that check the bytes a program rewrote.
#pragma once

#include <cstddef>
#include <cstdint>

namespace polc::runtime {

// RFC 1071 one's-complement sum of `data` added to `initial` (not folded, not
// inverted), so a pseudo header and a segment can be summed in parts.
uint32_t ones_complement_sum(const uint8_t *data, size_t size, uint32_t initial = 0);
// Folds and inverts a sum into the 16-bit value stored in a header (host order).
uint16_t fold_checksum(uint32_t sum);
// CRC32c (Castagnoli), as SCTP's checksum uses it (RFC 3309, RFC 4960 App. B).
uint32_t crc32c(const uint8_t *data, size_t size);

}  // namespace polc::runtime
