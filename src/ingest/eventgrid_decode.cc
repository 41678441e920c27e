// Decoding Event Grid and CloudEvents bodies. Deliveries are small (one event by default,
// at most 1 MB per event), so they go through core::Dynamic rather than simdjson's
// on-demand API: the events' `data` is kept whole anyway.

#include "core/time.h"
#include "ingest/eventgrid.h"

namespace calypso::ingest {
namespace {

using core::Dynamic;

constexpr std::string_view kValidationEvent = "Microsoft.EventGrid.SubscriptionValidationEvent";

// The member as a string; nullptr when absent or null; `wrong_type` set when of another type.
const std::string* StringMember(const Dynamic& object, std::string_view key, bool& wrong_type) {
    const Dynamic* v = object.Find(key);
    if (v == nullptr || v->is_null()) return nullptr;
    if (v->kind() != Dynamic::Kind::kString) {
        wrong_type = true;
        return nullptr;
    }
    return &v->as_string();
}

// Reads one event; returns the error or nullopt.
class EventReader {
  public:
    EventReader(const Dynamic& e, size_t index, int64_t now) : e_(e), index_(index), now_(now) {}

    std::optional<EventError> Read(AmlEvent& out) {
        if (e_.kind() != Dynamic::Kind::kObject) return Error("", "not a JSON object");
        const bool cloud = e_.Find("specversion") != nullptr;
        if (!cloud && e_.Find("eventType") == nullptr) {
            return Error("eventType",
                         "missing: neither an Event Grid event (eventType) nor a CloudEvent "
                         "(specversion)");
        }
        if (cloud) {
            if (auto err = Required("specversion", out.metadata_version)) return err;
            if (out.metadata_version != "1.0") {
                return Error("specversion", "'" + out.metadata_version + "', expected \"1.0\"");
            }
            if (auto err = Required("id", out.id)) return err;
            if (auto err = Required("source", out.topic)) return err;
            if (auto err = Required("type", out.event_type)) return err;
            if (auto err = Optional("subject", out.subject)) return err;
            if (auto err = Time("time", false, out.time)) return err;
            if (e_.Find("data_base64") != nullptr) {
                return Error("data_base64", "binary data is not supported; send JSON in data");
            }
        } else {
            if (auto err = Required("id", out.id)) return err;
            if (auto err = Required("eventType", out.event_type)) return err;
            if (auto err = Optional("topic", out.topic)) return err;
            if (auto err = Optional("subject", out.subject)) return err;
            if (auto err = Time("eventTime", true, out.time)) return err;
            if (auto err = Optional("dataVersion", out.data_version)) return err;
            if (auto err = Optional("metadataVersion", out.metadata_version)) return err;
        }
        if (const Dynamic* data = e_.Find("data")) out.data = *data;
        return CheckData(out);
    }

  private:
    std::optional<EventError> Error(std::string field, std::string message) const {
        return EventError{index_, std::move(field), std::move(message)};
    }

    std::optional<EventError> Optional(std::string_view key, std::string& out) const {
        bool wrong = false;
        if (const std::string* s = StringMember(e_, key, wrong)) out = *s;
        if (wrong) return Error(std::string(key), "must be a string");
        return std::nullopt;
    }

    std::optional<EventError> Required(std::string_view key, std::string& out) const {
        if (auto err = Optional(key, out)) return err;
        if (out.empty()) return Error(std::string(key), "missing or empty");
        return std::nullopt;
    }

    std::optional<EventError> Time(std::string_view key, bool required, int64_t& out) const {
        std::string text;
        if (auto err = Optional(key, text)) return err;
        if (text.empty()) {
            if (required) return Error(std::string(key), "missing or empty");
            out = now_;
            return std::nullopt;
        }
        auto t = core::ParseDatetime(text);
        if (!t.ok()) return Error(std::string(key), "'" + text + "' is not an RFC 3339 time");
        out = *t;
        return std::nullopt;
    }

    // What the run records and the typed tables need from `data`; other types pass as they are.
    std::optional<EventError> CheckData(const AmlEvent& ev) const {
        const bool run = ev.event_type == kRunStatusChanged || ev.event_type == kRunCompleted;
        const bool validation = ev.event_type == kValidationEvent;
        if (!run && !validation) return std::nullopt;
        if (ev.data.kind() != Dynamic::Kind::kObject) return Error("data", "must be an object");
        bool wrong = false;
        auto need = [&](std::string_view key) -> std::optional<EventError> {
            const std::string* s = StringMember(ev.data, key, wrong);
            if (wrong) return Error("data." + std::string(key), "must be a string");
            if (s == nullptr || s->empty()) return Error("data." + std::string(key), "missing");
            return std::nullopt;
        };
        if (validation) return need("validationCode");
        if (auto err = need("runId")) return err;
        if (ev.event_type == kRunStatusChanged) {
            if (auto err = need("runStatus")) return err;
        }
        for (const char* key : {"experimentId", "experimentName", "runType"}) {
            StringMember(ev.data, key, wrong);
            if (wrong) return Error(std::string("data.") + key, "must be a string");
        }
        for (const char* key : {"runTags", "runProperties"}) {
            const Dynamic* v = ev.data.Find(key);
            if (v != nullptr && !v->is_null() && v->kind() != Dynamic::Kind::kObject) {
                return Error(std::string("data.") + key, "must be an object");
            }
        }
        return std::nullopt;
    }

    const Dynamic& e_;
    size_t index_;
    int64_t now_;
};

}  // namespace

std::string EventError::ToString() const {
    std::string s = "event " + std::to_string(index) + ": ";
    if (!field.empty()) s += field + ": ";
    return s + message;
}

core::Result<EventGridDelivery> DecodeEventGrid(std::string_view body, int64_t now) {
    auto parsed = Dynamic::Parse(body);
    if (!parsed.ok()) {
        return core::Status::InvalidArgument("the body is not JSON: " + parsed.status().message());
    }
    std::vector<Dynamic> items;
    if (parsed->kind() == Dynamic::Kind::kArray) {
        items = parsed->as_array();
    } else if (parsed->kind() == Dynamic::Kind::kObject) {
        items.push_back(*parsed);
    } else {
        return core::Status::InvalidArgument(
            "the body must be a JSON array of events or one CloudEvent object");
    }
    EventGridDelivery out;
    for (size_t i = 0; i < items.size(); ++i) {
        AmlEvent ev;
        if (auto err = EventReader(items[i], i, now).Read(ev)) {
            out.errors.push_back(std::move(*err));
            continue;
        }
        if (ev.event_type == kValidationEvent) {
            if (!out.validation_code)
                out.validation_code = ev.data.Find("validationCode")->as_string();
            continue;
        }
        out.events.push_back(std::move(ev));
    }
    return out;
}

}  // namespace calypso::ingest
