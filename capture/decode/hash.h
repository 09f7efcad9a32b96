// Hashing helpers shared by the flow table and the defragmenter (header-only).
#pragma once

#include <cstdint>
#include <cstring>

namespace otsentry::capture {

// A 64-bit mix (the finaliser of MurmurHash3 / splitmix64): cheap and spreads every input bit.
constexpr uint64_t hash_mix(uint64_t h) noexcept
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

// Eight bytes as one word (any alignment).
inline uint64_t load64(const uint8_t* p) noexcept
{
    uint64_t v = 0;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace otsentry::capture
