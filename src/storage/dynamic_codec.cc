#include "storage/dynamic_codec.h"

#include <bit>

#include "storage/bitpack.h"

namespace calypso::storage {

using core::Dynamic;

namespace {

enum Tag : uint8_t { kNull, kFalse, kTrue, kLong, kReal, kString, kArray, kObject };
constexpr int kMaxDepth = 256;

bool Decode(Reader& in, Dynamic& out, int depth) {
    uint8_t tag;
    if (depth > kMaxDepth || !in.GetByte(tag)) return false;
    switch (tag) {
        case kNull:
            out = Dynamic();
            return true;
        case kFalse:
        case kTrue:
            out = Dynamic::Bool(tag == kTrue);
            return true;
        case kLong: {
            uint64_t v;
            if (!in.GetVarint(v)) return false;
            out = Dynamic::Long(UnZigZag(v));
            return true;
        }
        case kReal: {
            uint64_t v;
            if (!in.GetFixed64(v)) return false;
            out = Dynamic::Real(std::bit_cast<double>(v));
            return true;
        }
        case kString: {
            std::string_view s;
            if (!in.GetLengthPrefixed(s)) return false;
            out = Dynamic::String(std::string(s));
            return true;
        }
        case kArray: {
            uint64_t n;
            // Every element takes at least one byte: a count past the input is corrupt.
            if (!in.GetVarint(n) || n > in.remaining()) return false;
            Dynamic::Array items(static_cast<size_t>(n));
            for (auto& item : items) {
                if (!Decode(in, item, depth + 1)) return false;
            }
            out = Dynamic::MakeArray(std::move(items));
            return true;
        }
        case kObject: {
            uint64_t n;
            if (!in.GetVarint(n) || n > in.remaining()) return false;
            Dynamic::Object members;
            members.reserve(static_cast<size_t>(n));
            for (uint64_t i = 0; i < n; ++i) {
                std::string_view key;
                if (!in.GetLengthPrefixed(key)) return false;
                members.emplace_back(std::string(key), Dynamic());
                if (!Decode(in, members.back().second, depth + 1)) return false;
            }
            out = Dynamic::MakeObject(std::move(members));
            return true;
        }
        default:
            return false;
    }
}

}  // namespace

void EncodeDynamic(const Dynamic& value, std::string& out) {
    switch (value.kind()) {
        case Dynamic::Kind::kNull:
            out.push_back(static_cast<char>(kNull));
            return;
        case Dynamic::Kind::kBool:
            out.push_back(static_cast<char>(value.as_bool() ? kTrue : kFalse));
            return;
        case Dynamic::Kind::kLong:
            out.push_back(static_cast<char>(kLong));
            PutVarint(out, ZigZag(value.as_long()));
            return;
        case Dynamic::Kind::kReal:
            out.push_back(static_cast<char>(kReal));
            PutFixed64(out, std::bit_cast<uint64_t>(value.as_real()));
            return;
        case Dynamic::Kind::kString:
            out.push_back(static_cast<char>(kString));
            PutLengthPrefixed(out, value.as_string());
            return;
        case Dynamic::Kind::kArray:
            out.push_back(static_cast<char>(kArray));
            PutVarint(out, value.as_array().size());
            for (const auto& item : value.as_array()) EncodeDynamic(item, out);
            return;
        case Dynamic::Kind::kObject:
            out.push_back(static_cast<char>(kObject));
            PutVarint(out, value.as_object().size());
            for (const auto& [key, member] : value.as_object()) {
                PutLengthPrefixed(out, key);
                EncodeDynamic(member, out);
            }
            return;
    }
}

bool DecodeDynamic(Reader& in, Dynamic& out) { return Decode(in, out, 0); }

}  // namespace calypso::storage
