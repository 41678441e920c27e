"""The canonical queries: KQL for Calypso (as an Azure user writes them) and each peer's SQL.

`kinds` says how to normalize each output column before comparing:
  t = timestamp (compared as whole milliseconds), i = integer, s = string,
  f = real (rounded to 1e-6 relative), p = percentile (KQL: within 1% relative),
  d = distinct count (KQL dcount is HyperLogLog: within 3.2%, twice its stated 1.6% error).
Peers must agree with each other exactly (after rounding); the tolerances only matter for
approximate aggregates.
"""
from gen import LAST_DAY_ISO, RARE_TOKEN, RUN_ID

LAST_DAY_SQL = LAST_DAY_ISO.replace("T", " ").replace("Z", "")

QUERIES = [
    {
        "id": "q01_hour_severity",
        "title": "counts by hour and severity",
        "kinds": "tii",
        "kql": "traces\n| summarize n = count() by bin(timestamp, 1h), severityLevel",
        "clickhouse": "SELECT toStartOfHour(ts) AS h, severity, count() AS n FROM traces GROUP BY h, severity",
        "duckdb": "SELECT date_trunc('hour', ts) AS h, severity, count(*) AS n FROM traces GROUP BY ALL",
        "postgres": "SELECT date_trunc('hour', ts) AS h, severity, count(*) AS n FROM traces GROUP BY 1, 2",
    },
    {
        "id": "q02_errors_by_step",
        "title": "errors by step for one run type",
        "kinds": "si",
        "kql": "traces\n| where customDimensions.run_type == \"train\" and severityLevel >= 3\n"
               "| summarize errors = count() by step = tostring(customDimensions.step_name)",
        "clickhouse": "SELECT step_name, count() AS errors FROM traces WHERE run_type = 'train' AND severity >= 3 GROUP BY step_name",
        "duckdb": "SELECT step_name, count(*) AS errors FROM traces WHERE run_type = 'train' AND severity >= 3 GROUP BY step_name",
        "postgres": "SELECT step_name, count(*) AS errors FROM traces WHERE run_type = 'train' AND severity >= 3 GROUP BY step_name",
    },
    {
        "id": "q03_one_run",
        "title": "all logs of one run id",
        "kinds": "tsis",
        "kql": f"traces\n| where customDimensions.parent_run_id == \"{RUN_ID}\"\n"
               "| project timestamp, message, severityLevel, step = tostring(customDimensions.step_name)\n"
               "| order by timestamp asc",
        "clickhouse": f"SELECT ts_ms, message, severity, step_name FROM traces WHERE parent_run_id = '{RUN_ID}' ORDER BY ts_ms",
        "duckdb": f"SELECT ts, message, severity, step_name FROM traces WHERE parent_run_id = '{RUN_ID}' ORDER BY ts",
        "postgres": f"SELECT ts, message, severity, step_name FROM traces WHERE parent_run_id = '{RUN_ID}' ORDER BY ts",
    },
    {
        "id": "q04_top_experiments",
        "title": "top experiments by errors",
        "kinds": "si",
        "kql": "traces\n| where severityLevel >= 3\n"
               "| summarize errors = count() by experiment = tostring(customDimensions.experiment)\n"
               "| top 10 by errors desc, experiment asc",
        "clickhouse": "SELECT experiment, count() AS errors FROM traces WHERE severity >= 3 GROUP BY experiment ORDER BY errors DESC, experiment ASC LIMIT 10",
        "duckdb": "SELECT experiment, count(*) AS errors FROM traces WHERE severity >= 3 GROUP BY experiment ORDER BY errors DESC, experiment ASC LIMIT 10",
        "postgres": "SELECT experiment, count(*) AS errors FROM traces WHERE severity >= 3 GROUP BY experiment ORDER BY errors DESC, experiment ASC LIMIT 10",
    },
    {
        "id": "q05_p95_duration",
        "title": "p95 duration by step (nearest rank)",
        "kinds": "sp",
        "kql": "traces\n| where isnotempty(customDimensions.duration_ms)\n"
               "| summarize p95 = percentile(todouble(customDimensions.duration_ms), 95) by step = tostring(customDimensions.step_name)",
        "clickhouse": "SELECT step_name, quantileExactWeighted(0.95)(duration_ms, 1) AS p95 FROM traces WHERE duration_ms IS NOT NULL GROUP BY step_name",
        "duckdb": "SELECT step_name, quantile_disc(duration_ms, 0.95) AS p95 FROM traces WHERE duration_ms IS NOT NULL GROUP BY step_name",
        "postgres": "SELECT step_name, percentile_disc(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95 FROM traces WHERE duration_ms IS NOT NULL GROUP BY step_name",
    },
    {
        "id": "q06_rare_token",
        "title": f"rare-token search (has \"{RARE_TOKEN}\")",
        "kinds": "ts",
        "kql": f"traces\n| where message has \"{RARE_TOKEN}\"\n| project timestamp, message\n| order by timestamp asc",
        # the token only ever occurs as a whole term, so a case-insensitive substring search
        # (cheaper than KQL's term match, and what the trigram index accelerates) is equivalent
        "clickhouse": f"SELECT ts_ms, message FROM traces WHERE positionCaseInsensitive(message, '{RARE_TOKEN}') > 0 ORDER BY ts_ms",
        "duckdb": f"SELECT ts, message FROM traces WHERE message ILIKE '%{RARE_TOKEN}%' ORDER BY ts",
        "postgres": f"SELECT ts, message FROM traces WHERE message ILIKE '%{RARE_TOKEN}%' ORDER BY ts",
    },
    {
        "id": "q07_distinct_runs_per_day",
        "title": "distinct run ids per day",
        "kinds": "td",
        "kql": "traces\n| summarize runs = dcount(tostring(customDimensions.parent_run_id)) by day = bin(timestamp, 1d)",
        "clickhouse": "SELECT toStartOfDay(ts) AS day, uniqExact(parent_run_id) AS runs FROM traces GROUP BY day",
        "duckdb": "SELECT date_trunc('day', ts) AS day, count(DISTINCT parent_run_id) AS runs FROM traces GROUP BY ALL",
        "postgres": "SELECT date_trunc('day', ts) AS day, count(DISTINCT parent_run_id) AS runs FROM traces GROUP BY 1",
    },
    {
        "id": "q08_last_status_per_step",
        "title": "last status per step (arg_max)",
        "kinds": "sts",
        "kql": "traces\n| extend step = tostring(customDimensions.step_name), status = tostring(customDimensions.status)\n"
               "| summarize arg_max(timestamp, status) by step",
        "clickhouse": "SELECT step_name, max(ts_ms) AS last_ts, argMax(status, ts_ms) AS status FROM traces GROUP BY step_name",
        "duckdb": "SELECT step_name, max(ts) AS last_ts, arg_max(status, ts) AS status FROM traces GROUP BY step_name",
        "postgres": "SELECT DISTINCT ON (step_name) step_name, ts, status FROM traces ORDER BY step_name, ts DESC",
    },
    {
        "id": "q09_join_metrics",
        "title": "join traces with metrics (errors and rows processed per run)",
        "kinds": "sif",
        "kql": "traces\n| where severityLevel >= 3\n"
               "| summarize errors = count() by run = tostring(customDimensions.parent_run_id)\n"
               "| join kind=inner (\n    customMetrics\n    | where name == \"rows_processed\"\n"
               "    | summarize rows = sum(value) by run = tostring(customDimensions.parent_run_id)\n) on run\n"
               "| project run, errors, rows",
        # 18.16's safe JOIN form: ALL strictness, aliased subqueries, explicit columns, USING
        "clickhouse": "SELECT run, errors, r_rows FROM "
                      "(SELECT parent_run_id AS run, count() AS errors FROM traces WHERE severity >= 3 GROUP BY parent_run_id) AS l "
                      "ALL INNER JOIN "
                      "(SELECT parent_run_id AS run, sum(value) AS r_rows FROM metrics WHERE name = 'rows_processed' GROUP BY parent_run_id) AS r "
                      "USING (run)",
        "duckdb": "WITH e AS (SELECT parent_run_id AS run, count(*) AS errors FROM traces WHERE severity >= 3 GROUP BY 1), "
                  "m AS (SELECT parent_run_id AS run, sum(value) AS rows FROM metrics WHERE name = 'rows_processed' GROUP BY 1) "
                  "SELECT e.run, e.errors, m.rows FROM e JOIN m USING (run)",
        "postgres": "WITH e AS (SELECT parent_run_id AS run, count(*) AS errors FROM traces WHERE severity >= 3 GROUP BY 1), "
                    "m AS (SELECT parent_run_id AS run, sum(value) AS rows FROM metrics WHERE name = 'rows_processed' GROUP BY 1) "
                    "SELECT e.run, e.errors, m.rows FROM e JOIN m USING (run)",
    },
    {
        "id": "q10_timeseries_5m",
        "title": "5-minute time series over the last day",
        "kinds": "tii",
        "kql": f"traces\n| where timestamp >= datetime({LAST_DAY_ISO[:10]})\n"
               "| summarize n = count(), errors = countif(severityLevel >= 3) by bin(timestamp, 5m)\n"
               "| order by timestamp asc",
        "clickhouse": f"SELECT toDateTime(intDiv(toUInt32(ts), 300) * 300) AS b, count() AS n, countIf(severity >= 3) AS errors "
                      f"FROM traces WHERE ts >= toDateTime('{LAST_DAY_SQL}') GROUP BY b ORDER BY b",
        "duckdb": f"SELECT time_bucket(INTERVAL 5 MINUTE, ts) AS b, count(*) AS n, count(*) FILTER (WHERE severity >= 3) AS errors "
                  f"FROM traces WHERE ts >= TIMESTAMP '{LAST_DAY_SQL}' GROUP BY b ORDER BY b",
        "postgres": f"SELECT date_bin('5 minutes', ts, TIMESTAMP '2000-01-01') AS b, count(*) AS n, count(*) FILTER (WHERE severity >= 3) AS errors "
                    f"FROM traces WHERE ts >= TIMESTAMP '{LAST_DAY_SQL}' GROUP BY b ORDER BY b",
    },
]
