#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace calypso::storage {

// Bit-packing of unsigned integers: value i takes bits [i*width, (i+1)*width) of a
// little-endian bit stream, padded to whole 64-bit words plus one spare word so the decoder
// may always load two words.

inline int BitWidth(uint64_t max_value) { return static_cast<int>(std::bit_width(max_value)); }

inline size_t PackedBytes(size_t count, int width) {
    return ((count * static_cast<size_t>(width) + 63) / 64 + 1) * 8;
}

// Appends `count` values of `width` bits (0..64) to `out`.
template <class GetValue>
void PackBits(size_t count, int width, GetValue&& get, std::string& out) {
    const size_t base = out.size();
    out.resize(base + PackedBytes(count, width), '\0');
    if (width == 0) return;
    char* p = out.data() + base;
    size_t bit = 0;
    for (size_t i = 0; i < count; ++i, bit += static_cast<size_t>(width)) {
        uint64_t v = get(i);
        if (width < 64) v &= (uint64_t{1} << width) - 1;
        const size_t word = bit / 64, shift = bit % 64;
        uint64_t lo, hi;
        std::memcpy(&lo, p + word * 8, 8);
        lo |= v << shift;
        std::memcpy(p + word * 8, &lo, 8);
        if (shift != 0 && shift + static_cast<size_t>(width) > 64) {
            std::memcpy(&hi, p + word * 8 + 8, 8);
            hi |= v >> (64 - shift);
            std::memcpy(p + word * 8 + 8, &hi, 8);
        }
    }
}

// Calls `put(i, value)` for the `count` values packed in `data`.
// REQUIRES: data.size() >= PackedBytes(count, width) (checked by the caller).
template <class PutValue>
void UnpackBits(std::string_view data, size_t count, int width, PutValue&& put) {
    if (width == 0) {
        for (size_t i = 0; i < count; ++i) put(i, uint64_t{0});
        return;
    }
    const char* p = data.data();
    const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    size_t bit = 0;
    for (size_t i = 0; i < count; ++i, bit += static_cast<size_t>(width)) {
        const size_t word = bit / 64, shift = bit % 64;
        uint64_t lo, hi;
        std::memcpy(&lo, p + word * 8, 8);
        uint64_t v = lo >> shift;
        if (shift != 0) {
            std::memcpy(&hi, p + word * 8 + 8, 8);
            v |= hi << (64 - shift);
        }
        put(i, v & mask);
    }
}

inline uint64_t ZigZag(int64_t v) {
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t UnZigZag(uint64_t v) {
    return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

}  // namespace calypso::storage
