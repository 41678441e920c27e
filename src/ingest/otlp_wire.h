#pragma once

// The protobuf wire format, just enough to read and write OTLP without libprotobuf: a
// message is a sequence of fields, each a varint tag (field_number << 3 | wire_type)
// followed by its value:
//   0 varint            1..10 bytes, 7 bits each, low group first
//   1 64-bit            8 bytes little-endian (fixed64, sfixed64, double)
//   2 length-delimited  varint length, then that many bytes (string, bytes, message,
//                       packed repeated scalars)
//   5 32-bit            4 bytes little-endian (fixed32, sfixed32, float)
// Wire types 3 and 4 (groups) are obsolete and rejected. Unknown fields are skipped by the
// callers; a known field with an unexpected wire type is an error.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace calypso::ingest::internal {

enum class WireType : uint8_t {
    kVarint = 0,
    kFixed64 = 1,
    kLengthDelimited = 2,
    kStartGroup = 3,
    kEndGroup = 4,
    kFixed32 = 5
};

// One field as read: its number, wire type, and value. For varints `scalar` is the value,
// for fixed64/fixed32 the raw little-endian bits; for length-delimited fields `bytes` views
// the payload (inside the buffer given to the reader). `offset` is where the tag starts and
// `payload_offset` where a length-delimited payload starts, both counted from the start of
// the whole request body (for error messages of nested readers).
struct WireField {
    uint32_t number = 0;
    WireType type = WireType::kVarint;
    uint64_t scalar = 0;
    std::string_view bytes;
    size_t offset = 0;
    size_t payload_offset = 0;

    double as_double() const;
    int64_t as_int64() const { return static_cast<int64_t>(scalar); }
};

// Reads the fields of one message in order. Never reads outside `data`; never throws.
class WireReader {
  public:
    // `base` is the offset of data[0] within the request body, for error messages.
    WireReader(std::string_view data, size_t base) : data_(data), base_(base) {}

    // Reads the next field into `f`. False at the end of the message, or when the input is
    // malformed (then error() says what and at which byte, and the reader stays failed).
    bool Next(WireField& f);
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }

  private:
    bool ReadVarint(uint64_t& v);
    bool Fail(std::string what);

    std::string_view data_;
    size_t base_;
    size_t pos_ = 0;
    std::string error_;
};

// "" when `f` has the wire type `want`, else a message naming the field, both wire types
// and the byte offset.
std::string WrongWireType(const WireField& f, WireType want, std::string_view field_name);

// Appends encodings to `out`, for responses and tests.
void PutVarint(std::string& out, uint64_t v);
void PutTag(std::string& out, uint32_t field, WireType type);
void PutVarintField(std::string& out, uint32_t field, uint64_t v);
void PutBytesField(std::string& out, uint32_t field, std::string_view bytes);
void PutFixed64Field(std::string& out, uint32_t field, uint64_t bits);
void PutDoubleField(std::string& out, uint32_t field, double v);

}  // namespace calypso::ingest::internal
