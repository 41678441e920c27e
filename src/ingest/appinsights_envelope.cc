#include <algorithm>
#include <cmath>
#include <random>

#include "core/time.h"
#include "ingest/appinsights_internal.h"

namespace calypso::ingest::internal {
namespace {

using core::Dynamic;

constexpr std::array<std::string_view, kNumCols> kColNames = {
    "timestamp",
    "itemType",
    "itemId",
    "itemCount",
    "iKey",
    "appName",
    "appId",
    "customDimensions",
    "customMeasurements",
    "sdkVersion",
    "application_Version",
    "cloud_RoleName",
    "cloud_RoleInstance",
    "operation_Id",
    "operation_ParentId",
    "operation_Name",
    "operation_SyntheticSource",
    "session_Id",
    "user_Id",
    "user_AuthenticatedId",
    "user_AccountId",
    "client_Type",
    "client_Model",
    "client_OS",
    "client_IP",
    "client_City",
    "client_StateOrProvince",
    "client_CountryOrRegion",
    "message",
    "severityLevel",
    "name",
    "value",
    "valueCount",
    "valueSum",
    "valueMin",
    "valueMax",
    "valueStdDev",
    "problemId",
    "type",
    "assembly",
    "method",
    "outerType",
    "outerMessage",
    "outerAssembly",
    "outerMethod",
    "innermostType",
    "innermostMessage",
    "innermostAssembly",
    "innermostMethod",
    "details",
    "id",
    "source",
    "url",
    "success",
    "resultCode",
    "duration",
    "performanceBucket",
    "target",
    "data",
    "location",
    "size",
};

struct TagColumn {
    std::string_view tag;
    Col col;
};
constexpr std::array<TagColumn, 19> kTagColumns = {{
    {"ai.internal.sdkVersion", kSdkVersion},
    {"ai.cloud.role", kCloudRoleName},
    {"ai.cloud.roleInstance", kCloudRoleInstance},
    {"ai.operation.id", kOperationId},
    {"ai.operation.parentId", kOperationParentId},
    {"ai.operation.name", kOperationName},
    {"ai.application.ver", kApplicationVersion},
    {"ai.operation.syntheticSource", kOperationSyntheticSource},
    {"ai.session.id", kSessionId},
    {"ai.user.id", kUserId},
    {"ai.user.authUserId", kUserAuthenticatedId},
    {"ai.user.accountId", kUserAccountId},
    {"ai.device.type", kClientType},
    {"ai.device.model", kClientModel},
    {"ai.device.osVersion", kClientOS},
    {"ai.location.ip", kClientIP},
    {"ai.location.city", kClientCity},
    {"ai.location.province", kClientStateOrProvince},
    {"ai.location.country", kClientCountryOrRegion},
}};

constexpr std::array<std::string_view, kNumTables> kTableNames = {
    "traces",   "customEvents", "customMetrics", "exceptions",
    "requests", "dependencies", "pageViews",     "availabilityResults"};
constexpr std::array<std::string_view, kNumTables> kItemTypes = {
    "trace",   "customEvent", "customMetric", "exception",
    "request", "dependency",  "pageView",     "availabilityResult"};

// A fast per-thread generator for itemId GUIDs (xoshiro256**).
class GuidGenerator {
  public:
    GuidGenerator() {
        std::random_device rd;
        for (auto& s : s_) s = (uint64_t{rd()} << 32) ^ rd();
        if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
    }
    void Next(char out[36]) {
        uint64_t a = Step(), b = Step();
        a = (a & ~uint64_t{0xF000}) | 0x4000;                      // version 4
        b = (b & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // RFC 4122 variant
        static constexpr char kHex[] = "0123456789abcdef";
        int pos = 0;
        for (int i = 0; i < 32; ++i) {
            if (i == 8 || i == 12 || i == 16 || i == 20) out[pos++] = '-';
            uint64_t word = i < 16 ? a : b;
            out[pos++] = kHex[(word >> (60 - 4 * (i % 16))) & 0xF];
        }
    }

  private:
    static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t Step() {
        uint64_t result = Rotl(s_[1] * 5, 7) * 9;
        uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = Rotl(s_[3], 45);
        return result;
    }
    uint64_t s_[4];
};

thread_local GuidGenerator guid;

}  // namespace

std::string_view TableName(TableId t) { return kTableNames[t]; }
std::string_view ItemTypeName(TableId t) { return kItemTypes[t]; }
void NewItemId(char out[36]) { guid.Next(out); }

const std::array<Layout, kNumTables>& Layouts() {
    static const std::array<Layout, kNumTables> layouts = [] {
        std::array<Layout, kNumTables> out;
        for (size_t t = 0; t < kNumTables; ++t) {
            out[t].def = FindBuiltinTable(kTableNames[t]);
            for (size_t c = 0; c < kNumCols; ++c) {
                auto i = out[t].def->schema.IndexOf(kColNames[c]);
                out[t].index[c] = i ? static_cast<int>(*i) : -1;
            }
        }
        return out;
    }();
    return layouts;
}

std::string Decoder::Envelope(const element& env_el) {
    object env;
    if (env_el.get_object().get(env) != simdjson::SUCCESS) {
        return "Envelope is not a JSON object";
    }
    Common c;
    std::string_view ikey;
    if (!StringField(env, "iKey", ikey) && !StringField(env, "instrumentationKey", ikey)) {
        return "Invalid instrumentation key: field 'iKey' is missing or empty";
    }
    c.app = Lookup(ikey);
    if (c.app == nullptr) {
        return "Invalid instrumentation key '" + std::string(Truncate(ikey, 64)) + "'";
    }
    c.ikey = ikey;

    std::string_view time;
    if (!StringField(env, "time", time) || time.empty()) return Required("time", "Envelope");
    auto ts = core::ParseDatetime(time);
    if (!ts.ok()) {
        return "Field 'time' on type 'Envelope' is not a valid datetime: '" +
               std::string(Truncate(time, 64)) + "'";
    }
    c.timestamp = *ts;

    double rate = 0;
    if (DoubleField(env, "sampleRate", rate) && rate > 0 && rate < 100) {
        c.item_count = std::max<int64_t>(1, std::llround(100.0 / rate));
    }
    c.has_tags = ObjectField(env, "tags", c.tags);

    object data, base;
    std::string_view base_type;
    if (!ObjectField(env, "data", data)) return Required("data", "Envelope");
    if (!StringField(data, "baseType", base_type) || base_type.empty()) {
        return Required("baseType", "Data");
    }
    if (!ObjectField(data, "baseData", base)) return Required("baseData", "Data");
    if (base_type == "MessageData") return Message(c, base);
    if (base_type == "EventData") return Event(c, base);
    if (base_type == "MetricData") return Metric(c, base);
    if (base_type == "ExceptionData") return Exception(c, base);
    if (base_type == "RequestData") return Request(c, base);
    if (base_type == "RemoteDependencyData") return Dependency(c, base);
    if (base_type == "PageViewData") return PageView(c, base);
    if (base_type == "AvailabilityData") return Availability(c, base);
    return "Unknown baseType '" + std::string(Truncate(base_type, 64)) + "'";
}

std::vector<core::TableBatch> Decoder::TakeBatches() {
    std::vector<core::TableBatch> out;
    out.reserve(order_.size());
    for (TableId t : order_) {
        out.push_back(core::TableBatch{std::string(kTableNames[t]), builders_[t]->Take()});
    }
    return out;
}

const AppInfo* Decoder::Lookup(std::string_view ikey) {
    for (const auto& [key, app] : keys_) {
        if (key == ikey) return app ? &*app : nullptr;
    }
    keys_.emplace_back(std::string(ikey), lookup_ ? lookup_(ikey) : std::nullopt);
    return keys_.back().second ? &*keys_.back().second : nullptr;
}

TableBuilder& Decoder::Table(TableId t) {
    if (!builders_[t]) {
        builders_[t].emplace(Layouts()[t]);
        order_.push_back(t);
    }
    return *builders_[t];
}

void Decoder::WriteCommon(TableBuilder& b, TableId t, const Common& c,
                          const PropertyList& properties, const object* base) {
    b.Int(kTimestamp, c.timestamp);
    b.Str(kItemType, kItemTypes[t]);
    char id[36];
    guid.Next(id);
    b.Str(kItemId, std::string_view(id, sizeof id));
    b.Int(kItemCount, c.item_count);
    b.Str(kIKey, c.ikey);
    b.Str(kAppName, c.app->app_name);
    b.Str(kAppId, c.app->app_id);
    properties.WriteTo(b, kCustomDimensions);
    if (base != nullptr) {
        Dynamic m = Measurements(*base);
        if (!m.is_null()) b.Dyn(kCustomMeasurements, std::move(m));
    }
    if (!c.has_tags) return;
    std::array<bool, kTagColumns.size()> seen{};
    for (auto kv : c.tags) {
        for (size_t i = 0; i < kTagColumns.size(); ++i) {
            if (seen[i] || kv.key != kTagColumns[i].tag) continue;
            std::string_view text;
            if (AsText(kv.value, scratch_, text)) {
                b.Str(kTagColumns[i].col, Truncate(text, kMaxTag));
                seen[i] = true;
            }
            break;
        }
    }
}

}  // namespace calypso::ingest::internal
