// Pipeline runs and their steps from the PipelineRuns table (one row per state change;
// the latest row of a run holds everything known about it).
import { runQuery } from './api';

export interface RunRow {
  [column: string]: unknown;
}

function kqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

async function rowsOf(query: string): Promise<RunRow[]> {
  const a = await runQuery(query, '');
  if (!a.ok) throw new Error(`${a.error.message}${a.error.line ? ` (line ${a.error.line}, column ${a.error.column})` : ''}`);
  const t = a.tables[0];
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i]])));
}

const LATEST = 'PipelineRuns | summarize arg_max(TimeGenerated, *) by RunId';

// Pipeline runs (not their steps), newest first, with the first failed step's name.
export function listRuns(): Promise<RunRow[]> {
  return rowsOf(`let latest = ${LATEST};
latest
| where isempty(PipelineRunId) or PipelineRunId == RunId
| join kind=leftouter (latest | where Status =~ 'Failed' and PipelineRunId != RunId
    | summarize FailedStep = take_any(iff(isnotempty(StepName), StepName, strcat('node ', NodeId))) by PipelineRunId) on $left.RunId == $right.PipelineRunId
| project RunId, ExperimentName, Status, StartTime, EndTime, ExecutionTimeMs, FailedStep, TimeGenerated
| order by TimeGenerated desc`);
}

export function runSteps(runId: string): Promise<RunRow[]> {
  return rowsOf(`${LATEST}
| where RunId == ${kqlString(runId)} or PipelineRunId == ${kqlString(runId)}
| project RunId, PipelineRunId, StepName, StepType, Status, ComputeTargetType, NodeId, QueuedTime, StartTime, EndTime, ExecutionTimeMs, ExperimentName
| order by StartTime asc`);
}

export function stepLogsQuery(runId: string, stepRunId?: string): string {
  const filter = stepRunId
    ? `customDimensions.step_id == ${kqlString(stepRunId)} or operation_Id == ${kqlString(stepRunId)}`
    : `customDimensions.parent_run_id == ${kqlString(runId)}`;
  return `union traces, exceptions\n| where ${filter}\n| project timestamp, itemType, severityLevel, message, type, customDimensions\n| order by timestamp asc`;
}

export function durationText(ms: unknown): string {
  const n = Number(ms);
  if (ms === null || ms === undefined || !Number.isFinite(n)) return '';
  const s = Math.round(n / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

// Per-epoch metrics (loss, accuracy, ...) the run's steps logged: a linechart over epochs.
export function metricsQuery(runId: string): string {
  return `customMetrics
| where customDimensions.parent_run_id == ${kqlString(runId)} and isnotempty(customDimensions.epoch)
| summarize value = avg(value) by epoch = toint(customDimensions.epoch), name
| order by epoch asc
| render linechart`;
}

export function exceptionsQuery(runId: string): string {
  return `exceptions
| where customDimensions.parent_run_id == ${kqlString(runId)}
| project timestamp, step = tostring(customDimensions.step_name), type, message = iff(isnotempty(outerMessage), outerMessage, message)
| order by timestamp asc`;
}

// Each step's duration (minutes) over the last runs of the experiment.
export function durationTrendQuery(experiment: string): string {
  return `PipelineRuns
| summarize arg_max(TimeGenerated, *) by RunId
| where ExperimentName == ${kqlString(experiment)} and isnotempty(PipelineRunId) and PipelineRunId != RunId
    and isnotnull(ExecutionTimeMs)
| top 300 by StartTime desc
| project StartTime, step = iff(isnotempty(StepName), StepName, strcat('node ', NodeId)), minutes = ExecutionTimeMs / 60000.0
| order by StartTime asc
| render linechart`;
}

export async function tableOf(query: string) {
  const a = await runQuery(query, '');
  if (!a.ok) throw new Error(a.error.message);
  return a.tables[0];
}
