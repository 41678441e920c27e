#include "ingest/otlp_rows.h"

#include <algorithm>
#include <cmath>

#include "core/time.h"

namespace calypso::ingest::internal {
namespace {

using core::Dynamic;

// Attributes the exporter maps to columns or drops, so they never reach customDimensions:
// its legacySemanticValues and httpSemanticValues lists (old and new semantic-convention
// names for net, http, db, rpc, exception and user keys).
constexpr std::string_view kMappedKeys[] = {
    "ai.operation.name",
    "client.address",
    "client.port",
    "db.name",
    "db.operation",
    "db.statement",
    "db.system",
    "enduser.id",
    "enduser.pseudo.id",
    "error.type",
    "exception.message",
    "exception.stacktrace",
    "exception.type",
    "http.client_ip",
    "http.flavor",
    "http.host",
    "http.method",
    "http.request.method",
    "http.response.status_code",
    "http.route",
    "http.scheme",
    "http.status_code",
    "http.status_text",
    "http.target",
    "http.url",
    "http.user_agent",
    "net.host.ip",
    "net.host.name",
    "net.host.port",
    "net.peer.ip",
    "net.peer.name",
    "net.peer.port",
    "net.transport",
    "network.local.address",
    "network.local.port",
    "network.peer.address",
    "network.peer.port",
    "network.protocol.name",
    "network.protocol.version",
    "network.transport",
    "peer.service",
    "rpc.grpc.status_code",
    "rpc.system",
    "server.address",
    "server.port",
    "session.id",
    "url.full",
    "url.path",
    "url.query",
    "url.scheme",
    "user_agent.original",
    "user_agent.synthetic.type",
};

bool IsMappedKey(std::string_view key) {
    return std::find(std::begin(kMappedKeys), std::end(kMappedKeys), key) != std::end(kMappedKeys);
}

bool Keeps(std::string_view key, PropertyRule rule) {
    switch (rule) {
        case PropertyRule::kMetric:
            return true;
        case PropertyRule::kResource:
            return !key.starts_with("_MS.") && !key.starts_with("telemetry.sdk.");
        case PropertyRule::kLog:
            return !key.starts_with("_MS.") && !key.starts_with("microsoft") && !IsMappedKey(key);
        case PropertyRule::kSpan:
        case PropertyRule::kDbSpan:
            break;
    }
    if (key.starts_with("_MS.")) return key == "_MS.ProcessedByMetricExtractors";
    if (key.starts_with("microsoft.")) return key.starts_with("microsoft.gen_ai.main_agent.");
    if (rule == PropertyRule::kDbSpan) {
        if (key == "server.address" || key == "server.port") return true;
        if (key == "db.system.name" || key == "db.namespace" || key == "db.query.text" ||
            key == "db.operation.name") {
            return false;
        }
    }
    return !IsMappedKey(key);
}

}  // namespace

std::string ItemPath::Resource() const {
    return std::string(resources) + "[" + std::to_string(resource) + "]";
}
std::string ItemPath::Scope() const {
    return Resource() + "." + std::string(scopes) + "[" + std::to_string(scope) + "]";
}
std::string ItemPath::Item() const {
    return Scope() + "." + std::string(items) + "[" + std::to_string(item) + "]";
}

std::string AttributeText(const Attributes& attributes, std::string_view key) {
    const Dynamic* v = FindAttribute(attributes, key);
    if (v == nullptr || v->is_null()) return {};
    return v->ToText();
}

std::string FirstAttributeText(const Attributes& attributes,
                               std::initializer_list<std::string_view> keys) {
    for (std::string_view key : keys) {
        std::string text = AttributeText(attributes, key);
        if (!text.empty()) return text;
    }
    return {};
}

// A value as the exporter's String() writes it; JSON has no NaN or infinities, JS does.
std::string ValueText(const Dynamic& v) {
    if (v.kind() == Dynamic::Kind::kReal && !std::isfinite(v.as_real())) {
        return std::isnan(v.as_real()) ? "NaN" : v.as_real() > 0 ? "Infinity" : "-Infinity";
    }
    return v.ToText();
}

Dynamic Properties(const Attributes& attributes, PropertyRule rule) {
    Dynamic::Object members;
    for (const Attribute& a : attributes) {
        if (a.key.empty() || a.value.is_null() || !Keeps(a.key, rule)) continue;
        std::string text = a.value.kind() == Dynamic::Kind::kString
                               ? std::string(Truncate(a.value.as_string(), kMaxPropertyValue))
                               : std::string(Truncate(ValueText(a.value), kMaxPropertyValue));
        members.emplace_back(std::string(Truncate(a.key, kMaxPropertyKey)),
                             Dynamic::String(std::move(text)));
    }
    if (members.empty()) return {};
    return Dynamic::MakeObject(std::move(members));
}

void WriteProperties(TableBuilder& b, const Attributes& attributes, PropertyRule rule) {
    std::string text;
    for (const Attribute& a : attributes) {
        if (a.key.empty() || a.value.is_null() || !Keeps(a.key, rule)) continue;
        const std::string_view key = Truncate(a.key, kMaxPropertyKey);
        if (a.value.kind() == Dynamic::Kind::kString) {
            b.Bag(kCustomDimensions, key, Truncate(a.value.as_string(), kMaxPropertyValue));
        } else {
            text = ValueText(a.value);
            b.Bag(kCustomDimensions, key, Truncate(text, kMaxPropertyValue));
        }
    }
}

Dynamic CustomMeasurements(const Attributes& attributes) {
    const Dynamic* v = FindAttribute(attributes, "microsoft.custom_measurements");
    if (v == nullptr) return {};
    Dynamic parsed;
    if (v->kind() == Dynamic::Kind::kString) {
        auto p = Dynamic::Parse(v->as_string());
        if (!p.ok()) return {};
        parsed = std::move(*p);
        v = &parsed;
    }
    if (v->kind() != Dynamic::Kind::kObject) return {};
    Dynamic::Object members;
    for (const auto& [key, value] : v->as_object()) {
        double d = 0;
        if (value.kind() == Dynamic::Kind::kLong) {
            d = static_cast<double>(value.as_long());
        } else if (value.kind() == Dynamic::Kind::kReal && std::isfinite(value.as_real())) {
            d = value.as_real();
        } else {
            continue;
        }
        if (!key.empty())
            members.emplace_back(std::string(Truncate(key, kMaxPropertyKey)), Dynamic::Real(d));
    }
    if (members.empty()) return {};
    return Dynamic::MakeObject(std::move(members));
}

void AttributeTags(const Attributes& attributes, RowTags& tags) {
    tags.auth_user_id = AttributeText(attributes, "enduser.id");
    tags.user_id = AttributeText(attributes, "enduser.pseudo.id");
    if (const Dynamic* s = FindAttribute(attributes, "session.id");
        s != nullptr && s->kind() == Dynamic::Kind::kString) {
        tags.session_id = s->as_string();
    }
    tags.client_ip = AttributeText(attributes, "microsoft.client.ip");
    tags.synthetic = !AttributeText(attributes, "user_agent.synthetic.type").empty();
}

void WriteExceptionColumns(TableBuilder& b, const ExceptionRow& ex) {
    std::string method_text;
    std::string_view method, assembly;
    TopFrameOfStack(ex.stack, method_text, method, assembly);
    std::string problem_id = ex.type;
    if (!method.empty()) {
        problem_id += " at ";
        problem_id += method;
    }
    const std::string_view type = Truncate(ex.type, kMaxName);
    const std::string_view message = Truncate(ex.message, kMaxMessage);
    assembly = Truncate(assembly, kMaxName);
    method = Truncate(method, kMaxName);
    b.Str(kProblemId, Truncate(problem_id, kMaxName));
    for (auto [t, m, a, me] :
         {std::array<Col, 4>{kType, kMessage, kAssembly, kMethod},
          std::array<Col, 4>{kOuterType, kOuterMessage, kOuterAssembly, kOuterMethod},
          std::array<Col, 4>{kInnermostType, kInnermostMessage, kInnermostAssembly,
                             kInnermostMethod}}) {
        b.Str(t, type);
        b.Str(m, message);
        b.Str(a, assembly);
        b.Str(me, method);
    }
    if (ex.severity >= 0) b.Int(kSeverityLevel, ex.severity);
    Dynamic::Object detail;
    detail.emplace_back("typeName", Dynamic::String(ex.type));
    detail.emplace_back("message", Dynamic::String(ex.message));
    detail.emplace_back("hasFullStack", Dynamic::Bool(!ex.stack.empty()));
    detail.emplace_back("stack", Dynamic::String(ex.stack));
    b.Dyn(kDetails, Dynamic::MakeArray({Dynamic::MakeObject(std::move(detail))}));
}

OtlpRows::OtlpRows(const OtlpOptions& options)
    : options_(options), now_(options.now_ticks != 0 ? options.now_ticks : core::NowTicks()) {}

std::string OtlpRows::StartResource(const Attributes& resource) {
    resource_ = ResourceColumns{};
    resource_.workspace = &options_.workspace;
    if (std::string name = AttributeText(resource, kOtlpWorkspaceAttribute);
        !name.empty() && options_.lookup) {
        named_workspace_ = options_.lookup(name);
        if (!named_workspace_) {
            return "unknown workspace '" + std::string(Truncate(name, 128)) +
                   "' named by resource attribute " + std::string(kOtlpWorkspaceAttribute);
        }
        resource_.workspace = &*named_workspace_;
    }
    // cloud_RoleName as the exporter's getCloudRole: [namespace.]service.name, unless the
    // name is the SDK's "unknown_service..." default and a Kubernetes workload name exists.
    const std::string service = AttributeText(resource, "service.name");
    const std::string ns = AttributeText(resource, "service.namespace");
    if (!service.empty()) resource_.role = ns.empty() ? service : ns + "." + service;
    if (service.empty() || service.starts_with("unknown_service")) {
        std::string workload = FirstAttributeText(
            resource, {"k8s.deployment.name", "k8s.replicaset.name", "k8s.statefulset.name",
                       "k8s.job.name", "k8s.cronjob.name", "k8s.daemonset.name"});
        if (!workload.empty()) resource_.role = std::move(workload);
    }
    // The exporter falls back to its own host name; the resource's host.name is that here.
    resource_.role_instance =
        FirstAttributeText(resource, {"k8s.pod.name", "service.instance.id", "host.name"});
    resource_.app_version = AttributeText(resource, "service.version");
    resource_.device_model = AttributeText(resource, "device.model.name");
    resource_.sdk_version = "otlp";
    for (std::string_view key : {"telemetry.sdk.language", "telemetry.sdk.version"}) {
        std::string part = AttributeText(resource, key);
        if (!part.empty()) resource_.sdk_version += ":" + part;
    }
    return {};
}

TableBuilder& OtlpRows::Table(TableId t) {
    if (!builders_[t]) {
        builders_[t].emplace(Layouts()[t]);
        order_.push_back(t);
    }
    return *builders_[t];
}

void OtlpRows::WriteCommon(TableBuilder& b, TableId t, int64_t ticks, int64_t item_count,
                           const RowTags& tags) {
    b.Int(kTimestamp, ticks);
    b.Str(kItemType, ItemTypeName(t));
    char id[36];
    NewItemId(id);
    b.Str(kItemId, std::string_view(id, sizeof id));
    b.Int(kItemCount, item_count);
    const OtlpWorkspace& ws = *resource_.workspace;
    b.Str(kIKey, ws.ikey);
    b.Str(kAppName, ws.app_name);
    b.Str(kAppId, ws.app_id);
    auto text = [&b](Col c, std::string_view v) {
        if (!v.empty()) b.Str(c, Truncate(v, kMaxTag));
    };
    text(kSdkVersion, resource_.sdk_version);
    text(kCloudRoleName, resource_.role);
    text(kCloudRoleInstance, resource_.role_instance);
    text(kApplicationVersion, resource_.app_version);
    text(kClientModel, resource_.device_model);
    text(kOperationId, tags.operation_id);
    text(kOperationParentId, tags.parent_id);
    text(kOperationName, tags.operation_name);
    text(kSessionId, tags.session_id);
    text(kUserId, tags.user_id);
    text(kUserAuthenticatedId, tags.auth_user_id);
    text(kClientIP, tags.client_ip);
    if (tags.synthetic) b.Str(kOperationSyntheticSource, "True");
}

void OtlpRows::Reject(size_t n, const std::string& path, std::string_view why) {
    rejected_ += n;
    // The first few reasons are enough to act on; the count says how many there were.
    constexpr size_t kMaxMessages = 5;
    if (messages_++ < kMaxMessages) {
        if (!error_message_.empty()) error_message_ += "; ";
        error_message_ += path;
        error_message_ += ": ";
        error_message_ += Truncate(why, 512);
    }
}

OtlpResult OtlpRows::Finish() {
    OtlpResult out;
    out.items_received = received_;
    out.items_rejected = rejected_;
    out.error_message = std::move(error_message_);
    if (messages_ > 5) {
        out.error_message += " (and " + std::to_string(messages_ - 5) + " more)";
    }
    out.batches.reserve(order_.size());
    for (TableId t : order_) {
        out.batches.push_back(core::TableBatch{std::string(TableName(t)), builders_[t]->Take()});
    }
    return out;
}

}  // namespace calypso::ingest::internal
