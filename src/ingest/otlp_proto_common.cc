#include "ingest/otlp_proto_common.h"

namespace calypso::ingest::internal {

using core::Dynamic;

const Dynamic* FindAttribute(const Attributes& attributes, std::string_view key) {
    for (const auto& a : attributes) {
        if (a.key == key) return &a.value;
    }
    return nullptr;
}

std::string HexId(std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    bool all_zero = true;
    for (char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        all_zero = all_zero && b == 0;
        out.push_back(kHex[b >> 4]);
        out.push_back(kHex[b & 0xF]);
    }
    if (all_zero) out.clear();
    return out;
}

std::string NormalizeHexId(std::string& hex, size_t bytes, std::string_view field) {
    if (hex.empty()) return {};
    bool all_zero = true, bad_digit = false;
    for (char& c : hex) {
        if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
        bad_digit = bad_digit || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        all_zero = all_zero && c == '0';
    }
    if (bad_digit || hex.size() != bytes * 2) {
        std::string m(field);
        m += " '";
        m += hex.substr(0, 64);
        m += "' is not ";
        m += std::to_string(bytes * 2);
        m += " hex digits";
        return m;
    }
    if (all_zero) hex.clear();
    return {};
}

std::string Base64(std::string_view bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                           (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(kAlphabet[(n >> 6) & 63]);
        out.push_back(kAlphabet[n & 63]);
    }
    if (i < bytes.size()) {
        uint32_t n = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        if (i + 1 < bytes.size()) n |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
        out.push_back(kAlphabet[(n >> 18) & 63]);
        out.push_back(kAlphabet[(n >> 12) & 63]);
        out.push_back(i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

std::string ReadString(const WireField& f, std::string_view name, std::string& out) {
    if (std::string e = WrongWireType(f, WireType::kLengthDelimited, name); !e.empty()) return e;
    out.assign(f.bytes);
    return {};
}

std::string ReadVarint(const WireField& f, std::string_view name, uint64_t& out) {
    if (std::string e = WrongWireType(f, WireType::kVarint, name); !e.empty()) return e;
    out = f.scalar;
    return {};
}

std::string ReadFixed64(const WireField& f, std::string_view name, uint64_t& out) {
    if (std::string e = WrongWireType(f, WireType::kFixed64, name); !e.empty()) return e;
    out = f.scalar;
    return {};
}

std::string ReadDouble(const WireField& f, std::string_view name, double& out) {
    if (std::string e = WrongWireType(f, WireType::kFixed64, name); !e.empty()) return e;
    out = f.as_double();
    return {};
}

std::string ReadId(const WireField& f, size_t bytes, std::string_view name, std::string& out) {
    if (std::string e = WrongWireType(f, WireType::kLengthDelimited, name); !e.empty()) return e;
    if (!f.bytes.empty() && f.bytes.size() != bytes) {
        return std::string(name) + " has " + std::to_string(f.bytes.size()) + " bytes, expected " +
               std::to_string(bytes) + ", at byte " + std::to_string(f.offset);
    }
    out = HexId(f.bytes);
    return {};
}

std::string ReadAnyValue(const WireField& f, int depth, Dynamic& out) {
    if (depth > kMaxValueDepth) {
        return "value nested deeper than " + std::to_string(kMaxValueDepth) + " levels at byte " +
               std::to_string(f.offset);
    }
    return ForEachField(f, "value", [&](const WireField& v) -> std::string {
        switch (v.number) {
            case 1: {
                std::string s;
                if (std::string e = ReadString(v, "string_value", s); !e.empty()) return e;
                out = Dynamic::String(std::move(s));
                return {};
            }
            case 2: {
                uint64_t b = 0;
                if (std::string e = ReadVarint(v, "bool_value", b); !e.empty()) return e;
                out = Dynamic::Bool(b != 0);
                return {};
            }
            case 3: {
                uint64_t i = 0;
                if (std::string e = ReadVarint(v, "int_value", i); !e.empty()) return e;
                out = Dynamic::Long(static_cast<int64_t>(i));
                return {};
            }
            case 4: {
                double d = 0;
                if (std::string e = ReadDouble(v, "double_value", d); !e.empty()) return e;
                out = Dynamic::Real(d);
                return {};
            }
            case 5: {
                Dynamic::Array items;
                std::string e = ForEachField(v, "array_value", [&](const WireField& a) {
                    if (a.number != 1) return std::string();
                    return ReadAnyValue(a, depth + 1, items.emplace_back());
                });
                if (!e.empty()) return e;
                out = Dynamic::MakeArray(std::move(items));
                return {};
            }
            case 6: {
                Dynamic::Object members;
                std::string e = ForEachField(v, "kvlist_value", [&](const WireField& kv) {
                    if (kv.number != 1) return std::string();
                    Attribute a;
                    std::string err = ReadKeyValue(kv, depth + 1, a);
                    members.emplace_back(std::move(a.key), std::move(a.value));
                    return err;
                });
                if (!e.empty()) return e;
                out = Dynamic::MakeObject(std::move(members));
                return {};
            }
            case 7: {
                if (std::string e = WrongWireType(v, WireType::kLengthDelimited, "bytes_value");
                    !e.empty()) {
                    return e;
                }
                out = Dynamic::String(Base64(v.bytes));
                return {};
            }
            default:
                return {};
        }
    });
}

std::string ReadKeyValue(const WireField& f, int depth, Attribute& out) {
    return ForEachField(f, "attribute", [&](const WireField& kv) -> std::string {
        if (kv.number == 1) return ReadString(kv, "key", out.key);
        if (kv.number == 2) return ReadAnyValue(kv, depth, out.value);
        return {};
    });
}

}  // namespace calypso::ingest::internal
