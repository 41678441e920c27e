// parse_url, parse_urlquery, parse_csv, has_any_index, bag_zip,
// unicode_codepoints_from_string, unicode_codepoints_to_string.
#include <string>
#include <utility>

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

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// %xx and '+' decoded.
std::string Decode(std::string_view s) {
    std::string out;
    for (size_t k = 0; k < s.size(); ++k) {
        if (s[k] == '%' && k + 2 < s.size() + 0 && HexDigit(s[k + 1]) >= 0 &&
            HexDigit(s[k + 2]) >= 0) {
            out += static_cast<char>(HexDigit(s[k + 1]) * 16 + HexDigit(s[k + 2]));
            k += 2;
        } else {
            out += s[k] == '+' ? ' ' : s[k];
        }
    }
    return out;
}

// "k1=v1&k2=v2" as a bag (a later duplicate key replaces the earlier value).
Dynamic QueryBag(std::string_view q) {
    Dynamic::Object out;
    while (!q.empty()) {
        size_t amp = q.find('&');
        std::string_view pair = q.substr(0, amp);
        q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
        if (pair.empty()) continue;
        size_t eq = pair.find('=');
        std::string key = Decode(pair.substr(0, eq));
        std::string value = eq == std::string_view::npos ? "" : Decode(pair.substr(eq + 1));
        bool replaced = false;
        for (auto& [k, v] : out) {
            if (k == key) {
                v = Dynamic::String(value);
                replaced = true;
            }
        }
        if (!replaced) out.emplace_back(std::move(key), Dynamic::String(std::move(value)));
    }
    return Dynamic::MakeObject(std::move(out));
}

// scheme://[user[:password]@]host[:port][/path][?query][#fragment]; not an absolute URL:
// an empty bag.
Dynamic ParseUrl(std::string_view url) {
    size_t sep = url.find("://");
    if (sep == std::string_view::npos || sep == 0) return Dynamic::MakeObject({});
    std::string_view scheme = url.substr(0, sep), rest = url.substr(sep + 3);
    std::string_view fragment, query;
    if (size_t h = rest.find('#'); h != std::string_view::npos) {
        fragment = rest.substr(h + 1);
        rest = rest.substr(0, h);
    }
    if (size_t q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    // The docs' example shows the path without its leading '/'.
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    std::string_view user, password;
    if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
        std::string_view info = authority.substr(0, at);
        authority = authority.substr(at + 1);
        size_t colon = info.find(':');
        user = info.substr(0, colon);
        if (colon != std::string_view::npos) password = info.substr(colon + 1);
    }
    std::string_view host = authority, port;
    size_t colon = authority.rfind(':');
    size_t bracket = authority.rfind(']');
    if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    Dynamic::Object o;
    auto text = [&o](const char* k, std::string_view v) {
        o.emplace_back(k, Dynamic::String(std::string(v)));
    };
    text("Scheme", scheme);
    text("Host", host);
    text("Port", port);
    text("Path", path);
    text("Username", user);
    text("Password", password);
    o.emplace_back("Query Parameters", QueryBag(query));
    text("Fragment", fragment);
    return Dynamic::MakeObject(std::move(o));
}

// The first record of a CSV text: fields split at commas, "..." quoting with "" for a quote.
Dynamic ParseCsv(std::string_view s) {
    Dynamic::Array out;
    std::string field;
    bool quoted = false;
    size_t k = 0;
    for (; k < s.size(); ++k) {
        char c = s[k];
        if (quoted) {
            if (c == '"' && k + 1 < s.size() && s[k + 1] == '"') {
                field += '"';
                ++k;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(Dynamic::String(std::move(field)));
            field.clear();
        } else if (c == '\n' || c == '\r') {
            break;
        } else {
            field += c;
        }
    }
    out.push_back(Dynamic::String(std::move(field)));
    return Dynamic::MakeArray(std::move(out));
}

// `has` for one needle: a case-insensitive match that starts and ends at term boundaries.
bool HasTerm(const std::string& lower_text, std::string_view needle) {
    std::string n = Lower(needle);
    if (n.empty()) return false;
    for (size_t at = lower_text.find(n); at != std::string::npos; at = lower_text.find(n, at + 1)) {
        bool start = at == 0 || !IsAlnum(lower_text[at - 1]) || !IsAlnum(n.front());
        size_t end = at + n.size();
        bool stop = end == lower_text.size() || !IsAlnum(lower_text[end]) || !IsAlnum(n.back());
        if (start && stop) return true;
    }
    return false;
}

void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

ScalarFunction TextToDynamic(Dynamic (*f)(std::string_view)) {
    return {1, 1, [f](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                return RowCall(Type::kDynamic, Type::kString, [f](const Vecs& v, size_t i) {
                    return Value::FromDynamic(f(v[0].Str(i)));
                });
            }};
}

}  // namespace

void AddUrlTextFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["parse_url"] = TextToDynamic(ParseUrl);
    r["parseurl"] = r["parse_url"];
    r["parse_urlquery"] = TextToDynamic([](std::string_view q) {
        if (!q.empty() && q.front() == '?') q.remove_prefix(1);
        Dynamic::Object o;
        o.emplace_back("Query Parameters", QueryBag(q));
        return Dynamic::MakeObject(std::move(o));
    });
    r["parseurlquery"] = r["parse_urlquery"];
    r["parse_csv"] = TextToDynamic(ParseCsv);
    // The index of the first lookup element the text `has` (elements converted to text;
    // -1 when none).
    r["has_any_index"] = {
        2, 2, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (a[1]->type != Type::kDynamic) {
                return Status::SemanticError("has_any_index() expects a dynamic array of lookups",
                                             pos);
            }
            return RowCall(Type::kLong, Type::kNull, [](const Vecs& v, size_t i) {
                const Dynamic& list = v[1].Dyn(i);
                if (list.kind() != Dynamic::Kind::kArray) return Value::Null(Type::kLong);
                std::string text = Lower(CastValue(v[0].Get(i), Type::kString).as_string());
                const auto& xs = list.as_array();
                for (size_t k = 0; k < xs.size(); ++k) {
                    if (xs[k].is_null()) continue;
                    if (HasTerm(text, xs[k].ToText())) return Value::Long(static_cast<int64_t>(k));
                }
                return Value::Long(-1);
            });
        }};
    // The docs' rules: non-string keys are skipped (their values too), missing values are
    // null, extra values are ignored; keys not an array: null.
    r["bag_zip"] = {2, 2, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                        return RowCall(Type::kDynamic, Type::kDynamic, [](const Vecs& v, size_t i) {
                            const Dynamic& keys = v[0].Dyn(i);
                            const Dynamic& values = v[1].Dyn(i);
                            if (keys.kind() != Dynamic::Kind::kArray) {
                                return Value::Null(Type::kDynamic);
                            }
                            Dynamic::Object o;
                            const auto& ks = keys.as_array();
                            for (size_t k = 0; k < ks.size(); ++k) {
                                if (ks[k].kind() != Dynamic::Kind::kString) continue;
                                const Dynamic* val = values.kind() == Dynamic::Kind::kArray
                                                         ? values.At(static_cast<int64_t>(k))
                                                         : nullptr;
                                o.emplace_back(ks[k].as_string(), val ? *val : Dynamic());
                            }
                            return Value::FromDynamic(Dynamic::MakeObject(std::move(o)));
                        });
                    }};
    r["unicode_codepoints_from_string"] = TextToDynamic([](std::string_view s) {
        Dynamic::Array out;
        for (size_t k = 0; k < s.size();) {
            auto c = static_cast<unsigned char>(s[k]);
            size_t len = c < 0x80         ? 1
                         : (c >> 5) == 6  ? 2
                         : (c >> 4) == 14 ? 3
                         : (c >> 3) == 30 ? 4
                                          : 1;
            uint32_t cp = len == 1 ? c : c & (0xFF >> (len + 1));
            for (size_t j = 1; j < len && k + j < s.size(); ++j) {
                cp = (cp << 6) | (static_cast<unsigned char>(s[k + j]) & 0x3F);
            }
            out.push_back(Dynamic::Long(cp));
            k += len;
        }
        return Dynamic::MakeArray(std::move(out));
    });
    // Code points outside Unicode (or not numbers) give null.
    r["unicode_codepoints_to_string"] = {
        1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kString, Type::kDynamic, [](const Vecs& v, size_t i) {
                const Dynamic& d = v[0].Dyn(i);
                if (d.kind() != Dynamic::Kind::kArray) return Value::String("");
                std::string out;
                for (const auto& e : d.as_array()) {
                    if (e.kind() != Dynamic::Kind::kLong || e.as_long() < 0 ||
                        e.as_long() > 0x10FFFF) {
                        return Value::String("");
                    }
                    AppendUtf8(out, static_cast<uint32_t>(e.as_long()));
                }
                return Value::String(std::move(out));
            });
        }};
}

}  // namespace calypso::kql::functions
