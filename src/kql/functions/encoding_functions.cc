// Binary encodings: base64 of guids and byte arrays, zlib and gzip compression to base64.
#include <zlib.h>

#include <array>
#include <cstdint>
#include <string>

#include "kql/functions/base64.h"
#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"
#include "kql/functions/row_kernel.h"

namespace calypso::kql::functions {
namespace {

using core::Dynamic;
using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using core::Value;
using Args = std::vector<const BoundExpr*>;
using Vecs = std::vector<Vec>;

// .NET's strict Convert.FromBase64String: the length is a multiple of 4.
bool StrictBase64Decode(std::string_view in, std::string& out) {
    return in.size() % 4 == 0 && Base64Decode(in, out);
}

int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The 16 bytes of a guid in .NET's Guid.ToByteArray order: the first three groups little
// endian, the last two as written (the order the docs' example shows).
constexpr std::array<int, 16> kGuidByteOrder = {3, 2, 1,  0,  5,  4,  7,  6,
                                                8, 9, 10, 11, 12, 13, 14, 15};

bool GuidBytes(std::string_view g, std::string& out) {
    std::string hex;
    for (char c : g) {
        if (c != '-') hex += c;
    }
    if (hex.size() != 32) return false;
    std::array<char, 16> raw{};
    for (size_t k = 0; k < 16; ++k) {
        int hi = Hex(hex[2 * k]), lo = Hex(hex[2 * k + 1]);
        if (hi < 0 || lo < 0) return false;
        raw[k] = static_cast<char>(hi * 16 + lo);
    }
    out.assign(16, '\0');
    for (size_t k = 0; k < 16; ++k) out[k] = raw[static_cast<size_t>(kGuidByteOrder[k])];
    return true;
}

std::string GuidText(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (size_t k = 0; k < 16; ++k) {
        if (k == 4 || k == 6 || k == 8 || k == 10) out += '-';
        auto b = static_cast<unsigned char>(bytes[static_cast<size_t>(kGuidByteOrder[k])]);
        out += kHex[b >> 4];
        out += kHex[b & 15];
    }
    return out;
}

// A zlib (RFC 1950) or raw deflate stream of `in` in stored blocks: the form the docs'
// examples show Kusto returning (header 78 01, a stored block), which any inflater reads.
std::string Deflate(std::string_view in, int window_bits) {
    z_stream z{};
    if (deflateInit2(&z, Z_NO_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        return "";
    }
    std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return rc == Z_STREAM_END ? out : "";
}

// Inflates a whole zlib (window_bits 15) or gzip (31) stream; false when it is not one or
// has bytes after its end.
bool Inflate(std::string_view in, int window_bits, std::string& out) {
    z_stream z{};
    if (inflateInit2(&z, window_bits) != Z_OK) return false;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    out.clear();
    std::array<char, 16384> buf{};
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buf.data());
        z.avail_out = static_cast<uInt>(buf.size());
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf.data(), buf.size() - z.avail_out);
        if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) rc = Z_DATA_ERROR;  // truncated
    }
    bool ok = rc == Z_STREAM_END && z.avail_in == 0;
    inflateEnd(&z);
    return ok;
}

// gzip with the fixed 10-byte header of the docs' example (no name, no time, OS unknown)
// around a stored deflate stream, then CRC-32 and the length, little endian.
std::string GzipCompress(std::string_view in) {
    std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
    out += Deflate(in, -15);
    uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(in.data()), static_cast<uInt>(in.size()));
    auto size = static_cast<uint32_t>(in.size());
    for (int k = 0; k < 4; ++k) out += static_cast<char>((crc >> (8 * k)) & 0xFF);
    for (int k = 0; k < 4; ++k) out += static_cast<char>((size >> (8 * k)) & 0xFF);
    return out;
}

ScalarFunction StringToString(std::string (*f)(std::string_view)) {
    return {1, 1, [f](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                return RowCall(Type::kString, Type::kString, [f](const Vecs& v, size_t i) {
                    return Value::String(f(v[0].Str(i)));
                });
            }};
}

}  // namespace

void AddEncodingFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["base64_encode_fromguid"] = {
        1, 1, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (a[0]->type != Type::kGuid && a[0]->type != Type::kNull) {
                return Status::SemanticError("base64_encode_fromguid() expects a guid, got " +
                                                 std::string(core::TypeName(a[0]->type)),
                                             pos);
            }
            return RowCall(Type::kString, Type::kNull, [](const Vecs& v, size_t i) {
                std::string bytes;
                if (v[0].IsNull(i) || !GuidBytes(v[0].Str(i), bytes)) return Value::String("");
                return Value::String(Base64Encode(bytes));
            });
        }};
    // Not base64, or not 16 bytes: null.
    r["base64_decode_toguid"] = {
        1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kGuid, Type::kString, [](const Vecs& v, size_t i) {
                std::string bytes;
                if (!StrictBase64Decode(v[0].Str(i), bytes) || bytes.size() != 16) {
                    return Value::Null(Type::kGuid);
                }
                return Value::Guid(GuidText(bytes));
            });
        }};
    // The bytes as an array of longs; not base64: null.
    r["base64_decode_toarray"] = {
        1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kDynamic, Type::kString, [](const Vecs& v, size_t i) {
                std::string bytes;
                if (!StrictBase64Decode(v[0].Str(i), bytes)) return Value::Null(Type::kDynamic);
                Dynamic::Array out;
                for (char c : bytes) out.push_back(Dynamic::Long(static_cast<unsigned char>(c)));
                return Value::FromDynamic(Dynamic::MakeArray(std::move(out)));
            });
        }};
    // An array of integers in [0, 255]; anything else gives "" (a string is never null).
    r["base64_encode_fromarray"] = {
        1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kString, Type::kDynamic, [](const Vecs& v, size_t i) {
                const Dynamic& d = v[0].Dyn(i);
                if (d.kind() != Dynamic::Kind::kArray) return Value::String("");
                std::string bytes;
                for (const auto& e : d.as_array()) {
                    if (e.kind() != Dynamic::Kind::kLong || e.as_long() < 0 || e.as_long() > 255) {
                        return Value::String("");
                    }
                    bytes += static_cast<char>(e.as_long());
                }
                return Value::String(Base64Encode(bytes));
            });
        }};
    r["zlib_compress_to_base64_string"] =
        StringToString([](std::string_view s) { return Base64Encode(Deflate(s, 15)); });
    r["gzip_compress_to_base64_string"] =
        StringToString([](std::string_view s) { return Base64Encode(GzipCompress(s)); });
    // Failures (not base64, not a stream, not UTF-8) give "".
    r["zlib_decompress_from_base64_string"] = StringToString([](std::string_view s) {
        std::string bytes, text;
        if (!Base64Decode(s, bytes) || !Inflate(bytes, 15, text) || !ValidUtf8(text))
            return std::string();
        return text;
    });
    // The docs: ID1, ID2 and CM are checked and FLG must be zero (no optional fields).
    r["gzip_decompress_from_base64_string"] = StringToString([](std::string_view s) {
        std::string bytes, text;
        if (!Base64Decode(s, bytes) || bytes.size() < 18 ||
            bytes.compare(0, 4, "\x1f\x8b\x08\x00", 4) != 0 || !Inflate(bytes, 31, text) ||
            !ValidUtf8(text)) {
            return std::string();
        }
        return text;
    });
}

}  // namespace calypso::kql::functions
