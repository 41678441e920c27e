"""Deterministic pipeline-telemetry dataset for the benchmark.

One generator, two renderings of the same rows:
  * TSV files with the custom-dimension keys already extracted into columns, loaded by the
    peers (ClickHouse, DuckDB, PostgreSQL) with their bulk loaders;
  * Application Insights envelopes (MessageData / MetricData) posted to Calypso.

Everything is derived from a seeded random.Random, so the same ROWS gives byte-identical
files on every machine. Times are whole milliseconds and unique per table, so "last status
per step" (arg_max) has exactly one answer.
"""
import bisect
import json
import random
import time

START_MS = 1790812800000          # 2026-10-01T00:00:00Z
DAYS = 30
END_MS = START_MS + DAYS * 86400000  # 2026-10-31T00:00:00Z (exclusive)
LAST_DAY_ISO = "2026-10-30T00:00:00Z"
LAST_DAY_MS = END_MS - 86400000

N_RUNS = 3000
RUN_HOURS = 8
STEPS = ["ingest_raw", "validate_schema", "dedupe", "featurize", "split_data", "tokenize",
         "augment", "train_model", "tune_hparams", "evaluate", "calibrate", "explain",
         "fairness_check", "export_onnx", "quantize", "package", "register_model",
         "deploy_canary", "smoke_test", "promote"]
EXPERIMENTS = [f"exp-{i:02d}" for i in range(50)]
RUN_TYPES = ["train", "eval", "score"]
ERR_TYPES = ["ValueError", "KeyError", "TimeoutError", "OSError", "RuntimeError",
             "MemoryError"]
METRICS = ["rows_processed", "gpu_util", "loss", "throughput", "memory_mb"]
RARE_TOKEN = "qx7z9"   # appears as a whole term in ~1 of 50,000 messages
RUN_ID = "run-01234"   # the run whose logs Q3 fetches

TRACE_COLS = ["ts_ms", "message", "severity", "parent_run_id", "step_name", "experiment",
              "run_type", "status", "duration_ms"]
METRIC_COLS = ["ts_ms", "name", "value", "parent_run_id", "step_name"]


def iso(ms):
    s, frac = divmod(ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + f".{frac:03d}Z"


def _runs(rng):
    runs = []
    for i in range(N_RUNS):
        start = rng.randrange(START_MS - RUN_HOURS * 3600000, END_MS)
        runs.append((start, f"run-{i:05d}", rng.choice(RUN_TYPES), rng.choice(EXPERIMENTS)))
    runs.sort()
    return runs


def _active(runs, starts, t, rng):
    """A run whose window [start, start+RUN_HOURS) holds t (there is always one: fall back to
    the nearest earlier start)."""
    hi = bisect.bisect_right(starts, t)
    lo = bisect.bisect_left(starts, t - RUN_HOURS * 3600000)
    if hi <= lo:
        return runs[max(hi - 1, 0)]
    return runs[rng.randrange(lo, hi)]


def traces(rows, seed=42):
    """Yield trace rows as tuples in TRACE_COLS order, in time order."""
    rng = random.Random(seed)
    runs = _runs(rng)
    starts = [r[0] for r in runs]
    span = END_MS - START_MS
    step_w = [1 + (i % 5) for i in range(len(STEPS))]
    for i in range(rows):
        lo = START_MS + (i * span) // rows
        hi = START_MS + ((i + 1) * span) // rows
        ts = lo + (rng.randrange(hi - lo) if hi > lo else 0)
        _, run_id, run_type, exp = _active(runs, starts, ts, rng)
        step = rng.choices(STEPS, step_w)[0]
        r = rng.random()
        duration = None
        # error rate depends on the experiment and the step, so "top experiments by errors"
        # and "errors by step" have clear answers
        err_p = 0.02 + 0.0015 * (int(exp[4:]) % 17) + (0.03 if step in ("train_model", "deploy_canary") else 0)
        if r < 0.00002:
            msg = f"{step}: checksum mismatch in shard {RARE_TOKEN} at offset {rng.randrange(1 << 20)}"
            sev, status = 2, "Running"
        elif r < 0.00002 + err_p:
            et = rng.choice(ERR_TYPES)
            msg = f"Step {step} failed: {et}: attempt {rng.randrange(1, 4)} for run {run_id}"
            sev = 4 if rng.random() < 0.1 else 3
            status = "Failed"
            duration = rng.randrange(10, 600000)
        elif r < 0.12:
            msg = f"Step {step} started for run {run_id}"
            sev, status = 1, "Running"
        elif r < 0.22:
            base = 1000 * (1 + STEPS.index(step))
            duration = base + int(rng.expovariate(1.0 / (base * 3)))
            msg = f"Step {step} finished in {duration} ms"
            sev, status = 1, "Succeeded"
        elif r < 0.30:
            msg = f"{step}: slow batch {rng.randrange(5000)} retried after {rng.randrange(1, 30)} s"
            sev, status = 2, "Running"
        else:
            n = rng.randrange(1, 5000)
            msg = f"{step}: processed batch {n} of 5000 ({rng.randrange(100, 100000)} rows)"
            sev, status = (0 if rng.random() < 0.3 else 1), "Running"
        yield (ts, msg, sev, run_id, step, exp, run_type, status, duration)


def metrics(rows, seed=7):
    rng = random.Random(seed)
    runs = _runs(random.Random(42))   # same runs as the traces
    starts = [r[0] for r in runs]
    span = END_MS - START_MS
    for i in range(rows):
        lo = START_MS + (i * span) // rows
        hi = START_MS + ((i + 1) * span) // rows
        ts = lo + (rng.randrange(hi - lo) if hi > lo else 0)
        _, run_id, _, _ = _active(runs, starts, ts, rng)
        step = rng.choice(STEPS)
        name = rng.choice(METRICS)
        if name == "rows_processed":
            value = float(rng.randrange(1000, 1000000))
        elif name == "gpu_util":
            value = float(rng.randrange(0, 101))
        elif name == "loss":
            value = rng.randrange(1, 100000) / 1024.0     # exact in binary
        elif name == "throughput":
            value = float(rng.randrange(10, 50000))
        else:
            value = float(rng.randrange(256, 65536))
        yield (ts, name, value, run_id, step)


def tsv_trace(row):
    ts, msg, sev, run_id, step, exp, run_type, status, duration = row
    return "\t".join((iso(ts)[:-1].replace("T", " "), msg, str(sev), run_id, step, exp, run_type,
                      status, "\\N" if duration is None else str(duration))) + "\n"


def tsv_metric(row):
    ts, name, value, run_id, step = row
    return "\t".join((iso(ts)[:-1].replace("T", " "), name, repr(value), run_id, step)) + "\n"


def ch_line(ts, tsv_line):
    """ClickHouse 18.16 has no DateTime64: the same row with the time as Int64 milliseconds."""
    return str(ts) + tsv_line[tsv_line.index("\t"):]


def envelope_trace(row, ikey):
    ts, msg, sev, run_id, step, exp, run_type, status, duration = row
    props = {"parent_run_id": run_id, "step_name": step, "experiment": exp,
             "run_type": run_type, "status": status}
    if duration is not None:
        props["duration_ms"] = str(duration)
    return {"name": "Microsoft.ApplicationInsights.Message", "time": iso(ts), "iKey": ikey,
            "tags": {"ai.cloud.role": "pipeline", "ai.operation.id": run_id,
                     "ai.internal.sdkVersion": "py3:0.11.10"},
            "data": {"baseType": "MessageData",
                     "baseData": {"ver": 2, "message": msg, "severityLevel": sev,
                                  "properties": props}}}


def envelope_metric(row, ikey):
    ts, name, value, run_id, step = row
    return {"name": "Microsoft.ApplicationInsights.Metric", "time": iso(ts), "iKey": ikey,
            "tags": {"ai.cloud.role": "pipeline", "ai.operation.id": run_id},
            "data": {"baseType": "MetricData",
                     "baseData": {"ver": 2, "metrics": [{"name": name, "kind": 0, "value": value}],
                                  "properties": {"parent_run_id": run_id, "step_name": step}}}}


def write_all(out_dir, rows, ikey, batch=5000):
    """Write traces.tsv, metrics.tsv (DuckDB, PostgreSQL), traces_ch.tsv, metrics_ch.tsv
    (ClickHouse) and calypso_bodies.jsonl (one /v2/track POST body per line)."""
    import os
    n_metrics = rows // 10
    j = lambda n: os.path.join(out_dir, n)
    with open(j("traces.tsv"), "w") as ft, open(j("metrics.tsv"), "w") as fm, \
            open(j("traces_ch.tsv"), "w") as fct, open(j("metrics_ch.tsv"), "w") as fcm, \
            open(j("calypso_bodies.jsonl"), "w") as fb:
        buf = []
        dumps = json.JSONEncoder(separators=(",", ":")).encode
        for row in traces(rows):
            line = tsv_trace(row)
            ft.write(line)
            fct.write(ch_line(row[0], line))
            buf.append(dumps(envelope_trace(row, ikey)))
            if len(buf) >= batch:
                fb.write("[" + ",".join(buf) + "]\n")
                buf = []
        if buf:
            fb.write("[" + ",".join(buf) + "]\n")
            buf = []
        for row in metrics(n_metrics):
            line = tsv_metric(row)
            fm.write(line)
            fcm.write(ch_line(row[0], line))
            buf.append(dumps(envelope_metric(row, ikey)))
            if len(buf) >= batch:
                fb.write("[" + ",".join(buf) + "]\n")
                buf = []
        if buf:
            fb.write("[" + ",".join(buf) + "]\n")
    return rows, n_metrics
