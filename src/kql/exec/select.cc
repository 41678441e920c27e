#include "kql/exec/select.h"

#include <string_view>
#include <utility>

#include "kql/exec/evaluate.h"
#include "kql/functions/cast.h"

namespace calypso::kql {

namespace {

using core::Type;

enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };

bool OpOf(std::string_view f, Op& op) {
    static constexpr std::pair<std::string_view, Op> kOps[] = {
        {"==", Op::kEq}, {"!=", Op::kNe}, {"<", Op::kLt},
        {"<=", Op::kLe}, {">", Op::kGt},  {">=", Op::kGe},
    };
    for (const auto& [name, o] : kOps) {
        if (f == name) {
            op = o;
            return true;
        }
    }
    return false;
}

Op Flip(Op op) {
    switch (op) {
        case Op::kLt:
            return Op::kGt;
        case Op::kLe:
            return Op::kGe;
        case Op::kGt:
            return Op::kLt;
        case Op::kGe:
            return Op::kLe;
        default:
            return op;
    }
}

bool IsInteger(Type t) { return t == Type::kInt || t == Type::kLong; }

// Types whose comparison is one of their int64 values, as the comparison kernel does it:
// integers with integers, and datetime, timespan or bool with their own type.
bool ComparedAsInt64(Type column, Type constant) {
    if (IsInteger(column) && IsInteger(constant)) return true;
    return column == constant &&
           (column == Type::kDatetime || column == Type::kTimespan || column == Type::kBool);
}

struct IntTest {
    const core::Column* column = nullptr;
    Op op = Op::kEq;
    int64_t k = 0;
};

// `e` as an integer column compared with a non-null constant, either way round.
bool AsIntTest(const BoundExpr& e, const core::Batch& b, IntTest& t) {
    if (e.kind != BoundExpr::Kind::kCall || e.args.size() != 2 || !OpOf(e.function, t.op)) {
        return false;
    }
    const BoundExpr* col = e.args[0].get();
    const BoundExpr* con = e.args[1].get();
    if (col->kind == BoundExpr::Kind::kConst) {
        std::swap(col, con);
        t.op = Flip(t.op);
    }
    if (col->kind != BoundExpr::Kind::kColumn || con->kind != BoundExpr::Kind::kConst ||
        con->value.is_null()) {
        return false;
    }
    const core::Column& c = b.columns[col->index];
    if (!ComparedAsInt64(c.type(), con->value.type())) return false;
    t.column = &c;
    t.k = con->value.type() == Type::kBool ? (con->value.as_bool() ? 1 : 0) : con->value.as_int64();
    return true;
}

template <typename Keep>
void Narrow(std::vector<uint32_t>& rows, bool first, size_t n, Keep keep) {
    // Branch-free: every row is written, and the end moves on only for rows kept (which
    // rows pass is data-dependent, so a branch would mispredict often).
    size_t out = 0;
    if (first) {
        rows.resize(n);
        for (size_t i = 0; i < n; ++i) {
            rows[out] = static_cast<uint32_t>(i);
            out += keep(i) ? 1 : 0;
        }
    } else {
        for (size_t j = 0; j < rows.size(); ++j) {
            const uint32_t r = rows[j];
            rows[out] = r;
            out += keep(r) ? 1 : 0;
        }
    }
    rows.resize(out);
}

template <typename Cmp>
void NarrowInt(const IntTest& t, std::vector<uint32_t>& rows, bool first, size_t n, Cmp cmp) {
    const int64_t k = t.k;
    const auto narrow = t.column->narrow_values();
    if (!narrow.empty()) {
        // One byte a row and no nulls: the answer for each of the 256 byte values, then a
        // table lookup a row.
        const int64_t base = t.column->narrow_base();
        uint8_t answer[256];
        for (int v = 0; v < 256; ++v) answer[v] = cmp(base + v, k) ? 1 : 0;
        Narrow(rows, first, n, [&](size_t i) { return answer[narrow[i]] != 0; });
        return;
    }
    const auto valid = t.column->validity();
    const auto values = t.column->int64s();
    // `&` rather than `&&`: no branch on the validity byte.
    Narrow(rows, first, n, [&](size_t i) { return (valid[i] != 0) & cmp(values[i], k); });
}

void NarrowByTest(const IntTest& t, std::vector<uint32_t>& rows, bool first, size_t n) {
    switch (t.op) {
        case Op::kEq:
            return NarrowInt(t, rows, first, n, [](int64_t x, int64_t k) { return x == k; });
        case Op::kNe:
            return NarrowInt(t, rows, first, n, [](int64_t x, int64_t k) { return x != k; });
        case Op::kLt:
            return NarrowInt(t, rows, first, n, [](int64_t x, int64_t k) { return x < k; });
        case Op::kLe:
            return NarrowInt(t, rows, first, n, [](int64_t x, int64_t k) { return x <= k; });
        case Op::kGt:
            return NarrowInt(t, rows, first, n, [](int64_t x, int64_t k) { return x > k; });
        case Op::kGe:
            return NarrowInt(t, rows, first, n, [](int64_t x, int64_t k) { return x >= k; });
    }
}

// `e` as a test of a string column that goes straight into the row list: `col == "k"`
// (either way round), isempty(col), isnotempty(col). A dictionary-coded column is tested
// once per distinct value. The tests are the kernels' (strings are never null).
bool NarrowByStringTest(const BoundExpr& e, const core::Batch& b, std::vector<uint32_t>& rows,
                        bool first) {
    if (e.kind != BoundExpr::Kind::kCall) return false;
    const BoundExpr* col = nullptr;
    std::string_view k;
    enum class Test { kEquals, kEmpty, kNotEmpty } test;
    if (e.function == "==" && e.args.size() == 2) {
        col = e.args[0].get();
        const BoundExpr* con = e.args[1].get();
        if (col->kind == BoundExpr::Kind::kConst) std::swap(col, con);
        if (con->kind != BoundExpr::Kind::kConst || con->value.type() != Type::kString)
            return false;
        k = con->value.as_string();
        test = Test::kEquals;
    } else if ((e.function == "isempty" || e.function == "isnotempty") && e.args.size() == 1) {
        col = e.args[0].get();
        test = e.function == "isempty" ? Test::kEmpty : Test::kNotEmpty;
    } else {
        return false;
    }
    if (col->kind != BoundExpr::Kind::kColumn) return false;
    const core::Column& c = b.columns[col->index];
    if (c.type() != Type::kString) return false;
    auto holds = [&](std::string_view s) {
        switch (test) {
            case Test::kEquals:
                return s == k;
            case Test::kEmpty:
                return s.empty();
            case Test::kNotEmpty:
                return !s.empty();
        }
        return false;
    };
    const size_t n = b.num_rows();
    if (c.is_dictionary() && c.dictionary().size() <= n) {
        const auto& dict = c.dictionary();
        std::vector<uint8_t> answer(dict.size());
        for (size_t i = 0; i < dict.size(); ++i) answer[i] = holds(dict[i]) ? 1 : 0;
        if (const auto narrow = c.narrow_values(); !narrow.empty()) {
            Narrow(rows, first, n, [&](size_t i) { return answer[narrow[i]] != 0; });
        } else {
            const auto codes = c.codes();
            Narrow(rows, first, n, [&](size_t i) { return answer[codes[i]] != 0; });
        }
    } else {
        Narrow(rows, first, n, [&](size_t i) { return holds(c.string_at(i)); });
    }
    return true;
}

// `conjunct`: `e` is an operand of `and`, whose kernel converts it to bool; a whole
// predicate of type dynamic holds only where it is the boolean true.
void Select(const BoundExpr& e, const core::Batch& b, std::vector<uint32_t>& rows, bool first,
            bool conjunct) {
    const size_t n = b.num_rows();
    if (e.kind == BoundExpr::Kind::kCall && e.function == "and" && e.args.size() == 2) {
        Select(*e.args[0], b, rows, first, true);
        if (!rows.empty()) Select(*e.args[1], b, rows, false, true);
        return;
    }
    IntTest t;
    if (AsIntTest(e, b, t)) return NarrowByTest(t, rows, first, n);
    if (NarrowByStringTest(e, b, rows, first)) return;
    Vec p = Evaluate(e, b);
    if (conjunct && p.type() != Type::kBool) p = functions::CastVec(p, Type::kBool, n);
    if (p.type() == Type::kDynamic) {
        Narrow(rows, first, n, [&](size_t i) {
            const core::Dynamic& d = p.Dyn(i);
            return d.kind() == core::Dynamic::Kind::kBool && d.as_bool();
        });
    } else if (p.is_const()) {
        if (p.IsNull(0) || p.I64(0) == 0) {
            rows.clear();
        } else if (first) {
            Narrow(rows, true, n, [](size_t) { return true; });
        }
    } else {
        const auto valid = p.column().validity();
        const auto vals = p.column().int64s();
        Narrow(rows, first, n, [&](size_t i) { return valid[i] && vals[i] != 0; });
    }
}

}  // namespace

void SelectRows(const BoundExpr& e, const core::Batch& b, std::vector<uint32_t>& rows) {
    Select(e, b, rows, true, false);
}

}  // namespace calypso::kql
