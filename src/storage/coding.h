#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace calypso::storage {

// Little-endian fixed-width and LEB128 varint encodings used by every on-disk format.

inline void PutFixed32(std::string& out, uint32_t v) {
    char b[4];
    for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out.append(b, 4);
}
inline void PutFixed64(std::string& out, uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
    out.append(b, 8);
}
inline uint32_t DecodeFixed32(const char* p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
    return v;
}
inline uint64_t DecodeFixed64(const char* p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
    return v;
}
inline void PutVarint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>(v | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}
inline void PutLengthPrefixed(std::string& out, std::string_view s) {
    PutVarint(out, s.size());
    out.append(s);
}

// Reads values from a buffer; every getter returns false (and leaves the reader failed) on
// running past the end, so corrupt input can never read out of bounds.
class Reader {
  public:
    explicit Reader(std::string_view data) : data_(data) {}
    bool GetVarint(uint64_t& v) {
        v = 0;
        for (int shift = 0; shift <= 63 && pos_ < data_.size(); shift += 7) {
            auto byte = static_cast<uint8_t>(data_[pos_++]);
            v |= static_cast<uint64_t>(byte & 0x7f) << shift;
            if ((byte & 0x80) == 0) return true;
        }
        return Fail();
    }
    bool GetFixed32(uint32_t& v) {
        if (remaining() < 4) return Fail();
        v = DecodeFixed32(data_.data() + pos_);
        pos_ += 4;
        return true;
    }
    bool GetFixed64(uint64_t& v) {
        if (remaining() < 8) return Fail();
        v = DecodeFixed64(data_.data() + pos_);
        pos_ += 8;
        return true;
    }
    bool GetByte(uint8_t& v) {
        if (remaining() < 1) return Fail();
        v = static_cast<uint8_t>(data_[pos_++]);
        return true;
    }
    bool GetBytes(size_t n, std::string_view& out) {
        if (remaining() < n) return Fail();
        out = data_.substr(pos_, n);
        pos_ += n;
        return true;
    }
    bool GetLengthPrefixed(std::string_view& out) {
        uint64_t n;
        return GetVarint(n) && GetBytes(static_cast<size_t>(n), out);
    }
    size_t remaining() const { return data_.size() - pos_; }
    size_t position() const { return pos_; }
    bool failed() const { return failed_; }

  private:
    bool Fail() {
        failed_ = true;
        pos_ = data_.size();
        return false;
    }
    std::string_view data_;
    size_t pos_ = 0;
    bool failed_ = false;
};

// 32-bit checksum of `data` (the low half of XXH3-64).
uint32_t Checksum32(std::string_view data);

}  // namespace calypso::storage
