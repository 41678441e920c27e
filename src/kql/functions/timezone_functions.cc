// datetime_utc_to_local and datetime_local_to_utc over the system's IANA zones
// (functions/timezone.h). An unknown zone gives null.
#include "core/time.h"
#include "kql/functions/kernel_util.h"
#include "kql/functions/more_scalar.h"
#include "kql/functions/row_kernel.h"
#include "kql/functions/timezone.h"

namespace calypso::kql::functions {
namespace {

using core::Result;
using core::SourcePos;
using core::Status;
using core::Type;
using core::Value;
using Args = std::vector<const BoundExpr*>;
using Vecs = std::vector<Vec>;

int64_t FloorSeconds(int64_t ticks) {
    int64_t s = ticks / core::kTicksPerSecond;
    return ticks % core::kTicksPerSecond < 0 ? s - 1 : s;
}

ScalarFunction Convert(const char* name, bool to_local) {
    return {
        2, 2,
        [name, to_local](const Args& a, const BindContext&, SourcePos pos) -> Result<BoundCall> {
            if (a[0]->type != Type::kDatetime && a[0]->type != Type::kNull) {
                return Status::SemanticError(std::string(name) +
                                                 "(): argument 1 must be a datetime, got " +
                                                 std::string(core::TypeName(a[0]->type)),
                                             pos);
            }
            if (!IsStringy(a[1]->type) && a[1]->type != Type::kNull) {
                return Status::SemanticError(std::string(name) +
                                                 "(): argument 2 must be a time zone name, got " +
                                                 std::string(core::TypeName(a[1]->type)),
                                             pos);
            }
            return RowCall(Type::kDatetime, Type::kNull, [to_local](const Vecs& v, size_t i) {
                if (v[0].type() != Type::kDatetime || v[0].IsNull(i) || !IsStringy(v[1].type())) {
                    return Value::Null(Type::kDatetime);
                }
                auto tz = TimeZone::Find(v[1].Str(i));
                if (!tz) return Value::Null(Type::kDatetime);
                int64_t ticks = v[0].I64(i);
                int64_t seconds = FloorSeconds(ticks);
                int64_t offset = to_local ? tz->OffsetAtUtc(seconds) : -tz->OffsetForLocal(seconds);
                return Value::Datetime(ticks + offset * core::kTicksPerSecond);
            });
        }};
}

}  // namespace

void AddTimezoneFunctions(std::map<std::string, ScalarFunction, std::less<>>& r) {
    r["datetime_utc_to_local"] = Convert("datetime_utc_to_local", true);
    r["datetime_local_to_utc"] = Convert("datetime_local_to_utc", false);
}

}  // namespace calypso::kql::functions
