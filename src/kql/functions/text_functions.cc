// Text, encoding and conversion functions: replace_regex, strcat_delim, translate, strrep,
// base64_*, url_encode*, extract_json, tohex, todecimal, gettype, hash.
#include <fmt/format.h>
#include <re2/re2.h>
#include <xxhash.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "kql/functions/base64.h"
#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"
#include "kql/functions/row_kernel.h"

namespace calypso::kql::functions {

namespace {
constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::string Base64Encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    for (size_t i = 0; i < in.size(); i += 3) {
        uint32_t b = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
        if (i + 1 < in.size()) b |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
        if (i + 2 < in.size()) b |= static_cast<unsigned char>(in[i + 2]);
        out += kBase64[(b >> 18) & 63];
        out += kBase64[(b >> 12) & 63];
        out += i + 1 < in.size() ? kBase64[(b >> 6) & 63] : '=';
        out += i + 2 < in.size() ? kBase64[b & 63] : '=';
    }
    return out;
}

// Standard base64 with optional padding; false on any other character.
bool Base64Decode(std::string_view in, std::string& out) {
    while (!in.empty() && in.back() == '=') in.remove_suffix(1);
    out.clear();
    uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        size_t v = kBase64.find(c);
        if (v == std::string_view::npos) return false;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    return bits < 6;
}

bool ValidUtf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > s.size()) return false;
        for (size_t k = 1; k < len; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
        }
        i += len;
    }
    return true;
}

namespace {

using core::Dynamic;
using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using core::Value;
using Args = std::vector<const BoundExpr*>;
using Vecs = std::vector<Vec>;

// .NET's HttpUtility.UrlEncode (what url_encode follows): letters, digits and -_.!*() stay,
// a space is '+' (component form: %20), anything else is %xx with lower-case hex per byte.
std::string UrlEncode(std::string_view s, bool component) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (std::isalnum(c) != 0 && c < 0x80) {
            out += ch;
        } else if (ch == '-' || ch == '_' || ch == '.' || ch == '!' || ch == '*' || ch == '(' ||
                   ch == ')') {
            out += ch;
        } else if (ch == ' ' && !component) {
            out += '+';
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

// UTF-8 code points of `s` (invalid bytes pass as themselves).
std::vector<std::string_view> CodePoints(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        len = std::min(len, s.size() - i);
        out.push_back(s.substr(i, len));
        i += len;
    }
    return out;
}

// A JSONPath of the forms $, $.a.b, $['a'], $[0], $.a[1].b; nullopt when malformed.
std::optional<std::vector<std::variant<std::string, int64_t>>> ParseJsonPath(std::string_view p) {
    std::vector<std::variant<std::string, int64_t>> steps;
    if (p.empty() || p[0] != '$') return std::nullopt;
    size_t i = 1;
    while (i < p.size()) {
        if (p[i] == '.') {
            size_t j = ++i;
            while (j < p.size() && p[j] != '.' && p[j] != '[') ++j;
            if (j == i) return std::nullopt;
            steps.emplace_back(std::string(p.substr(i, j - i)));
            i = j;
        } else if (p[i] == '[') {
            size_t close = p.find(']', i);
            if (close == std::string_view::npos) return std::nullopt;
            std::string_view inner = p.substr(i + 1, close - i - 1);
            if (inner.size() >= 2 && (inner[0] == '\'' || inner[0] == '"') &&
                inner.back() == inner[0]) {
                steps.emplace_back(std::string(inner.substr(1, inner.size() - 2)));
            } else {
                int64_t idx = 0;
                bool neg = !inner.empty() && inner[0] == '-';
                if (neg) inner.remove_prefix(1);
                if (inner.empty()) return std::nullopt;
                for (char c : inner) {
                    if (c < '0' || c > '9') return std::nullopt;
                    idx = idx * 10 + (c - '0');
                }
                steps.emplace_back(neg ? -idx : idx);
            }
            i = close + 1;
        } else {
            return std::nullopt;
        }
    }
    return steps;
}

Result<std::shared_ptr<RE2>> ConstPattern(const BoundExpr& e, std::string_view fn, SourcePos pos) {
    if (e.kind != BoundExpr::Kind::kConst || e.type != Type::kString || e.value.is_null()) {
        return Status::SemanticError(std::string(fn) + "() expects a constant regex", pos);
    }
    auto re = std::make_shared<RE2>(e.value.as_string(), RE2::Quiet);
    if (!re->ok()) return Status::SemanticError("invalid regular expression: " + re->error(), pos);
    return re;
}

// The bytes Kusto's hash() feeds xxhash64 (seed 0): a string's UTF-8 bytes and a
// datetime's .NET ticks (since 0001-01-01) as 8 little-endian bytes, both checked against
// the documented examples; other scalars as their 8-byte value (long, real, timespan),
// which the documentation does not show.
std::optional<uint64_t> HashOf(const Vec& v, size_t i) {
    constexpr int64_t kDotNetEpochTicks = 621'355'968'000'000'000;
    switch (core::PhysicalOf(v.type())) {
        case core::Physical::kString: {
            std::string_view s = v.Str(i);
            return XXH64(s.data(), s.size(), 0);
        }
        case core::Physical::kInt64: {
            if (v.IsNull(i)) return std::nullopt;
            int64_t x = v.I64(i);
            if (v.type() == Type::kDatetime) x += kDotNetEpochTicks;
            return XXH64(&x, sizeof x, 0);
        }
        case core::Physical::kDouble: {
            if (v.IsNull(i)) return std::nullopt;
            double x = v.F64(i);
            return XXH64(&x, sizeof x, 0);
        }
        case core::Physical::kDynamic: {
            const Dynamic& d = v.Dyn(i);
            if (d.is_null()) return std::nullopt;
            std::string s = d.kind() == Dynamic::Kind::kString ? d.as_string() : d.ToJson();
            return XXH64(s.data(), s.size(), 0);
        }
        case core::Physical::kNone:
            break;
    }
    return std::nullopt;
}

std::string GetType(const Vec& v, size_t i) {
    if (v.type() != Type::kDynamic) {
        return v.type() == Type::kNull ? "null" : std::string(core::TypeName(v.type()));
    }
    const Dynamic& d = v.Dyn(i);
    switch (d.kind()) {
        case Dynamic::Kind::kNull:
            return "null";
        case Dynamic::Kind::kBool:
            return "bool";
        case Dynamic::Kind::kLong:
            // JSON numbers that fit 32 bits are ints in Kusto's dynamic values.
            return d.as_long() >= INT32_MIN && d.as_long() <= INT32_MAX ? "int" : "long";
        case Dynamic::Kind::kReal:
            return "real";
        case Dynamic::Kind::kString:
            return "string";
        case Dynamic::Kind::kArray:
            return "array";
        case Dynamic::Kind::kObject:
            return "dictionary";
    }
    return "null";
}

}  // namespace

void AddTextFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["replace_regex"] = {
        3, 3, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            ASSIGN_OR_RETURN(auto re, ConstPattern(*a[1], "replace_regex", pos));
            return RowCall(Type::kString, Type::kString, [re](const Vecs& v, size_t i) {
                std::string s(v[0].Str(i));
                RE2::GlobalReplace(&s, *re, std::string(v[2].Str(i)));
                return Value::String(std::move(s));
            });
        }};
    r["strcat_delim"] = {
        3, 65, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kString, Type::kString, [](const Vecs& v, size_t i) {
                std::string out;
                for (size_t k = 1; k < v.size(); ++k) {
                    if (k > 1) out += v[0].Str(i);
                    out += v[k].Str(i);
                }
                return Value::String(std::move(out));
            });
        }};
    r["translate"] = {
        3, 3, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kString, Type::kString, [](const Vecs& v, size_t i) {
                auto from = CodePoints(v[0].Str(i));
                auto to = CodePoints(v[1].Str(i));
                std::string out;
                for (std::string_view cp : CodePoints(v[2].Str(i))) {
                    auto it = std::find(from.begin(), from.end(), cp);
                    if (it == from.end()) {
                        out += cp;
                        continue;
                    }
                    // Past the end of the replacements the last one repeats; none: deleted.
                    if (to.empty()) continue;
                    auto k = static_cast<size_t>(it - from.begin());
                    out += to[std::min(k, to.size() - 1)];
                }
                return Value::String(std::move(out));
            });
        }};
    r["strrep"] = {
        2, 3, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (!IsIntegral(a[1]->type) && a[1]->type != Type::kNull) {
                return Status::SemanticError("argument 2 of strrep() must be an integer", pos);
            }
            return RowCall(Type::kString, Type::kNull, [](const Vecs& v, size_t i) {
                std::string value(CastValue(v[0].Get(i), Type::kString).as_string());
                if (v[1].IsNull(i)) return Value::String("");
                int64_t times = std::min<int64_t>(v[1].I64(i), 1024);
                std::string delim =
                    v.size() > 2 ? CastValue(v[2].Get(i), Type::kString).as_string() : "";
                std::string out;
                for (int64_t k = 0; k < times; ++k) {
                    if (k > 0) out += delim;
                    out += value;
                }
                return Value::String(std::move(out));
            });
        }};
    r["base64_encode_tostring"] = {
        1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kString, Type::kString, [](const Vecs& v, size_t i) {
                return Value::String(Base64Encode(v[0].Str(i)));
            });
        }};
    r["base64_decode_tostring"] = {
        1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kString, Type::kString, [](const Vecs& v, size_t i) {
                std::string out;
                if (!Base64Decode(v[0].Str(i), out) || !ValidUtf8(out)) return Value::String("");
                return Value::String(std::move(out));
            });
        }};
    r["url_encode"] = {1, 1,
                       [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                           return RowCall(Type::kString, Type::kString, [](const Vecs& v, size_t i) {
                               return Value::String(UrlEncode(v[0].Str(i), false));
                           });
                       }};
    r["url_encode_component"] = {
        1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kString, Type::kString, [](const Vecs& v, size_t i) {
                return Value::String(UrlEncode(v[0].Str(i), true));
            });
        }};
    r["extract_json"] = {
        2, 3, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (a[0]->kind != BoundExpr::Kind::kConst || a[0]->type != Type::kString) {
                return Status::SemanticError("extract_json() expects a constant JSONPath", pos);
            }
            auto path = ParseJsonPath(a[0]->value.as_string());
            if (!path) {
                return Status::SemanticError(
                    "invalid JSONPath '" + a[0]->value.as_string() + "'", a[0]->pos);
            }
            Type out = Type::kString;
            if (a.size() == 3) {
                auto t = a[2]->kind == BoundExpr::Kind::kConst && a[2]->type == Type::kString
                             ? core::ParseTypeName(a[2]->value.as_string())
                             : std::nullopt;
                if (!t) return Status::SemanticError("extract_json() expects typeof(T)", a[2]->pos);
                out = *t;
            }
            auto steps = std::make_shared<std::vector<std::variant<std::string, int64_t>>>(*path);
            return RowCall(out, Type::kNull, [steps, out](const Vecs& v, size_t i) {
                Value text = CastValue(v[1].Get(i), Type::kString);
                auto doc = Dynamic::Parse(text.as_string());
                if (!doc.ok()) return CastValue(Value(), out);
                const Dynamic* d = &*doc;
                for (const auto& s : *steps) {
                    d = std::holds_alternative<std::string>(s) ? d->Find(std::get<std::string>(s))
                                                                : d->At(std::get<int64_t>(s));
                    if (d == nullptr) return CastValue(Value(), out);
                }
                return CastValue(Value::FromDynamic(*d), out);
            });
        }};
    r["extractjson"] = r["extract_json"];
    r["tohex"] = {
        1, 2, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            Type t = a[0]->type;
            if (!IsIntegral(t) && t != Type::kNull && t != Type::kDynamic) {
                return Status::SemanticError("tohex() expects an integer, got " +
                                                 std::string(core::TypeName(t)),
                                             pos);
            }
            bool narrow = t == Type::kInt;
            return RowCall(Type::kString, Type::kNull, [narrow](const Vecs& v, size_t i) {
                Value x = CastValue(v[0].Get(i), Type::kLong);
                if (x.is_null()) return Value::String("");
                auto u = static_cast<uint64_t>(x.as_int64());
                if (narrow) u &= 0xFFFFFFFFu;
                std::string hex = fmt::format("{:x}", u);
                if (v.size() > 1 && !v[1].IsNull(i)) {
                    Value w = CastValue(v[1].Get(i), Type::kLong);
                    auto width = static_cast<size_t>(std::clamp<int64_t>(w.as_int64(), 0, 64));
                    if (hex.size() < width) hex.insert(0, width - hex.size(), '0');
                }
                return Value::String(std::move(hex));
            });
        }};
    r["todecimal"] = {
        1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            BoundCall c;
            c.type = Type::kDecimal;
            c.kernel = [](const Vecs& a, size_t n) { return CastVec(a[0], Type::kDecimal, n); };
            return c;
        }};
    r["gettype"] = {1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                        return RowCall(Type::kString, Type::kNull, [](const Vecs& v, size_t i) {
                            return Value::String(GetType(v[0], i));
                        });
                    }};
    r["hash"] = {
        1, 2, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (a.size() > 1 && !IsIntegral(a[1]->type)) {
                return Status::SemanticError("argument 2 of hash() must be an integer", pos);
            }
            return RowCall(Type::kLong, Type::kNull, [](const Vecs& v, size_t i) {
                auto h = HashOf(v[0], i);
                if (!h) return Value::Null(Type::kLong);
                if (v.size() > 1) {
                    if (v[1].IsNull(i) || v[1].I64(i) <= 0) return Value::Null(Type::kLong);
                    return Value::Long(static_cast<int64_t>(*h % static_cast<uint64_t>(v[1].I64(i))));
                }
                return Value::Long(static_cast<int64_t>(*h));
            });
        }};
    r["hash_xxhash64"] = r["hash"];
}

}  // namespace calypso::kql::functions
