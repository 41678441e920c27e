// Bitwise functions (binary_and, binary_or, binary_xor, binary_not, binary_shift_left,
// binary_shift_right, bitset_count_ones), bin_at, isascii, isutf8 and new_guid.
#include <bit>
#include <cmath>
#include <random>

#include "kql/functions/base64.h"
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

Status NeedIntegers(const Args& a, const char* fn, SourcePos pos) {
    for (size_t k = 0; k < a.size(); ++k) {
        if (!IsIntegral(a[k]->type) && a[k]->type != Type::kNull) {
            return Status::SemanticError(std::string(fn) + "(): argument " + std::to_string(k + 1) +
                                             " must be an integer, got " +
                                             std::string(core::TypeName(a[k]->type)),
                                         pos);
        }
    }
    return Status::Ok();
}

// A long function of long arguments; a null argument gives null.
template <typename F>
ScalarFunction Bits(const char* fn, int n, F f) {
    return {n, n, [fn, f](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
                RETURN_IF_ERROR(NeedIntegers(a, fn, pos));
                return RowCall(Type::kLong, Type::kLong, [f](const Vecs& v, size_t i) {
                    for (const auto& x : v) {
                        if (x.IsNull(i)) return Value::Null(Type::kLong);
                    }
                    return Value::Long(f(v, i));
                });
            }};
}

// As .NET's long shifts (what Kusto evaluates): the count is taken modulo 64.
int64_t ShiftLeft(int64_t x, int64_t n) {
    return static_cast<int64_t>(static_cast<uint64_t>(x) << (n & 63));
}

// bin_at(value, size, fixed): fixed + floor((value - fixed) / size) * size.
Result<BoundCall> BindBinAt(const Args& a, const BindContext&, SourcePos pos) {
    Type v = a[0]->type, s = a[1]->type, f = a[2]->type;
    bool temporal =
        (v == Type::kDatetime || v == Type::kTimespan) && s == Type::kTimespan && f == v;
    bool numeric = IsNumeric(v) && IsNumeric(s) && IsNumeric(f);
    if (!temporal && !numeric) {
        return Status::SemanticError(
            "bin_at() expects a number, datetime or timespan value, a bin size and a fixed point "
            "of the value's type",
            pos);
    }
    if (temporal || (core::PhysicalOf(v) == core::Physical::kInt64 &&
                     core::PhysicalOf(s) == core::Physical::kInt64 &&
                     core::PhysicalOf(f) == core::Physical::kInt64)) {
        Type out = temporal ? v : Type::kLong;
        return RowCall(out, Type::kNull, [out](const Vecs& x, size_t i) {
            if (x[0].IsNull(i) || x[1].IsNull(i) || x[2].IsNull(i) || x[1].I64(i) <= 0) {
                return Value::Null(out);
            }
            int64_t size = x[1].I64(i), fixed = x[2].I64(i), d = x[0].I64(i) - fixed;
            int64_t q = d / size - (d % size < 0 ? 1 : 0);
            int64_t r = fixed + q * size;
            return out == Type::kLong       ? Value::Long(r)
                   : out == Type::kDatetime ? Value::Datetime(r)
                                            : Value::Timespan(r);
        });
    }
    return RowCall(Type::kReal, Type::kReal, [](const Vecs& x, size_t i) {
        if (x[0].IsNull(i) || x[1].IsNull(i) || x[2].IsNull(i) || !(x[1].F64(i) > 0)) {
            return Value::Null(Type::kReal);
        }
        double size = x[1].F64(i), fixed = x[2].F64(i);
        return Value::Real(fixed + std::floor((x[0].F64(i) - fixed) / size) * size);
    });
}

}  // namespace

void AddBitFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["binary_and"] =
        Bits("binary_and", 2, [](const Vecs& v, size_t i) { return v[0].I64(i) & v[1].I64(i); });
    r["binary_or"] =
        Bits("binary_or", 2, [](const Vecs& v, size_t i) { return v[0].I64(i) | v[1].I64(i); });
    r["binary_xor"] =
        Bits("binary_xor", 2, [](const Vecs& v, size_t i) { return v[0].I64(i) ^ v[1].I64(i); });
    r["binary_not"] = Bits("binary_not", 1, [](const Vecs& v, size_t i) { return ~v[0].I64(i); });
    r["binary_shift_left"] = Bits("binary_shift_left", 2, [](const Vecs& v, size_t i) {
        return ShiftLeft(v[0].I64(i), v[1].I64(i));
    });
    // An arithmetic shift, as .NET's >> on a long.
    r["binary_shift_right"] = Bits("binary_shift_right", 2, [](const Vecs& v, size_t i) {
        return v[0].I64(i) >> (v[1].I64(i) & 63);
    });
    r["bitset_count_ones"] = Bits("bitset_count_ones", 1, [](const Vecs& v, size_t i) {
        return static_cast<int64_t>(std::popcount(static_cast<uint64_t>(v[0].I64(i))));
    });
    r["bin_at"] = {3, 3, BindBinAt};
    r["isascii"] = {1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                        return RowCall(Type::kBool, Type::kString, [](const Vecs& v, size_t i) {
                            for (char c : v[0].Str(i)) {
                                if (static_cast<unsigned char>(c) >= 0x80)
                                    return Value::Bool(false);
                            }
                            return Value::Bool(true);
                        });
                    }};
    r["isutf8"] = {1, 1, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                       return RowCall(Type::kBool, Type::kString, [](const Vecs& v, size_t i) {
                           return Value::Bool(ValidUtf8(v[0].Str(i)));
                       });
                   }};
    // A random (version 4) guid per row.
    r["new_guid"] = {0, 0, [](const Args&, const BindContext&, SourcePos) -> Result<BoundCall> {
                         BoundCall c;
                         c.type = Type::kGuid;
                         c.kernel = [](const std::vector<Vec>&, size_t n) {
                             thread_local std::mt19937_64 rng{std::random_device{}()};
                             static constexpr char kHex[] = "0123456789abcdef";
                             core::Column col(Type::kGuid);
                             col.Reserve(n);
                             for (size_t i = 0; i < n; ++i) {
                                 uint64_t hi = rng(), lo = rng();
                                 hi = (hi & ~0xF000ULL) | 0x4000ULL;
                                 lo = (lo & ~(3ULL << 62)) | (2ULL << 62);
                                 std::string s;
                                 for (int k = 0; k < 32; ++k) {
                                     uint64_t w = k < 16 ? hi : lo;
                                     s += kHex[(w >> (60 - 4 * (k % 16))) & 15];
                                     if (k == 7 || k == 11 || k == 15 || k == 19) s += '-';
                                 }
                                 col.AppendString(s);
                             }
                             return Vec::Own(std::move(col));
                         };
                         return c;
                     }};
}

}  // namespace calypso::kql::functions
