#include "ingest/otlp_wire.h"

#include <bit>
#include <cstring>

namespace calypso::ingest::internal {
namespace {

std::string_view WireTypeName(WireType t) {
    switch (t) {
        case WireType::kVarint:
            return "0 (varint)";
        case WireType::kFixed64:
            return "1 (64-bit)";
        case WireType::kLengthDelimited:
            return "2 (length-delimited)";
        case WireType::kStartGroup:
            return "3 (start group)";
        case WireType::kEndGroup:
            return "4 (end group)";
        case WireType::kFixed32:
            return "5 (32-bit)";
    }
    return "?";
}

uint64_t LoadLittleEndian(const char* p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

}  // namespace

double WireField::as_double() const { return std::bit_cast<double>(scalar); }

bool WireReader::Fail(std::string what) {
    if (error_.empty()) error_ = std::move(what);
    pos_ = data_.size();
    return false;
}

bool WireReader::ReadVarint(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (pos_ >= data_.size()) {
            return Fail("truncated varint at byte " + std::to_string(base_ + pos_));
        }
        const auto byte = static_cast<unsigned char>(data_[pos_++]);
        if (shift == 63 && byte > 1) {
            return Fail("varint overflows 64 bits at byte " + std::to_string(base_ + pos_ - 1));
        }
        v |= uint64_t{byte & 0x7Fu} << shift;
        if ((byte & 0x80) == 0) return true;
    }
    return Fail("varint longer than 10 bytes at byte " + std::to_string(base_ + pos_ - 1));
}

bool WireReader::Next(WireField& f) {
    if (failed() || pos_ >= data_.size()) return false;
    f = WireField{};
    f.offset = base_ + pos_;
    uint64_t tag = 0;
    if (!ReadVarint(tag)) return false;
    const uint64_t number = tag >> 3;
    if (number == 0 || number > 0x1FFFFFFF) {
        return Fail("invalid field number " + std::to_string(number) + " at byte " +
                    std::to_string(f.offset));
    }
    f.number = static_cast<uint32_t>(number);
    f.type = static_cast<WireType>(tag & 7);
    const std::string at =
        " of field " + std::to_string(f.number) + " at byte " + std::to_string(f.offset);
    switch (f.type) {
        case WireType::kVarint:
            return ReadVarint(f.scalar);
        case WireType::kFixed64:
        case WireType::kFixed32: {
            const int n = f.type == WireType::kFixed64 ? 8 : 4;
            if (data_.size() - pos_ < static_cast<size_t>(n)) {
                return Fail("truncated " + std::to_string(n * 8) + "-bit value" + at + ": " +
                            std::to_string(data_.size() - pos_) + " bytes left");
            }
            f.scalar = LoadLittleEndian(data_.data() + pos_, n);
            pos_ += static_cast<size_t>(n);
            return true;
        }
        case WireType::kLengthDelimited: {
            uint64_t len = 0;
            if (!ReadVarint(len)) return false;
            if (len > data_.size() - pos_) {
                return Fail("truncated message: length " + std::to_string(len) + at +
                            " runs past the end of its enclosing message (" +
                            std::to_string(data_.size() - pos_) + " bytes left)");
            }
            f.bytes = data_.substr(pos_, static_cast<size_t>(len));
            f.payload_offset = base_ + pos_;
            pos_ += static_cast<size_t>(len);
            return true;
        }
        case WireType::kStartGroup:
        case WireType::kEndGroup:
            return Fail("unsupported wire type " + std::string(WireTypeName(f.type)) + at);
    }
    return Fail("invalid wire type " + std::to_string(tag & 7) + at);
}

std::string WrongWireType(const WireField& f, WireType want, std::string_view field_name) {
    if (f.type == want) return {};
    std::string m = "field ";
    m += std::to_string(f.number);
    m += " (";
    m += field_name;
    m += ") has wire type ";
    m += WireTypeName(f.type);
    m += ", expected ";
    m += WireTypeName(want);
    m += ", at byte ";
    m += std::to_string(f.offset);
    return m;
}

void PutVarint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

void PutTag(std::string& out, uint32_t field, WireType type) {
    PutVarint(out, (uint64_t{field} << 3) | static_cast<uint64_t>(type));
}

void PutVarintField(std::string& out, uint32_t field, uint64_t v) {
    PutTag(out, field, WireType::kVarint);
    PutVarint(out, v);
}

void PutBytesField(std::string& out, uint32_t field, std::string_view bytes) {
    PutTag(out, field, WireType::kLengthDelimited);
    PutVarint(out, bytes.size());
    out.append(bytes);
}

void PutFixed64Field(std::string& out, uint32_t field, uint64_t bits) {
    PutTag(out, field, WireType::kFixed64);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

void PutDoubleField(std::string& out, uint32_t field, double v) {
    PutFixed64Field(out, field, std::bit_cast<uint64_t>(v));
}

}  // namespace calypso::ingest::internal
