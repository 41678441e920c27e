// IPv4 functions: parse_ipv4, parse_ipv4_mask, format_ipv4, format_ipv4_mask, ipv4_compare,
// ipv4_is_match, ipv4_is_in_range, ipv4_is_private, ipv4_netmask_suffix. An address may
// carry a prefix ("10.1.2.3/24"); the masks of both sides and of a prefix argument combine
// (the shortest wins). Text that is not an address gives null ("" for strings).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"
#include "kql/functions/row_kernel.h"

namespace calypso::kql::functions {
namespace {

using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using core::Value;
using Args = std::vector<const BoundExpr*>;
using Vecs = std::vector<Vec>;

struct Ipv4 {
    uint32_t address = 0;
    int prefix = 32;
};

uint32_t Mask(int prefix) {
    return prefix <= 0 ? 0 : prefix >= 32 ? 0xFFFFFFFFu : ~((1u << (32 - prefix)) - 1);
}

std::optional<int> Number(std::string_view s, int max) {
    if (s.empty() || s.size() > 3) return std::nullopt;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v <= max ? std::optional<int>(v) : std::nullopt;
}

// "a.b.c.d" or "a.b.c.d/n" (white space around is allowed).
std::optional<Ipv4> Parse(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    Ipv4 out;
    if (size_t slash = s.find('/'); slash != std::string_view::npos) {
        auto p = Number(s.substr(slash + 1), 32);
        if (!p) return std::nullopt;
        out.prefix = *p;
        s = s.substr(0, slash);
    }
    for (int part = 0; part < 4; ++part) {
        size_t dot = part < 3 ? s.find('.') : s.size();
        if (dot == std::string_view::npos) return std::nullopt;
        auto octet = Number(s.substr(0, dot), 255);
        if (!octet) return std::nullopt;
        out.address = (out.address << 8) | static_cast<uint32_t>(*octet);
        s = part < 3 ? s.substr(dot + 1) : std::string_view();
    }
    return out;
}

// A string address, or a long in [0, 2^32).
std::optional<Ipv4> ParseAny(const Vec& v, size_t i) {
    if (v.type() == Type::kString) return Parse(v.Str(i));
    if (IsIntegral(v.type()) && !v.IsNull(i) && v.I64(i) >= 0 && v.I64(i) <= 0xFFFFFFFFLL) {
        return Ipv4{static_cast<uint32_t>(v.I64(i)), 32};
    }
    return std::nullopt;
}

std::string Format(uint32_t a) {
    return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
           std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

// The prefix argument at `k` when given: false when it is null or out of [0, 32].
bool PrefixArg(const Vecs& v, size_t k, size_t i, int& prefix) {
    if (v.size() <= k) return true;
    if (v[k].IsNull(i) || v[k].I64(i) < 0 || v[k].I64(i) > 32) return false;
    prefix = std::min(prefix, static_cast<int>(v[k].I64(i)));
    return true;
}

Status CheckArgs(const Args& a, const char* fn, size_t strings, SourcePos pos) {
    for (size_t k = 0; k < a.size(); ++k) {
        Type t = a[k]->type;
        bool ok = k < strings ? (t == Type::kString || t == Type::kNull)
                              : (IsIntegral(t) || t == Type::kNull);
        if (!ok) {
            return Status::SemanticError(std::string(fn) + "(): argument " + std::to_string(k + 1) +
                                             " must be " +
                                             (k < strings ? "a string" : "an integer") + ", got " +
                                             std::string(core::TypeName(t)),
                                         pos);
        }
    }
    return Status::Ok();
}

template <typename F>
ScalarFunction IpFunction(const char* fn, int min, int max, size_t strings, Type out, F f) {
    return {min, max,
            [fn, strings, out, f](const Args& a, const BindContext&,
                                  SourcePos pos) -> Result<BoundCall> {
                RETURN_IF_ERROR(CheckArgs(a, fn, strings, pos));
                return RowCall(out, Type::kNull, f);
            }};
}

// -1, 0, 1 comparing the two addresses under the shortest of their masks and the prefix.
std::optional<int> Compare(const Vecs& v, size_t i) {
    auto a = ParseAny(v[0], i);
    auto b = ParseAny(v[1], i);
    if (!a || !b) return std::nullopt;
    int prefix = std::min(a->prefix, b->prefix);
    if (!PrefixArg(v, 2, i, prefix)) return std::nullopt;
    uint32_t x = a->address & Mask(prefix), y = b->address & Mask(prefix);
    return x < y ? -1 : x > y ? 1 : 0;
}

}  // namespace

void AddIpv4Functions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["parse_ipv4"] = IpFunction("parse_ipv4", 1, 1, 1, Type::kLong, [](const Vecs& v, size_t i) {
        auto ip = ParseAny(v[0], i);
        if (!ip) return Value::Null(Type::kLong);
        return Value::Long(static_cast<int64_t>(ip->address & Mask(ip->prefix)));
    });
    r["parse_ipv4_mask"] =
        IpFunction("parse_ipv4_mask", 2, 2, 1, Type::kLong, [](const Vecs& v, size_t i) {
            auto ip = ParseAny(v[0], i);
            int prefix = ip ? ip->prefix : 0;
            if (!ip || !PrefixArg(v, 1, i, prefix)) return Value::Null(Type::kLong);
            return Value::Long(static_cast<int64_t>(ip->address & Mask(prefix)));
        });
    auto format = [](bool suffix) {
        return [suffix](const Vecs& v, size_t i) {
            auto ip = ParseAny(v[0], i);
            int prefix = ip ? ip->prefix : 0;
            if (!ip || !PrefixArg(v, 1, i, prefix)) return Value::String("");
            std::string s = Format(ip->address & Mask(prefix));
            return Value::String(suffix ? s + "/" + std::to_string(prefix) : s);
        };
    };
    // The address may also be a long (format_ipv4's first parameter is any scalar).
    auto any_address = [](const char* fn, int min, int max, auto f) {
        return ScalarFunction{
            min, max,
            [fn, f](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                Type t = a[0]->type;
                if (t != Type::kString && !IsIntegral(t) && t != Type::kNull) {
                    return Status::SemanticError(std::string(fn) +
                                                     "(): argument 1 must be a string or a long, "
                                                     "got " +
                                                     std::string(core::TypeName(t)),
                                                 pos);
                }
                for (size_t k = 1; k < a.size(); ++k) {
                    if (!IsIntegral(a[k]->type) && a[k]->type != Type::kNull) {
                        return Status::SemanticError(
                            std::string(fn) + "(): the prefix must be an integer", pos);
                    }
                }
                return RowCall(Type::kString, Type::kNull, f);
            }};
    };
    r["format_ipv4"] = any_address("format_ipv4", 1, 2, format(false));
    r["format_ipv4_mask"] = any_address("format_ipv4_mask", 2, 2, format(true));
    r["ipv4_compare"] =
        IpFunction("ipv4_compare", 2, 3, 2, Type::kLong, [](const Vecs& v, size_t i) {
            auto c = Compare(v, i);
            return c ? Value::Long(*c) : Value::Null(Type::kLong);
        });
    r["ipv4_is_match"] =
        IpFunction("ipv4_is_match", 2, 3, 2, Type::kBool, [](const Vecs& v, size_t i) {
            auto c = Compare(v, i);
            return c ? Value::Bool(*c == 0) : Value::Null(Type::kBool);
        });
    r["ipv4_is_in_range"] =
        IpFunction("ipv4_is_in_range", 2, 2, 2, Type::kBool, [](const Vecs& v, size_t i) {
            auto c = Compare(v, i);
            return c ? Value::Bool(*c == 0) : Value::Null(Type::kBool);
        });
    r["ipv4_is_private"] =
        IpFunction("ipv4_is_private", 1, 1, 1, Type::kBool, [](const Vecs& v, size_t i) {
            auto ip = ParseAny(v[0], i);
            if (!ip) return Value::Null(Type::kBool);
            uint32_t a = ip->address;
            bool priv = (a & Mask(8)) == 0x0A000000u || (a & Mask(12)) == 0xAC100000u ||
                        (a & Mask(16)) == 0xC0A80000u;
            return Value::Bool(priv);
        });
    r["ipv4_netmask_suffix"] =
        IpFunction("ipv4_netmask_suffix", 1, 1, 1, Type::kLong, [](const Vecs& v, size_t i) {
            auto ip = ParseAny(v[0], i);
            return ip ? Value::Long(ip->prefix) : Value::Null(Type::kLong);
        });
}

}  // namespace calypso::kql::functions
