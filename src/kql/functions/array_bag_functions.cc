// Array and bag functions that rearrange or edit a dynamic value: array_reverse,
// array_rotate_left/right, array_shift_left/right, bag_set_key, bag_has_key; and the string
// functions string_size and replace_strings.
#include <algorithm>
#include <string>
#include <tuple>

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

Value NullDyn() { return Value::Null(Type::kDynamic); }

// A value as a dynamic element (a null of any type is JSON null).
Dynamic AsDynamic(const Value& v) {
    Value d = CastValue(v, Type::kDynamic);
    return d.is_null() ? Dynamic() : d.as_dynamic();
}

std::string Text(const Vec& v, size_t i) { return CastValue(v.Get(i), Type::kString).as_string(); }

Status ExpectIntegral(const Args& a, size_t k, const char* fn, SourcePos pos) {
    if (IsIntegral(a[k]->type) || a[k]->type == Type::kNull) return Status::Ok();
    return Status::SemanticError(std::string(fn) + "(): argument " + std::to_string(k + 1) +
                                     " must be an integer, got " +
                                     std::string(core::TypeName(a[k]->type)),
                                 pos);
}

// The array of row i of `v` (a dynamic, or any value converted to one); null otherwise.
const Dynamic* ArrayAt(const Vec& v, size_t i) {
    if (v.type() != Type::kDynamic) return nullptr;
    const Dynamic& d = v.Dyn(i);
    return d.kind() == Dynamic::Kind::kArray ? &d : nullptr;
}

// Rotation by `count` to the left (negative: to the right).
ScalarFunction Rotate(const char* name, int direction) {
    return {
        2, 2,
        [name, direction](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            RETURN_IF_ERROR(ExpectIntegral(a, 1, name, pos));
            return RowCall(Type::kDynamic, Type::kNull, [direction](const Vecs& v, size_t i) {
                const Dynamic* d = ArrayAt(v[0], i);
                if (d == nullptr || v[1].IsNull(i)) return NullDyn();
                const auto& xs = d->as_array();
                auto n = static_cast<int64_t>(xs.size());
                if (n == 0) return Value::FromDynamic(*d);
                int64_t shift = ((v[1].I64(i) * direction) % n + n) % n;
                Dynamic::Array out;
                out.reserve(xs.size());
                for (int64_t k = 0; k < n; ++k)
                    out.push_back(xs[static_cast<size_t>((k + shift) % n)]);
                return Value::FromDynamic(Dynamic::MakeArray(std::move(out)));
            });
        }};
}

// Shift by `count` to the left (negative: to the right); vacated slots take the third
// argument, or null when it is not given.
ScalarFunction Shift(const char* name, int direction) {
    return {
        2, 3,
        [name, direction](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            RETURN_IF_ERROR(ExpectIntegral(a, 1, name, pos));
            return RowCall(Type::kDynamic, Type::kNull, [direction](const Vecs& v, size_t i) {
                const Dynamic* d = ArrayAt(v[0], i);
                if (d == nullptr || v[1].IsNull(i)) return NullDyn();
                Dynamic fill;
                if (v.size() > 2) fill = AsDynamic(v[2].Get(i));
                const auto& xs = d->as_array();
                auto n = static_cast<int64_t>(xs.size());
                int64_t shift = v[1].I64(i) * direction;
                Dynamic::Array out;
                out.reserve(xs.size());
                for (int64_t k = 0; k < n; ++k) {
                    int64_t from = k + shift;
                    out.push_back(from >= 0 && from < n ? xs[static_cast<size_t>(from)] : fill);
                }
                return Value::FromDynamic(Dynamic::MakeArray(std::move(out)));
            });
        }};
}

// A key of bag_set_key / bag_has_key: a root key `a`, or a JSONPath `$.a.b` / `$['a']['b']`.
// Empty when the path is malformed, uses an array index or is the root itself.
std::vector<std::string> KeyPath(std::string_view p) {
    if (p.empty() || p[0] != '$') return {std::string(p)};
    std::vector<std::string> parts;
    size_t at = 1;
    while (at < p.size()) {
        if (p[at] == '.') {
            size_t end = p.find_first_of(".[", at + 1);
            if (end == std::string_view::npos) end = p.size();
            if (end == at + 1) return {};
            parts.emplace_back(p.substr(at + 1, end - at - 1));
            at = end;
        } else if (p.compare(at, 2, "['") == 0 || p.compare(at, 2, "[\"") == 0) {
            char quote = p[at + 1];
            size_t end = p.find(std::string{quote, ']'}, at + 2);
            if (end == std::string_view::npos) return {};
            parts.emplace_back(p.substr(at + 2, end - at - 2));
            at = end + 2;
        } else {
            return {};
        }
    }
    return parts;
}

// `bag` with the value at `path[depth..]` set (missing levels created as bags; a level that
// is not a bag is replaced by one).
Dynamic SetAt(const Dynamic& bag, const std::vector<std::string>& path, size_t depth,
              const Dynamic& value) {
    Dynamic::Object out;
    if (bag.kind() == Dynamic::Kind::kObject) out = bag.as_object();
    const std::string& key = path[depth];
    for (auto& [k, v] : out) {
        if (k != key) continue;
        v = depth + 1 == path.size() ? value : SetAt(v, path, depth + 1, value);
        return Dynamic::MakeObject(std::move(out));
    }
    out.emplace_back(key,
                     depth + 1 == path.size() ? value : SetAt(Dynamic(), path, depth + 1, value));
    return Dynamic::MakeObject(std::move(out));
}

Status ExpectDynamic(const Args& a, const char* fn, SourcePos pos) {
    if (a[0]->type == Type::kDynamic || a[0]->type == Type::kNull) return Status::Ok();
    return Status::SemanticError(std::string(fn) + "(): argument 1 must be a dynamic bag, got " +
                                     std::string(core::TypeName(a[0]->type)),
                                 pos);
}

}  // namespace

void AddArrayBagFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["array_reverse"] = {
        1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
            return RowCall(Type::kDynamic, Type::kNull, [](const Vecs& v, size_t i) {
                const Dynamic* d = ArrayAt(v[0], i);
                if (d == nullptr) return NullDyn();
                Dynamic::Array out(d->as_array().rbegin(), d->as_array().rend());
                return Value::FromDynamic(Dynamic::MakeArray(std::move(out)));
            });
        }};
    r["array_rotate_left"] = Rotate("array_rotate_left", 1);
    r["array_rotate_right"] = Rotate("array_rotate_right", -1);
    r["array_shift_left"] = Shift("array_shift_left", 1);
    r["array_shift_right"] = Shift("array_shift_right", -1);

    r["bag_set_key"] = {
        3, 3, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            RETURN_IF_ERROR(ExpectDynamic(a, "bag_set_key", pos));
            return RowCall(Type::kDynamic, Type::kNull, [](const Vecs& v, size_t i) {
                if (v[0].type() != Type::kDynamic) return NullDyn();
                const Dynamic& bag = v[0].Dyn(i);
                if (bag.kind() != Dynamic::Kind::kObject) return NullDyn();
                std::vector<std::string> path = KeyPath(Text(v[1], i));
                if (path.empty()) return NullDyn();
                Dynamic value = AsDynamic(v[2].Get(i));
                return Value::FromDynamic(SetAt(bag, path, 0, value));
            });
        }};
    r["bag_has_key"] = {2, 2,
                        [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                            RETURN_IF_ERROR(ExpectDynamic(a, "bag_has_key", pos));
                            return RowCall(Type::kBool, Type::kNull, [](const Vecs& v, size_t i) {
                                if (v[0].type() != Type::kDynamic) return Value::Null(Type::kBool);
                                const Dynamic* d = &v[0].Dyn(i);
                                if (d->kind() != Dynamic::Kind::kObject)
                                    return Value::Null(Type::kBool);
                                std::vector<std::string> path = KeyPath(Text(v[1], i));
                                if (path.empty()) return Value::Bool(false);
                                for (const auto& key : path) {
                                    d = d->Find(key);
                                    if (d == nullptr) return Value::Bool(false);
                                }
                                return Value::Bool(true);
                            });
                        }};

    // The UTF-8 byte count (strlen counts characters).
    r["string_size"] = {1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                            return RowCall(Type::kLong, Type::kString, [](const Vecs& v, size_t i) {
                                return Value::Long(static_cast<int64_t>(v[0].Str(i).size()));
                            });
                        }};
    // The docs' precedence: lookups are applied in list order, each to the text positions no
    // earlier lookup matched (its matches taken left to right, never overlapping), then every
    // match is replaced at once; a non-string rewrite keeps its matched text.
    r["replace_strings"] = {
        3, 3, [](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (a[1]->type != Type::kDynamic || a[2]->type != Type::kDynamic) {
                return Status::SemanticError(
                    "replace_strings() expects a string and two dynamic arrays", pos);
            }
            return RowCall(Type::kString, Type::kNull, [](const Vecs& v, size_t i) {
                std::string text = Text(v[0], i);
                const Dynamic& lookups = v[1].Dyn(i);
                const Dynamic& rewrites = v[2].Dyn(i);
                if (lookups.kind() != Dynamic::Kind::kArray) return Value::String(std::move(text));
                std::vector<uint8_t> taken(text.size(), 0);
                // (start, length, rewrite or null) per match.
                std::vector<std::tuple<size_t, size_t, const Dynamic*>> matches;
                const auto& ls = lookups.as_array();
                for (size_t k = 0; k < ls.size(); ++k) {
                    if (ls[k].kind() != Dynamic::Kind::kString || ls[k].as_string().empty())
                        continue;
                    const std::string& needle = ls[k].as_string();
                    const Dynamic* w = rewrites.kind() == Dynamic::Kind::kArray
                                           ? rewrites.At(static_cast<int64_t>(k))
                                           : nullptr;
                    for (size_t at = text.find(needle); at != std::string::npos;) {
                        bool free = true;
                        for (size_t c = at; c < at + needle.size() && free; ++c) free = !taken[c];
                        if (!free) {
                            at = text.find(needle, at + 1);
                            continue;
                        }
                        std::fill(taken.begin() + static_cast<std::ptrdiff_t>(at),
                                  taken.begin() + static_cast<std::ptrdiff_t>(at + needle.size()),
                                  1);
                        matches.emplace_back(at, needle.size(), w);
                        at = text.find(needle, at + needle.size());
                    }
                }
                std::sort(matches.begin(), matches.end());
                std::string out;
                size_t at = 0;
                for (const auto& [start, len, w] : matches) {
                    out.append(text, at, start - at);
                    bool rewrite = w != nullptr && w->kind() == Dynamic::Kind::kString;
                    out += rewrite ? w->as_string() : text.substr(start, len);
                    at = start + len;
                }
                out.append(text, at, std::string::npos);
                return Value::String(std::move(out));
            });
        }};
}

}  // namespace calypso::kql::functions
