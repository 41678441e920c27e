#pragma once

// Private to the Application Insights decoder (appinsights*.cc); not part of the module's
// public face. The pieces: appinsights.cc sniffs and splits the body, appinsights_envelope.cc
// reads an envelope into the common columns, appinsights_types.cc maps each baseType to its
// table and appinsights_values.cc coerces JSON values into column values. The OTLP mapper
// (otlp_rows.cc) writes the same tables through the same builders and helpers.

#include <simdjson.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/column.h"
#include "core/dynamic.h"
#include "core/row_sink.h"
#include "ingest/appinsights.h"
#include "ingest/tables.h"

namespace calypso::ingest::internal {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Field limits of the .NET SDK, which mirror what Breeze enforces (protocols.md 1.5).
inline constexpr size_t kMaxPropertyKey = 150;
inline constexpr size_t kMaxPropertyValue = 8192;
inline constexpr size_t kMaxEventName = 512;
inline constexpr size_t kMaxName = 1024;
inline constexpr size_t kMaxMessage = 32768;
inline constexpr size_t kMaxUrl = 2048;
inline constexpr size_t kMaxDependencyData = 8192;
inline constexpr size_t kMaxResultCode = 1024;
inline constexpr size_t kMaxId = 512;
inline constexpr size_t kMaxTag = 1024;
// Custom properties (and measurements) kept per item; the rest are dropped, as the SDKs do.
inline constexpr size_t kMaxProperties = 100;

// Fields cut by the limits above while decoding on this thread; the decoder reads it per
// envelope to count truncated items (TrackBatch::items_truncated).
inline thread_local size_t tl_truncations = 0;

// Every column the decoder writes; each table maps the ones it has to its schema index.
// The names, in this order, are kColNames in appinsights_envelope.cc.
enum Col : uint8_t {
    kTimestamp,
    kItemType,
    kItemId,
    kItemCount,
    kIKey,
    kAppName,
    kAppId,
    kCustomDimensions,
    kCustomMeasurements,
    // Tag columns.
    kSdkVersion,
    kApplicationVersion,
    kCloudRoleName,
    kCloudRoleInstance,
    kOperationId,
    kOperationParentId,
    kOperationName,
    kOperationSyntheticSource,
    kSessionId,
    kUserId,
    kUserAuthenticatedId,
    kUserAccountId,
    kClientType,
    kClientModel,
    kClientOS,
    kClientIP,
    kClientCity,
    kClientStateOrProvince,
    kClientCountryOrRegion,
    // Type-specific columns.
    kMessage,
    kSeverityLevel,
    kName,
    kValue,
    kValueCount,
    kValueSum,
    kValueMin,
    kValueMax,
    kValueStdDev,
    kProblemId,
    kType,
    kAssembly,
    kMethod,
    kOuterType,
    kOuterMessage,
    kOuterAssembly,
    kOuterMethod,
    kInnermostType,
    kInnermostMessage,
    kInnermostAssembly,
    kInnermostMethod,
    kDetails,
    kId,
    kSource,
    kUrl,
    kSuccess,
    kResultCode,
    kDuration,
    kPerformanceBucket,
    kTarget,
    kData,
    kLocation,
    kSize,
    kNumCols
};

enum TableId : uint8_t {
    kTraces,
    kCustomEvents,
    kCustomMetrics,
    kExceptions,
    kRequests,
    kDependencies,
    kPageViews,
    kAvailabilityResults,
    kNumTables
};

// Where each Col sits in one table's schema (-1: the table has no such column).
struct Layout {
    const TableDef* def = nullptr;
    std::array<int, kNumCols> index{};
};

// The layouts of all tables, built once. Thread-safe.
const std::array<Layout, kNumTables>& Layouts();
// "traces", ... and "trace", ...: the table name and the itemType column's value.
std::string_view TableName(TableId t);
std::string_view ItemTypeName(TableId t);
// A fresh random version-4 GUID for the itemId column (a fast per-thread generator).
void NewItemId(char out[36]);
// The top frame of a raw stack string (the first "at ..." line): `method` is the text
// before " (file:line)" or "<no_method>", `assembly` the whole line. Untouched when there
// is no such line. `scratch` may hold the method's text.
void TopFrameOfStack(std::string_view stack, std::string& scratch, std::string_view& method,
                     std::string_view& assembly);

// Strings built packed (one buffer and offsets): a cell costs no allocation, and the
// store need not pack them again.
struct PackedStrings {
    std::string bytes;
    std::vector<uint32_t> offsets{0};
    std::vector<uint8_t> valid;

    size_t rows() const { return valid.size(); }
    void Append(std::string_view v) {
        bytes.append(v);
        offsets.push_back(static_cast<uint32_t>(bytes.size()));
        valid.push_back(1);
    }
    void AppendNull() {
        offsets.push_back(static_cast<uint32_t>(bytes.size()));
        valid.push_back(0);
    }
    core::Column Finish(core::Type type) {
        return core::Column::FromPackedStrings(type, std::move(bytes), std::move(offsets),
                                               std::move(valid));
    }
};

// A dynamic column of string bags (core/string_bags.h) built row by row: one packed string
// column per key. Keys mostly come in the same order on every row, so the key at each
// position of the previous row is tried first.
class BagBuilder {
  public:
    // A column whose first `rows` rows are null.
    explicit BagBuilder(size_t rows) : valid_(rows, 0) {}
    // Adds `key: value` to row `row` (the rows before it are complete). A key repeated in
    // one row keeps its first value, as a lookup in the object would find it.
    void Add(size_t row, std::string_view key, std::string_view value);
    // Ends row `row`: null when nothing was added to it.
    void EndRow(size_t row);
    core::Column Finish();

  private:
    size_t KeyNumber(size_t position, std::string_view key, size_t row);

    std::vector<std::string> keys_;
    std::vector<PackedStrings> values_;
    std::vector<uint8_t> valid_;
    std::vector<uint32_t> last_;  // key number at each position of the previous row
    size_t members_ = 0;          // added to the current row
};

// Columnar builder for one table; every row must end with EndRow(), which fills the
// columns the row did not set with nulls. String columns are built packed, dynamic columns
// that receive Bag() as string bags. `layout` must outlive the builder.
class TableBuilder {
  public:
    explicit TableBuilder(const Layout& layout)
        : layout_(layout), batch_(core::Batch::Empty(layout.def->schema)),
          strings_(batch_.columns.size()), bags_(batch_.columns.size()) {
        for (size_t i = 0; i < batch_.columns.size(); ++i) {
            is_string_.push_back(core::PhysicalOf(batch_.columns[i].type()) ==
                                 core::Physical::kString);
        }
    }

    void Str(Col c, std::string_view v) {
        if (int i = layout_.index[c]; i >= 0) strings_[i].Append(v);
    }
    void Int(Col c, int64_t v) {
        if (int i = layout_.index[c]; i >= 0) batch_.columns[i].AppendInt64(v);
    }
    void Real(Col c, double v) {
        if (int i = layout_.index[c]; i >= 0) batch_.columns[i].AppendDouble(v);
    }
    void Dyn(Col c, core::Dynamic v) {
        if (int i = layout_.index[c]; i >= 0) batch_.columns[i].AppendDynamic(std::move(v));
    }
    // One `key: value` of this row's bag in dynamic column `c`. A column is either built
    // with Dyn() or with Bag(), never both.
    void Bag(Col c, std::string_view key, std::string_view value) {
        if (int i = layout_.index[c]; i >= 0) {
            if (!bags_[i]) bags_[i].emplace(rows_);
            bags_[i]->Add(rows_, key, value);
        }
    }
    // Every member of an object of strings (a decoder's properties) into Bag(c, ...).
    void BagObject(Col c, const core::Dynamic& object) {
        if (object.kind() != core::Dynamic::Kind::kObject) return;
        for (const auto& [key, value] : object.as_object()) {
            if (value.kind() == core::Dynamic::Kind::kString) Bag(c, key, value.as_string());
        }
    }
    void EndRow() {
        for (size_t i = 0; i < batch_.columns.size(); ++i) {
            if (is_string_[i]) {
                if (strings_[i].rows() <= rows_) strings_[i].AppendNull();
            } else if (bags_[i]) {
                bags_[i]->EndRow(rows_);
            } else if (batch_.columns[i].size() <= rows_) {
                batch_.columns[i].AppendNull();
            }
        }
        ++rows_;
    }
    core::Batch Take() {
        for (size_t i = 0; i < batch_.columns.size(); ++i) {
            if (is_string_[i]) {
                batch_.columns[i] = strings_[i].Finish(batch_.columns[i].type());
            } else if (bags_[i]) {
                batch_.columns[i] = bags_[i]->Finish();
            }
        }
        return std::move(batch_);
    }

  private:
    const Layout& layout_;
    core::Batch batch_;
    std::vector<PackedStrings> strings_;
    std::vector<std::optional<BagBuilder>> bags_;
    std::vector<bool> is_string_;
    size_t rows_ = 0;
};

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
inline std::string_view Truncate(std::string_view s, size_t max) {
    if (s.size() <= max) return s;
    ++tl_truncations;
    size_t n = max;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n);
}

// JSON access, error-code style (no simdjson exceptions). Each returns false when the field
// is absent, null or of another type.
inline bool Field(const object& o, std::string_view key, element& out) {
    return o.at_key(key).get(out) == simdjson::SUCCESS && !out.is_null();
}
inline bool StringField(const object& o, std::string_view key, std::string_view& out) {
    element e;
    return Field(o, key, e) && e.get_string().get(out) == simdjson::SUCCESS;
}
inline bool ObjectField(const object& o, std::string_view key, object& out) {
    element e;
    return Field(o, key, e) && e.get_object().get(out) == simdjson::SUCCESS;
}
inline bool ArrayField(const object& o, std::string_view key, array& out) {
    element e;
    return Field(o, key, e) && e.get_array().get(out) == simdjson::SUCCESS;
}

// A scalar as text (strings as themselves, numbers and bools as JSON, objects and arrays as
// compact JSON). Returns false for null. `scratch` holds the text when it is not a view.
bool AsText(const element& e, std::string& scratch, std::string_view& out);
// A field as text; false when absent, null or empty.
bool TextField(const object& o, std::string_view key, std::string& scratch, std::string_view& out);
// A number, or a string holding exactly one.
bool AsDouble(const element& e, double& out);
bool DoubleField(const object& o, std::string_view key, double& out);

core::Dynamic ToDynamic(const element& e);
core::Dynamic ToDynamic(const array& a);
// baseData.properties as a bag of strings: scalars coerced to text, objects and arrays as
// JSON text, nulls dropped; keys and values cut to their limits, at most kMaxProperties.
// The views point into the parsed DOM or into `texts`, valid until the next Collect.
struct PropertyList {
    std::vector<std::pair<std::string_view, std::string_view>> items;
    std::vector<std::string> texts;  // non-string values as text

    void Collect(const object& base);
    void WriteTo(TableBuilder& b, Col c) const {
        for (const auto& [key, value] : items) b.Bag(c, key, value);
    }
};
// baseData.measurements as a bag of numbers; non-numeric values are dropped.
core::Dynamic Measurements(const object& base);

// severityLevel as an int 0-4 or a name ("Verbose".."Critical"); -1 when absent or unknown.
int64_t Severity(const object& base);
// duration as a .NET TimeSpan string ("[d.]hh:mm:ss[.fffffff]") or a number of
// milliseconds. 0 = absent, 1 = parsed into `ms`, -1 = present but unreadable.
int Duration(const object& base, double& ms);
std::string_view PerformanceBucket(double ms);
// success as the classic schema's string "True"/"False"; empty when absent.
std::string_view Success(const object& base);

// The item error for a required field that is missing or empty.
std::string Required(std::string_view field, std::string_view type);

// Everything an envelope contributes to the common columns.
struct Common {
    int64_t timestamp = 0;
    int64_t item_count = 1;
    std::string_view ikey;
    const AppInfo* app = nullptr;
    object tags;
    bool has_tags = false;
};

// Decodes the envelopes of one request into per-table batches. Not thread-safe; one per
// request. Views into the parsed DOM must stay valid only for the duration of each call.
class Decoder {
  public:
    explicit Decoder(const IKeyLookup& lookup) : lookup_(lookup) {}

    // Decodes one envelope; returns an error message, or empty when accepted.
    std::string Envelope(const element& env_el);

    // The batches of the tables touched, in order of first use.
    std::vector<core::TableBatch> TakeBatches();

  private:
    const AppInfo* Lookup(std::string_view ikey);
    TableBuilder& Table(TableId t);
    void WriteCommon(TableBuilder& b, TableId t, const Common& c, const PropertyList& properties,
                     const object* base);

    // One per baseType (appinsights_types.cc); each returns an error message or empty.
    std::string Message(const Common& c, const object& base);
    std::string Event(const Common& c, const object& base);
    std::string Metric(const Common& c, const object& base);
    std::string Exception(const Common& c, const object& base);
    std::string Request(const Common& c, const object& base);
    std::string Dependency(const Common& c, const object& base);
    std::string PageView(const Common& c, const object& base);
    std::string Availability(const Common& c, const object& base);

    void WriteIdNameDuration(TableBuilder& b, const object& base, std::string_view name,
                             int has_duration, double ms);
    // Writes base[key] as text, truncated to `max`, when present and not empty.
    void OptionalText(TableBuilder& b, const object& base, std::string_view key, Col col,
                      size_t max);

    const IKeyLookup& lookup_;
    std::vector<std::pair<std::string, std::optional<AppInfo>>> keys_;
    std::array<std::optional<TableBuilder>, kNumTables> builders_;
    std::vector<TableId> order_;
    std::string scratch_, text_, text2_;
    PropertyList properties_;
};

}  // namespace calypso::ingest::internal
