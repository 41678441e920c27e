#pragma once

// Private to the Event Grid decoder: reading Azure ML event payloads.

#include <string>
#include <string_view>

#include "core/dynamic.h"

namespace calypso::ingest::internal {

// object[key] as text: a string as itself, a number or bool as JSON, "" when absent or null.
std::string MemberText(const core::Dynamic& object, std::string_view key);

// object[key] with the key compared ignoring ASCII case ("stepType" finds "StepType"), as
// text; "" when absent. Event payloads and the SDK's run details differ in key case.
std::string MemberTextIgnoreCase(const core::Dynamic& object, std::string_view key);

// The run's `azureml.pipelinerunid` from runTags, else runProperties; "" for a pipeline
// run itself.
std::string PipelineRunIdOf(const core::Dynamic& data);

// A run status in the SDK's spelling ("failed" -> "Failed", "Cancelled" -> "Canceled"); an
// unknown status is kept as sent. Azure ML examples disagree on case.
std::string CanonicalRunStatus(std::string_view status);
// Completed, Failed or Canceled (canonical spelling).
bool IsTerminalStatus(std::string_view canonical_status);

// "/subscriptions/{sub}/resourceGroups/{rg}/providers/.../workspaces/{ws}": the segment
// after `name` ("subscriptions", "workspaces"), compared ignoring case; "" when absent.
std::string TopicSegment(std::string_view topic, std::string_view name);

}  // namespace calypso::ingest::internal
