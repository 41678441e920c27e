#include "kql/functions/operators.h"

#include <re2/re2.h>

#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <unordered_set>

#include "kql/functions/cast.h"
#include "kql/functions/kernel_util.h"

namespace calypso::kql::functions {
namespace {

using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;

enum class Cmp { kEq, kNe, kLt, kLe, kGt, kGe };

template <typename T>
bool Compare(Cmp op, const T& a, const T& b) {
    switch (op) {
        case Cmp::kEq:
            return a == b;
        case Cmp::kNe:
            return !(a == b);
        case Cmp::kLt:
            return a < b;
        case Cmp::kLe:
            return a <= b;
        case Cmp::kGt:
            return a > b;
        case Cmp::kGe:
            return a >= b;
    }
    return false;
}

std::string TypeStr(Type t) { return std::string(core::TypeName(t)); }

// The type both sides of a comparison are converted to, or kNull when the result is
// always false (a bare null on one side).
Result<Type> CompareType(Type l, Type r, SourcePos pos, std::string_view op) {
    if (l == Type::kNull || r == Type::kNull) return Type::kNull;
    if (l == Type::kDynamic && r == Type::kDynamic) return Type::kDynamic;
    if (l == Type::kDynamic || r == Type::kDynamic) {
        Type other = l == Type::kDynamic ? r : l;
        if (IsNumeric(other)) return Type::kReal;
        if (IsStringy(other)) return Type::kString;
        return other;
    }
    if (IsNumeric(l) && IsNumeric(r)) {
        bool real =
            l == Type::kReal || l == Type::kDecimal || r == Type::kReal || r == Type::kDecimal;
        return real ? Type::kReal : Type::kLong;
    }
    if (IsStringy(l) && IsStringy(r)) return Type::kString;
    if (l == r) return l;
    return Status::SemanticError(
        "cannot compare " + TypeStr(l) + " with " + TypeStr(r) + " using '" + std::string(op) + "'",
        pos);
}

// `values[i] op k` for the present rows of a column, the switch on `op` hoisted out of
// the loop.
template <typename T>
Vec CompareWithConstant(Cmp op, std::span<const T> values, std::span<const uint8_t> valid, T k,
                        size_t n) {
    auto loop = [&](auto test) {
        return BoolLoop(n, [&](size_t i) { return valid[i] && test(values[i]); });
    };
    switch (op) {
        case Cmp::kEq:
            return loop([k](T x) { return x == k; });
        case Cmp::kNe:
            return loop([k](T x) { return !(x == k); });
        case Cmp::kLt:
            return loop([k](T x) { return x < k; });
        case Cmp::kLe:
            return loop([k](T x) { return x <= k; });
        case Cmp::kGt:
            return loop([k](T x) { return x > k; });
        case Cmp::kGe:
            return loop([k](T x) { return x >= k; });
    }
    return BoolLoop(n, [](size_t) { return false; });
}

Cmp Flipped(Cmp op) {
    switch (op) {
        case Cmp::kLt:
            return Cmp::kGt;
        case Cmp::kLe:
            return Cmp::kGe;
        case Cmp::kGt:
            return Cmp::kLt;
        case Cmp::kGe:
            return Cmp::kLe;
        default:
            return op;
    }
}

// A column compared with a constant of the same numeric class (either side), or nothing.
std::optional<Vec> CompareColumnWithConstant(Cmp op, const Vec& a, const Vec& b, size_t n) {
    if (a.is_const() == b.is_const()) return std::nullopt;
    const Vec& col = a.is_const() ? b : a;
    const Vec& k = a.is_const() ? a : b;
    if (a.is_const()) op = Flipped(op);
    if (k.IsNull(0)) return BoolLoop(n, [](size_t) { return false; });
    const core::Column& c = col.column();
    if (core::PhysicalOf(c.type()) == core::Physical::kInt64) {
        return CompareWithConstant<int64_t>(op, c.int64s(), c.validity(), k.I64(0), n);
    }
    return CompareWithConstant<double>(op, c.doubles(), c.validity(), k.F64(0), n);
}

Vec CompareKernel(Cmp op, Type domain, const std::vector<Vec>& args, size_t n) {
    if (domain == Type::kNull) return BoolLoop(n, [](size_t) { return false; });
    Vec a = CastVec(args[0], domain, n);
    Vec b = CastVec(args[1], domain, n);
    switch (core::PhysicalOf(domain)) {
        case core::Physical::kInt64:
            if (auto v = CompareColumnWithConstant(op, a, b, n)) return std::move(*v);
            return BoolLoop(n, [&](size_t i) {
                return !a.IsNull(i) && !b.IsNull(i) && Compare(op, a.I64(i), b.I64(i));
            });
        case core::Physical::kDouble:
            if (auto v = CompareColumnWithConstant(op, a, b, n)) return std::move(*v);
            return BoolLoop(n, [&](size_t i) {
                return !a.IsNull(i) && !b.IsNull(i) && Compare(op, a.F64(i), b.F64(i));
            });
        case core::Physical::kString: {
            // A null dynamic (a missing key) compares false, as any null does.
            const Vec& x = args[0];
            const Vec& y = args[1];
            bool xd = x.type() == Type::kDynamic, yd = y.type() == Type::kDynamic;
            if (!xd && !yd && b.is_const()) {
                const std::string k(b.Str(0));
                return StringPredicate(
                    a, n, [&](std::string_view s) { return Compare(op, s, std::string_view(k)); });
            }
            if (!xd && !yd && a.is_const()) {
                const std::string k(a.Str(0));
                return StringPredicate(
                    b, n, [&](std::string_view s) { return Compare(op, std::string_view(k), s); });
            }
            return BoolLoop(n, [&](size_t i) {
                if ((xd && x.Dyn(i).is_null()) || (yd && y.Dyn(i).is_null())) return false;
                return Compare(op, a.Str(i), b.Str(i));
            });
        }
        case core::Physical::kDynamic:
            return BoolLoop(n, [&](size_t i) {
                if (a.Dyn(i).is_null() || b.Dyn(i).is_null()) return false;
                bool eq = a.Dyn(i) == b.Dyn(i);
                return op == Cmp::kEq ? eq : !eq;
            });
        case core::Physical::kNone:
            break;
    }
    return BoolLoop(n, [](size_t) { return false; });
}

// Whole-term search: `needle` (already lower-cased when !cs) must start and end on term
// boundaries wherever it begins/ends with an alphanumeric.
bool FindTerm(std::string_view hay, std::string_view needle, bool need_start, bool need_end) {
    if (needle.empty()) return true;
    size_t pos = 0;
    while ((pos = hay.find(needle, pos)) != std::string_view::npos) {
        bool start_ok =
            !need_start || !IsAlnum(needle.front()) || pos == 0 || !IsAlnum(hay[pos - 1]);
        size_t end = pos + needle.size();
        bool end_ok =
            !need_end || !IsAlnum(needle.back()) || end == hay.size() || !IsAlnum(hay[end]);
        if (start_ok && end_ok) return true;
        ++pos;
    }
    return false;
}

enum class StrOp {
    kContains,
    kHas,
    kHasPrefix,
    kHasSuffix,
    kStartsWith,
    kEndsWith,
    kEqualsCi,
};

bool StringTest(StrOp op, std::string_view h, std::string_view n) {
    switch (op) {
        case StrOp::kContains:
            return h.find(n) != std::string_view::npos;
        case StrOp::kHas:
            return FindTerm(h, n, true, true);
        case StrOp::kHasPrefix:
            return FindTerm(h, n, true, false);
        case StrOp::kHasSuffix:
            return FindTerm(h, n, false, true);
        case StrOp::kStartsWith:
            return h.substr(0, n.size()) == n;
        case StrOp::kEndsWith:
            return h.size() >= n.size() && h.substr(h.size() - n.size()) == n;
        case StrOp::kEqualsCi:
            return h == n;
    }
    return false;
}

Kernel StringKernel(StrOp op, bool cs, bool negate) {
    return [op, cs, negate](const std::vector<Vec>& args, size_t n) {
        Vec a = CastVec(args[0], Type::kString, n);
        Vec b = CastVec(args[1], Type::kString, n);
        std::string hb, nb;
        if (b.is_const()) {
            std::string needle = cs ? std::string(b.Str(0)) : Lower(b.Str(0));
            return StringPredicate(a, n, [&](std::string_view h) {
                if (!cs) {
                    LowerInto(h, hb);
                    h = hb;
                }
                return StringTest(op, h, needle) != negate;
            });
        }
        return BoolLoop(n, [&](size_t i) {
            std::string_view h = a.Str(i);
            std::string_view nd = b.Str(i);
            if (!cs) {
                LowerInto(h, hb);
                LowerInto(nd, nb);
                h = hb;
                nd = nb;
            }
            return StringTest(op, h, nd) != negate;
        });
    };
}

Kernel RegexKernel() {
    return [](const std::vector<Vec>& args, size_t n) {
        Vec a = CastVec(args[0], Type::kString, n);
        Vec b = CastVec(args[1], Type::kString, n);
        std::unique_ptr<RE2> re;
        std::string current;
        return BoolLoop(n, [&](size_t i) {
            if (!re || (!b.is_const() && b.Str(i) != current)) {
                current = std::string(b.Str(i));
                re = std::make_unique<RE2>(current, RE2::Quiet);
            }
            return re->ok() && RE2::PartialMatch(a.Str(i), *re);
        });
    };
}

enum class Arith { kAdd, kSub, kMul, kDiv, kMod };

Vec IntArith(Arith op, Type out, const Vec& a, const Vec& b, size_t n) {
    core::Column c(out);
    c.Reserve(n);
    for (size_t i = 0; i < n; ++i) {
        if (a.IsNull(i) || b.IsNull(i)) {
            c.AppendNull();
            continue;
        }
        int64_t x = a.I64(i), y = b.I64(i), r = 0;
        switch (op) {
            case Arith::kAdd:
                r = static_cast<int64_t>(static_cast<uint64_t>(x) + static_cast<uint64_t>(y));
                break;
            case Arith::kSub:
                r = static_cast<int64_t>(static_cast<uint64_t>(x) - static_cast<uint64_t>(y));
                break;
            case Arith::kMul:
                r = static_cast<int64_t>(static_cast<uint64_t>(x) * static_cast<uint64_t>(y));
                break;
            case Arith::kDiv:
            case Arith::kMod:
                if (y == 0 || (y == -1 && x == INT64_MIN)) {
                    c.AppendNull();
                    continue;
                }
                r = op == Arith::kDiv ? x / y : x % y;
                break;
        }
        c.AppendInt64(r);
    }
    return Vec::Own(std::move(c));
}

Vec RealArith(Arith op, Type out, const Vec& a, const Vec& b, size_t n) {
    core::Column c(out);
    c.Reserve(n);
    for (size_t i = 0; i < n; ++i) {
        if (a.IsNull(i) || b.IsNull(i)) {
            c.AppendNull();
            continue;
        }
        double x = a.F64(i), y = b.F64(i), r = 0;
        switch (op) {
            case Arith::kAdd:
                r = x + y;
                break;
            case Arith::kSub:
                r = x - y;
                break;
            case Arith::kMul:
                r = x * y;
                break;
            case Arith::kDiv:
                r = x / y;
                break;
            case Arith::kMod:
                r = std::fmod(x, y);
                break;
        }
        if (out == Type::kTimespan) {
            if (!std::isfinite(r)) {
                c.AppendNull();
            } else {
                c.AppendInt64(static_cast<int64_t>(std::llround(r)));
            }
        } else {
            c.AppendDouble(r);
        }
    }
    return Vec::Own(std::move(c));
}

bool IsReal(Type t) { return t == Type::kReal || t == Type::kDecimal; }

Result<BoundCall> BindArith(Arith op, std::string_view sym, Type l, Type r, SourcePos pos) {
    if (l == Type::kDynamic) l = Type::kReal;
    if (r == Type::kDynamic) r = Type::kReal;
    if (l == Type::kNull) l = r == Type::kNull ? Type::kLong : r;
    if (r == Type::kNull) r = l;
    Type out = Type::kNull;
    bool real = false;
    if (IsNumeric(l) && IsNumeric(r)) {
        real = IsReal(l) || IsReal(r);
        out = real ? Type::kReal : Type::kLong;
    } else if (l == Type::kDatetime && r == Type::kDatetime && op == Arith::kSub) {
        out = Type::kTimespan;
    } else if (l == Type::kDatetime && r == Type::kTimespan &&
               (op == Arith::kAdd || op == Arith::kSub)) {
        out = Type::kDatetime;
    } else if (l == Type::kTimespan && r == Type::kDatetime && op == Arith::kAdd) {
        out = Type::kDatetime;
    } else if (l == Type::kTimespan && r == Type::kTimespan) {
        if (op == Arith::kDiv) {
            out = Type::kReal;
            real = true;
        } else if (op != Arith::kMul) {
            out = Type::kTimespan;
        }
    } else if (l == Type::kTimespan && IsNumeric(r) && (op == Arith::kMul || op == Arith::kDiv)) {
        out = Type::kTimespan;
        real = IsReal(r) || op == Arith::kDiv;
    } else if (IsNumeric(l) && r == Type::kTimespan && op == Arith::kMul) {
        out = Type::kTimespan;
        real = IsReal(l);
    }
    if (out == Type::kNull) {
        return Status::SemanticError("operator '" + std::string(sym) + "' cannot be applied to " +
                                         TypeStr(l) + " and " + TypeStr(r),
                                     pos);
    }
    Type lt = l, rt = r;
    BoundCall call;
    call.type = out;
    call.kernel = [op, out, real, lt, rt](const std::vector<Vec>& args, size_t n) {
        Vec a = args[0].type() == Type::kDynamic || args[0].type() == Type::kNull
                    ? CastVec(args[0], lt == Type::kTimespan ? lt : Type::kReal, n)
                    : args[0];
        Vec b = args[1].type() == Type::kDynamic || args[1].type() == Type::kNull
                    ? CastVec(args[1], rt == Type::kTimespan ? rt : Type::kReal, n)
                    : args[1];
        return real ? RealArith(op, out, a, b, n) : IntArith(op, out, a, b, n);
    };
    return call;
}

Vec Logical(bool is_and, const std::vector<Vec>& args, size_t n) {
    const Vec& a = args[0];
    const Vec& b = args[1];
    if (!a.is_const() && !b.is_const()) {
        const auto av = a.column().validity(), bv = b.column().validity();
        const auto ax = a.column().int64s(), bx = b.column().int64s();
        if (is_and)
            return BoolLoop(n, [&](size_t i) { return (av[i] && ax[i]) && (bv[i] && bx[i]); });
        return BoolLoop(n, [&](size_t i) { return (av[i] && ax[i]) || (bv[i] && bx[i]); });
    }
    return BoolLoop(n, [&](size_t i) {
        bool x = !a.IsNull(i) && a.I64(i) != 0;
        bool y = !b.IsNull(i) && b.I64(i) != 0;
        return is_and ? (x && y) : (x || y);
    });
}

}  // namespace

Result<BoundCall> BindBinary(std::string_view op, Type l, Type r, SourcePos pos) {
    BoundCall call;
    call.type = Type::kBool;
    if (op == "and" || op == "or") {
        auto ok = [](Type t) {
            return t == Type::kBool || t == Type::kNull || t == Type::kDynamic;
        };
        if (!ok(l) || !ok(r)) {
            return Status::SemanticError("operator '" + std::string(op) +
                                             "' requires bool operands, got " + TypeStr(l) +
                                             " and " + TypeStr(r),
                                         pos);
        }
        bool is_and = op == "and";
        call.kernel = [is_and](const std::vector<Vec>& args, size_t n) {
            std::vector<Vec> b{CastVec(args[0], Type::kBool, n), CastVec(args[1], Type::kBool, n)};
            return Logical(is_and, b, n);
        };
        return call;
    }
    static const std::pair<std::string_view, Cmp> kCmps[] = {
        {"==", Cmp::kEq}, {"!=", Cmp::kNe}, {"<", Cmp::kLt},
        {"<=", Cmp::kLe}, {">", Cmp::kGt},  {">=", Cmp::kGe},
    };
    for (const auto& [sym, cmp] : kCmps) {
        if (op != sym) continue;
        ASSIGN_OR_RETURN(Type domain, CompareType(l, r, pos, op));
        if (domain == Type::kDynamic && cmp != Cmp::kEq && cmp != Cmp::kNe) domain = Type::kReal;
        if (domain == Type::kBool && cmp != Cmp::kEq && cmp != Cmp::kNe) {
            return Status::SemanticError("cannot order bool values with '" + std::string(op) + "'",
                                         pos);
        }
        Cmp c = cmp;
        call.kernel = [c, domain](const std::vector<Vec>& args, size_t n) {
            return CompareKernel(c, domain, args, n);
        };
        return call;
    }
    if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
        Arith a = op == "+"   ? Arith::kAdd
                  : op == "-" ? Arith::kSub
                  : op == "*" ? Arith::kMul
                  : op == "/" ? Arith::kDiv
                              : Arith::kMod;
        return BindArith(a, op, l, r, pos);
    }
    // String operators: any scalar left operand is converted to string.
    if (r == Type::kBool || l == Type::kBool) {
        return Status::SemanticError("operator '" + std::string(op) +
                                         "' requires string operands, got " + TypeStr(l) + " and " +
                                         TypeStr(r),
                                     pos);
    }
    if (op == "matches regex") {
        call.kernel = RegexKernel();
        return call;
    }
    std::string_view name = op;
    bool negate = false;
    if (!name.empty() && name.front() == '!') {
        negate = true;
        name.remove_prefix(1);
    }
    bool cs = false;
    if (name.size() > 3 && name.substr(name.size() - 3) == "_cs") {
        cs = true;
        name.remove_suffix(3);
    }
    StrOp sop;
    if (name == "=~" || name == "~") {
        sop = StrOp::kEqualsCi;
        negate = op == "!~";
    } else if (name == "contains") {
        sop = StrOp::kContains;
    } else if (name == "has") {
        sop = StrOp::kHas;
    } else if (name == "hasprefix") {
        sop = StrOp::kHasPrefix;
    } else if (name == "hassuffix") {
        sop = StrOp::kHasSuffix;
    } else if (name == "startswith") {
        sop = StrOp::kStartsWith;
    } else if (name == "endswith") {
        sop = StrOp::kEndsWith;
    } else {
        return Status::SemanticError("unknown operator '" + std::string(op) + "'", pos);
    }
    call.kernel = StringKernel(sop, cs, negate);
    return call;
}

Result<BoundCall> BindNegate(Type t, SourcePos pos) {
    if (!IsNumeric(t) && t != Type::kTimespan && t != Type::kDynamic && t != Type::kNull) {
        return Status::SemanticError("unary '-' cannot be applied to " + TypeStr(t), pos);
    }
    Type out = t == Type::kDynamic ? Type::kReal : t == Type::kNull ? Type::kLong : t;
    if (out == Type::kInt) out = Type::kInt;
    BoundCall call;
    call.type = out;
    call.kernel = [out](const std::vector<Vec>& args, size_t n) {
        Vec a = CastVec(args[0], out, n);
        core::Column c(out);
        c.Reserve(n);
        bool real = core::PhysicalOf(out) == core::Physical::kDouble;
        for (size_t i = 0; i < n; ++i) {
            if (a.IsNull(i)) {
                c.AppendNull();
            } else if (real) {
                c.AppendDouble(-a.F64(i));
            } else {
                c.AppendInt64(static_cast<int64_t>(0 - static_cast<uint64_t>(a.I64(i))));
            }
        }
        return Vec::Own(std::move(c));
    };
    return call;
}

namespace {

// A set of strings that finds a string_view without building a string.
struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

// `has_any` / `has_all`: whole-term matches (as `has`, case-insensitive) of any / every
// string in the list; array elements count as list items, numbers as their text.
Result<BoundCall> BindHasAnyAll(std::string_view op, Type l, const std::vector<core::Value>& list,
                                SourcePos pos) {
    if (!IsStringy(l) && l != Type::kDynamic && l != Type::kNull) {
        return Status::SemanticError(
            "'" + std::string(op) + "' needs a string on its left, got " + TypeStr(l), pos);
    }
    auto needles = std::make_shared<std::vector<std::string>>();
    for (const auto& v : list) {
        if (v.type() == Type::kDynamic && !v.is_null() &&
            v.as_dynamic().kind() == core::Dynamic::Kind::kArray) {
            for (const auto& e : v.as_dynamic().as_array()) {
                if (!e.is_null()) needles->push_back(Lower(e.ToText()));
            }
        } else if (!v.is_null()) {
            needles->push_back(Lower(CastValue(v, Type::kString).as_string()));
        }
    }
    bool all = op == "has_all";
    BoundCall call;
    call.type = Type::kBool;
    call.kernel = [needles, all](const std::vector<Vec>& args, size_t n) {
        Vec a = CastVec(args[0], Type::kString, n);
        std::string buf;
        return BoolLoop(n, [&](size_t i) {
            LowerInto(a.Str(i), buf);
            if (needles->empty()) return false;
            for (const auto& needle : *needles) {
                bool found = FindTerm(buf, needle, true, true);
                if (found != all) return found;
            }
            return all;
        });
    };
    return call;
}

}  // namespace

Result<BoundCall> BindIn(std::string_view op, Type l, std::vector<core::Value> list,
                         SourcePos pos) {
    if (op == "has_any" || op == "has_all") return BindHasAnyAll(op, l, list, pos);
    bool negate = op.front() == '!';
    bool ci = op.back() == '~';
    std::vector<core::Value> flat;
    for (auto& v : list) {
        if (v.type() == Type::kDynamic && !v.is_null() &&
            v.as_dynamic().kind() == core::Dynamic::Kind::kArray) {
            for (const auto& e : v.as_dynamic().as_array()) {
                switch (e.kind()) {
                    case core::Dynamic::Kind::kLong:
                        flat.push_back(core::Value::Long(e.as_long()));
                        break;
                    case core::Dynamic::Kind::kReal:
                        flat.push_back(core::Value::Real(e.as_real()));
                        break;
                    case core::Dynamic::Kind::kString:
                        flat.push_back(core::Value::String(e.as_string()));
                        break;
                    case core::Dynamic::Kind::kBool:
                        flat.push_back(core::Value::Bool(e.as_bool()));
                        break;
                    default:
                        break;
                }
            }
        } else {
            flat.push_back(std::move(v));
        }
    }
    // The comparison domain: strings for string-ish left sides, numbers otherwise.
    Type domain = l;
    if (l == Type::kDynamic) {
        domain = Type::kString;
        for (const auto& v : flat) {
            if (IsNumeric(v.type())) domain = Type::kReal;
        }
    }
    if (IsNumeric(domain)) {
        domain = Type::kLong;
        for (const auto& v : flat) {
            if (v.type() == Type::kReal || v.type() == Type::kDecimal || l == Type::kReal)
                domain = Type::kReal;
        }
    }
    if (IsStringy(domain)) domain = Type::kString;
    if (domain == Type::kBool) domain = Type::kLong;
    auto strings = std::make_shared<StringSet>();
    auto ints = std::make_shared<std::unordered_set<int64_t>>();
    auto reals = std::make_shared<std::unordered_set<double>>();
    for (const auto& v : flat) {
        if (v.is_null() && !IsStringy(v.type())) continue;
        core::Value c = CastValue(v, domain);
        if (c.is_null() && domain != Type::kString) {
            return Status::SemanticError("'" + std::string(op) + "' list value of type " +
                                             TypeStr(v.type()) + " does not match " + TypeStr(l),
                                         pos);
        }
        if (domain == Type::kString) {
            strings->insert(ci ? Lower(c.as_string()) : c.as_string());
        } else if (domain == Type::kReal) {
            reals->insert(c.as_double());
        } else {
            ints->insert(c.as_int64());
        }
    }
    BoundCall call;
    call.type = Type::kBool;
    call.kernel = [=](const std::vector<Vec>& args, size_t n) {
        Vec a = CastVec(args[0], domain, n);
        std::string buf;
        if (domain == Type::kString) {
            return StringPredicate(a, n, [&](std::string_view s) {
                if (ci) {
                    LowerInto(s, buf);
                    s = buf;
                }
                return (strings->find(s) != strings->end()) != negate;
            });
        }
        return BoolLoop(n, [&](size_t i) {
            bool found;
            if (a.IsNull(i)) {
                return false;
            } else if (domain == Type::kReal) {
                found = reals->count(a.F64(i)) != 0;
            } else {
                found = ints->count(a.I64(i)) != 0;
            }
            return found != negate;
        });
    };
    return call;
}

BoundCall BindMember(std::string key) {
    BoundCall call;
    call.type = Type::kDynamic;
    call.kernel = [key = std::move(key)](const std::vector<Vec>& args, size_t n) {
        const Vec& a = args[0];
        core::Column c(Type::kDynamic);
        c.Reserve(n);
        for (size_t i = 0; i < n; ++i) {
            const core::Dynamic* d = a.Dyn(i).Find(key);
            if (d == nullptr || d->is_null()) {
                c.AppendNull();
            } else {
                c.AppendDynamic(*d);
            }
        }
        return Vec::Own(std::move(c));
    };
    return call;
}

Result<BoundCall> BindIndex(Type base, Type index, SourcePos pos) {
    if (base != Type::kDynamic) {
        return Status::SemanticError("indexing requires a dynamic value, got " + TypeStr(base),
                                     pos);
    }
    if (!IsIntegral(index) && !IsStringy(index) && index != Type::kDynamic) {
        return Status::SemanticError("index must be a long or a string, got " + TypeStr(index),
                                     pos);
    }
    BoundCall call;
    call.type = Type::kDynamic;
    call.kernel = [](const std::vector<Vec>& args, size_t n) {
        const Vec& a = args[0];
        Vec k = args[1];
        bool dyn_string = k.type() == Type::kDynamic && k.is_const() &&
                          k.Dyn(0).kind() == core::Dynamic::Kind::kString;
        if (dyn_string) k = Vec::Const(core::Value::String(k.Dyn(0).as_string()), Type::kString);
        if (!IsStringy(k.type())) k = CastVec(k, Type::kLong, n);
        core::Column c(Type::kDynamic);
        c.Reserve(n);
        bool by_name = IsStringy(k.type());
        for (size_t i = 0; i < n; ++i) {
            const core::Dynamic* d = nullptr;
            if (by_name) {
                d = a.Dyn(i).Find(k.Str(i));
            } else if (!k.IsNull(i)) {
                d = a.Dyn(i).At(k.I64(i));
            }
            if (d == nullptr || d->is_null()) {
                c.AppendNull();
            } else {
                c.AppendDynamic(*d);
            }
        }
        return Vec::Own(std::move(c));
    };
    return call;
}

}  // namespace calypso::kql::functions
