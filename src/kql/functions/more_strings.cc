// Dynamic builders (pack_array, bag_pack, bag_keys) and text functions (extract_all,
// strcat_array, trim, reverse, countof, toguid, url_decode).
#include <re2/re2.h>

#include <memory>
#include <string>

#include "kql/functions/cast.h"
#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"

namespace calypso::kql::functions {
namespace {

using core::Dynamic;
using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using Args = std::vector<const BoundExpr*>;

// A function whose kernel maps the arguments (all cast to `in`, or left as they are when
// `in` is kNull) row by row with f(args, row) -> Value of type `out`.
template <typename F>
BoundCall RowKernel(Type out, Type in, F f) {
    BoundCall c;
    c.type = out;
    c.kernel = [out, in, f](const std::vector<Vec>& a, size_t n) {
        std::vector<Vec> v;
        for (const auto& x : a) v.push_back(in == Type::kNull ? x : CastVec(x, in, n));
        core::Column col(out);
        col.Reserve(n);
        for (size_t i = 0; i < n; ++i) col.Append(f(v, i));
        return Vec::Own(std::move(col));
    };
    return c;
}

Result<std::shared_ptr<RE2>> ConstRegex(const BoundExpr& e, std::string_view fn, SourcePos pos) {
    if (e.kind != BoundExpr::Kind::kConst || e.type != Type::kString) {
        return Status::SemanticError(std::string(fn) + "() expects a constant regex", pos);
    }
    auto re = std::make_shared<RE2>(e.value.as_string(), RE2::Quiet);
    if (!re->ok()) {
        return Status::SemanticError("invalid regular expression: " + re->error(), pos);
    }
    return re;
}

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool IsGuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : HexValue(s[i]) < 0) return false;
    }
    return true;
}

}  // namespace

void AddMoreStringFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["pack_array"] = {
        1, 64, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowKernel(
                Type::kDynamic, Type::kDynamic, [](const std::vector<Vec>& v, size_t i) {
                    Dynamic::Array arr;
                    for (const auto& x : v) arr.push_back(x.Dyn(i));
                    return core::Value::FromDynamic(Dynamic::MakeArray(std::move(arr)));
                });
        }};
    r["bag_pack"] = {
        0, 128, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (a.size() % 2 != 0) {
                return Status::SemanticError(
                    "bag_pack() expects key/value pairs (an even number of "
                    "arguments)",
                    pos);
            }
            for (size_t k = 0; k < a.size(); k += 2) {
                if (!IsStringy(a[k]->type)) {
                    return Status::SemanticError("bag_pack() keys must be strings", pos);
                }
            }
            return RowKernel(
                Type::kDynamic, Type::kDynamic, [](const std::vector<Vec>& v, size_t i) {
                    Dynamic::Object obj;
                    for (size_t k = 0; k + 1 < v.size(); k += 2) {
                        obj.emplace_back(v[k].Dyn(i).ToText(), v[k + 1].Dyn(i));
                    }
                    return core::Value::FromDynamic(Dynamic::MakeObject(std::move(obj)));
                });
        }};
    r["pack"] = r["bag_pack"];
    r["pack_dictionary"] = r["bag_pack"];
    r["bag_keys"] = {
        1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowKernel(
                Type::kDynamic, Type::kDynamic, [](const std::vector<Vec>& v, size_t i) {
                    const Dynamic& d = v[0].Dyn(i);
                    if (d.kind() != Dynamic::Kind::kObject)
                        return core::Value::Null(Type::kDynamic);
                    Dynamic::Array keys;
                    for (const auto& m : d.as_object()) keys.push_back(Dynamic::String(m.first));
                    return core::Value::FromDynamic(Dynamic::MakeArray(std::move(keys)));
                });
        }};
    r["extract_all"] = {
        2, 2, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            ASSIGN_OR_RETURN(auto re, ConstRegex(*a[0], "extract_all", pos));
            int groups = re->NumberOfCapturingGroups();
            if (groups < 1) {
                return Status::SemanticError(
                    "extract_all() needs a regex with at least one capture group", pos);
            }
            BoundCall c;
            c.type = Type::kDynamic;
            c.kernel = [re, groups](const std::vector<Vec>& v, size_t n) {
                Vec s = CastVec(v[1], Type::kString, n);
                core::Column col(Type::kDynamic);
                col.Reserve(n);
                std::vector<re2::StringPiece> m(static_cast<size_t>(groups) + 1);
                for (size_t i = 0; i < n; ++i) {
                    std::string_view text = s.Str(i);
                    re2::StringPiece in(text.data(), text.size());
                    Dynamic::Array all;
                    size_t at = 0;
                    while (at <= text.size() &&
                           re->Match(in, at, text.size(), RE2::UNANCHORED, m.data(), groups + 1)) {
                        Dynamic::Array one;
                        for (int g = 1; g <= groups; ++g) {
                            const auto& h = m[static_cast<size_t>(g)];
                            one.push_back(Dynamic::String(std::string(h.data(), h.size())));
                        }
                        all.push_back(groups == 1 ? one[0] : Dynamic::MakeArray(std::move(one)));
                        size_t end = static_cast<size_t>(m[0].data() - text.data()) + m[0].size();
                        at = m[0].empty() ? end + 1 : end;
                    }
                    if (all.empty()) {
                        col.AppendNull();
                    } else {
                        col.AppendDynamic(Dynamic::MakeArray(std::move(all)));
                    }
                }
                return Vec::Own(std::move(col));
            };
            return c;
        }};
    r["strcat_array"] = {2, 2, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                             return RowKernel(Type::kString, Type::kNull,
                                              [](const std::vector<Vec>& v, size_t i) {
                                                  Vec d = v[0];
                                                  std::string out;
                                                  const Dynamic& arr = d.Dyn(i);
                                                  if (arr.kind() != Dynamic::Kind::kArray)
                                                      return core::Value::String("");
                                                  std::string_view sep = v[1].Str(i);
                                                  bool first = true;
                                                  for (const auto& e : arr.as_array()) {
                                                      if (!first) out += sep;
                                                      first = false;
                                                      if (!e.is_null()) out += e.ToText();
                                                  }
                                                  return core::Value::String(std::move(out));
                                              });
                         }};
    r["trim"] = {2, 2, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                     ASSIGN_OR_RETURN(auto re, ConstRegex(*a[0], "trim", pos));
                     auto lead = std::make_shared<RE2>("^(?:" + re->pattern() + ")+", RE2::Quiet);
                     auto trail = std::make_shared<RE2>("(?:" + re->pattern() + ")+$", RE2::Quiet);
                     return RowKernel(Type::kString, Type::kString,
                                      [lead, trail](const std::vector<Vec>& v, size_t i) {
                                          std::string s(v[1].Str(i));
                                          RE2::Replace(&s, *lead, "");
                                          RE2::Replace(&s, *trail, "");
                                          return core::Value::String(std::move(s));
                                      });
                 }};
    for (bool start : {true, false}) {
        r[start ? "trim_start" : "trim_end"] = {
            2, 2, [start](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                ASSIGN_OR_RETURN(auto re,
                                 ConstRegex(*a[0], start ? "trim_start" : "trim_end", pos));
                auto edge = std::make_shared<RE2>(
                    start ? "^(?:" + re->pattern() + ")+" : "(?:" + re->pattern() + ")+$",
                    RE2::Quiet);
                return RowKernel(Type::kString, Type::kString,
                                 [edge](const std::vector<Vec>& v, size_t i) {
                                     std::string s(v[1].Str(i));
                                     RE2::Replace(&s, *edge, "");
                                     return core::Value::String(std::move(s));
                                 });
            }};
    }
    r["reverse"] = {1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                        return RowKernel(Type::kString, Type::kString,
                                         [](const std::vector<Vec>& v, size_t i) {
                                             std::string s(v[0].Str(i));
                                             std::reverse(s.begin(), s.end());
                                             return core::Value::String(std::move(s));
                                         });
                    }};
    r["countof"] = {
        2, 3, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            bool regex = false;
            if (a.size() == 3) {
                if (a[2]->kind != BoundExpr::Kind::kConst || a[2]->type != Type::kString ||
                    (a[2]->value.as_string() != "normal" && a[2]->value.as_string() != "regex")) {
                    return Status::SemanticError("countof() kind must be 'normal' or 'regex'", pos);
                }
                regex = a[2]->value.as_string() == "regex";
            }
            std::shared_ptr<RE2> re;
            if (regex) {
                ASSIGN_OR_RETURN(re, ConstRegex(*a[1], "countof", pos));
            }
            return RowKernel(Type::kLong, Type::kString, [re](const std::vector<Vec>& v, size_t i) {
                std::string_view text = v[0].Str(i);
                int64_t count = 0;
                if (re) {
                    re2::StringPiece in(text.data(), text.size());
                    re2::StringPiece m;
                    size_t at = 0;
                    while (at <= text.size() &&
                           re->Match(in, at, text.size(), RE2::UNANCHORED, &m, 1)) {
                        ++count;
                        size_t end = static_cast<size_t>(m.data() - text.data()) + m.size();
                        at = m.empty() ? end + 1 : end;
                    }
                } else {
                    // Overlapping matches count ("aa" in "aaa" is 2).
                    std::string_view needle = v[1].Str(i);
                    if (needle.empty()) return core::Value::Long(0);
                    for (size_t p = text.find(needle); p != std::string_view::npos;
                         p = text.find(needle, p + 1)) {
                        ++count;
                    }
                }
                return core::Value::Long(count);
            });
        }};
    r["toguid"] = {1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                       return RowKernel(Type::kGuid, Type::kString,
                                        [](const std::vector<Vec>& v, size_t i) {
                                            std::string_view s = v[0].Str(i);
                                            if (!IsGuid(s)) return core::Value::Null(Type::kGuid);
                                            return core::Value::Guid(Lower(s));
                                        });
                   }};
    r["url_decode"] = {
        1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowKernel(Type::kString, Type::kString, [](const std::vector<Vec>& v, size_t i) {
                std::string_view s = v[0].Str(i);
                std::string out;
                for (size_t k = 0; k < s.size(); ++k) {
                    if (s[k] == '%' && k + 2 < s.size() + 0 && HexValue(s[k + 1]) >= 0 &&
                        HexValue(s[k + 2]) >= 0) {
                        out += static_cast<char>(HexValue(s[k + 1]) * 16 + HexValue(s[k + 2]));
                        k += 2;
                    } else if (s[k] == '+') {
                        out += ' ';
                    } else {
                        out += s[k];
                    }
                }
                return core::Value::String(std::move(out));
            });
        }};
}

}  // namespace calypso::kql::functions
