#include "runs/step_names.h"

#include <string_view>
#include <unordered_set>
#include <utility>

#include "core/string_bags.h"

namespace calypso::runs {

std::vector<StepName> StepNamesIn(const std::vector<core::TableBatch>& batches) {
    std::vector<StepName> out;
    std::unordered_set<std::string> seen;
    std::string_view last_id, last_name;  // consecutive rows of one step are the rule
    auto Note = [&](std::string_view i, std::string_view n) {
        if (i.empty() || n.empty() || (i == last_id && n == last_name)) return;
        last_id = i;  // views into the batch, which outlives this loop
        last_name = n;
        std::string key;
        key.append(i).append(1, '\n').append(n);
        if (!seen.insert(std::move(key)).second) return;
        out.push_back({std::string(i), std::string(n)});
    };
    for (const auto& tb : batches) {
        auto index = tb.batch.schema.IndexOf("customDimensions");
        if (!index) continue;
        const core::Column& column = tb.batch.columns[*index];
        if (column.type() != core::Type::kDynamic) continue;
        if (const core::StringBags* bags = column.string_bags()) {
            // Key columns as the decoders build them: no objects built for the lookup.
            const core::Column* ids = nullptr;
            const core::Column* names = nullptr;
            for (size_t k = 0; k < bags->keys.size(); ++k) {
                if (bags->keys[k] == "step_id") ids = &bags->values[k];
                if (bags->keys[k] == "step_name") names = &bags->values[k];
            }
            if (ids == nullptr || names == nullptr) continue;
            for (size_t r = 0; r < column.size(); ++r) {
                if (ids->IsNull(r) || names->IsNull(r)) continue;
                Note(ids->string_at(r), names->string_at(r));
            }
            continue;
        }
        for (const core::Dynamic& dims : column.dynamics()) {
            if (dims.kind() != core::Dynamic::Kind::kObject) continue;
            const core::Dynamic* id = dims.Find("step_id");
            if (id == nullptr || id->kind() != core::Dynamic::Kind::kString) continue;
            const core::Dynamic* name = dims.Find("step_name");
            if (name == nullptr || name->kind() != core::Dynamic::Kind::kString) continue;
            Note(id->as_string(), name->as_string());
        }
    }
    return out;
}

}  // namespace calypso::runs
