#pragma once

// Private to the OTLP decoder: writing decoded OTLP items as Application Insights rows, and
// counting what was accepted and rejected. One OtlpRows per request; not thread-safe.
// The per-signal mappings live in otlp_logs.cc, otlp_traces.cc and otlp_metrics.cc.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/appinsights_internal.h"
#include "ingest/otlp.h"
#include "ingest/otlp_model.h"

namespace calypso::ingest::internal {

// What a resource contributes to every row: the workspace and the context columns the
// exporter derives from resource attributes (createTagsFromResource).
struct ResourceColumns {
    const OtlpWorkspace* workspace = nullptr;
    std::string role;           // cloud_RoleName: service.namespace + "." + service.name, ...
    std::string role_instance;  // cloud_RoleInstance: k8s.pod.name, service.instance.id, host.name
    std::string app_version;    // application_Version: service.version
    std::string device_model;   // client_Model: device.model.name
    std::string sdk_version;    // sdkVersion: "otlp:<telemetry.sdk.language>:<version>"
};

// The per-row context columns (the exporter's ai.* tags).
struct RowTags {
    std::string_view operation_id, parent_id, operation_name;
    std::string session_id, user_id, auth_user_id, client_ip;
    bool synthetic = false;
};

// Which attributes become customDimensions.
enum class PropertyRule : uint8_t {
    kLog,       // logUtils: drops _MS.*, microsoft*, semantic-convention keys mapped to columns
    kSpan,      // spanUtils: the same, microsoft.* instead of microsoft*
    kDbSpan,    // a database dependency: also its db.* keys, but keeps server.address/port
    kMetric,    // every attribute
    kResource,  // the _OTELRESOURCE_ metric: all but _MS.* and telemetry.sdk.*
};

class OtlpRows {
  public:
    explicit OtlpRows(const OtlpOptions& options);

    // Derives the resource's columns and resolves its workspace; returns why its items are
    // rejected (an unknown workspace), or "".
    std::string StartResource(const Attributes& resource);
    const ResourceColumns& resource() const { return resource_; }
    int64_t now_ticks() const { return now_; }

    TableBuilder& Table(TableId t);
    // timestamp, itemType, itemId, itemCount, the workspace and resource columns, the tags.
    void WriteCommon(TableBuilder& b, TableId t, int64_t ticks, int64_t item_count,
                     const RowTags& tags);

    // The accounting the response reports.
    void Received(size_t n) { received_ += n; }
    size_t accepted() const { return received_ - rejected_; }
    void Reject(size_t n, const std::string& path, std::string_view why);
    OtlpResult Finish();

  private:
    const OtlpOptions& options_;
    int64_t now_;
    ResourceColumns resource_;
    std::optional<OtlpWorkspace> named_workspace_;
    std::array<std::optional<TableBuilder>, kNumTables> builders_;
    std::vector<TableId> order_;
    size_t received_ = 0, rejected_ = 0, messages_ = 0;
    std::string error_message_;
};

// Attribute helpers.
// The attribute as text ("" when absent, null or an empty string): strings as themselves,
// anything else as JSON, as the exporter's String()/JSON.stringify do.
std::string AttributeText(const Attributes& attributes, std::string_view key);
// The first of `keys` present, as text.
std::string FirstAttributeText(const Attributes& attributes,
                               std::initializer_list<std::string_view> keys);
// customDimensions: the attributes `rule` keeps, values as text (truncated like the App
// Insights decoder); null when none is left.
core::Dynamic Properties(const Attributes& attributes, PropertyRule rule);
// The same properties written straight into customDimensions of the builder's row.
void WriteProperties(TableBuilder& b, const Attributes& attributes, PropertyRule rule);
// customMeasurements from microsoft.custom_measurements (a kvlist or a JSON object text)
// of numbers; null when absent.
core::Dynamic CustomMeasurements(const Attributes& attributes);
// The tags every signal reads from item attributes: enduser.id, enduser.pseudo.id,
// session.id, microsoft.client.ip, user_agent.synthetic.type.
void AttributeTags(const Attributes& attributes, RowTags& tags);
// Nanoseconds since the epoch -> ticks.
inline int64_t NanosToTicks(uint64_t nanos) { return static_cast<int64_t>(nanos / 100); }

// An exceptions row: the exporter's ExceptionData with a raw stack
// (details = [{typeName, message, hasFullStack, stack}]).
struct ExceptionRow {
    std::string type, message, stack;
    int64_t severity = -1;  // -1: none
};
void WriteExceptionColumns(TableBuilder& b, const ExceptionRow& ex);

// "resourceSpans[0].scopeSpans[1].spans[2]".
struct ItemPath {
    std::string_view resources, scopes, items;
    size_t resource = 0, scope = 0, item = 0;
    std::string Resource() const;
    std::string Scope() const;
    std::string Item() const;
};

// Walks a request: every item of every scope of every resource, with the errors of its
// resource and scope applied. `count(item)` is how many items the response counts for it
// (1, or a metric's data points); `map(item, path)` writes its rows or rejects it;
// `end_resource(resource_index)` runs after each resource whose items were mapped.
template <typename Item, typename Count, typename Map, typename EndResource>
void WalkRequest(const Request<Item>& request, ItemPath path, OtlpRows& rows, Count&& count,
                 Map&& map, EndResource&& end_resource) {
    for (path.resource = 0; path.resource < request.size(); ++path.resource) {
        const ResourceGroup<Item>& group = request[path.resource];
        std::string resource_error = group.error;
        if (resource_error.empty()) resource_error = rows.StartResource(group.resource);
        size_t items_seen = 0;
        for (path.scope = 0; path.scope < group.scopes.size(); ++path.scope) {
            const ScopeGroup<Item>& scope = group.scopes[path.scope];
            const std::string& error = resource_error.empty() ? scope.error : resource_error;
            for (path.item = 0; path.item < scope.items.size(); ++path.item) {
                const Item& item = scope.items[path.item];
                const size_t n = count(item);
                rows.Received(n);
                ++items_seen;
                if (!error.empty()) {
                    rows.Reject(n, path.Item(), error);
                } else {
                    map(item, path);
                }
            }
            if (scope.items.empty() && !scope.error.empty() && resource_error.empty()) {
                rows.Reject(0, path.Scope(), scope.error);
            }
        }
        if (items_seen == 0 && !resource_error.empty()) {
            rows.Reject(0, path.Resource(), resource_error);
        }
        if (resource_error.empty()) end_resource(path.resource);
    }
}

}  // namespace calypso::ingest::internal
