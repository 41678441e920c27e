"""Ingestion throughput over HTTP: Calypso (Application Insights JSON and OTLP/JSON logs)
beside ClickHouse inserts of the same rows, at the same batch size and concurrency.

    /usr/bin/python3 bench/ingest_http.py [--rows 1000000] [--batch 500] [--conns 8]

What exporters do: N keep-alive connections, each posting batches of --batch items as fast as
the server answers. Every body is rendered before the clock starts (the client's JSON work is
not measured), the rows are the pipeline logs of bench/gen.py, and each system starts empty.
A 429/503 answer (back-pressure) makes the client wait Retry-After (at most 1 s) and send
the same body again, as the SDKs do; those waits count. Rows accepted are checked against the
rows sent. The report goes to stdout and, with --out, to a Markdown file.
"""
from common import *  # noqa: F401,F403
from common import gen  # noqa: F401
from systems import Calypso, ClickHouse

CH_COLUMNS = "ts_ms, message, severity, parent_run_id, step_name, experiment, run_type, status, duration_ms"


def appinsights_bodies(rows, batch):
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    bodies, buf = [], []
    for row in gen.traces(rows):
        buf.append(dumps(gen.envelope_trace(row, IKEY)))
        if len(buf) == batch:
            bodies.append(("[" + ",".join(buf) + "]").encode())
            buf = []
    if buf:
        bodies.append(("[" + ",".join(buf) + "]").encode())
    return bodies


def otlp_record(row):
    ts, msg, sev, run_id, step, exp, run_type, status, duration = row
    attrs = [("parent_run_id", run_id), ("step_name", step), ("experiment", exp),
             ("run_type", run_type), ("status", status)]
    if duration is not None:
        attrs.append(("duration_ms", str(duration)))
    return {"timeUnixNano": str(ts * 1_000_000), "severityNumber": [5, 9, 13, 17, 21][sev],
            "severityText": ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"][sev],
            "body": {"stringValue": msg},
            "attributes": [{"key": k, "value": {"stringValue": v}} for k, v in attrs]}


def otlp_bodies(rows, batch):
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": "pipeline"}}]}
    bodies, buf = [], []

    def flush():
        bodies.append(dumps({"resourceLogs": [{"resource": resource, "scopeLogs": [
            {"scope": {"name": "bench"}, "logRecords": buf}]}]}).encode())

    for row in gen.traces(rows):
        buf.append(otlp_record(row))
        if len(buf) == batch:
            flush()
            buf = []
    if buf:
        flush()
    return bodies


def clickhouse_bodies(rows, batch):
    bodies, buf = [], []
    for row in gen.traces(rows):
        buf.append(gen.ch_line(row[0], gen.tsv_trace(row)))
        if len(buf) == batch:
            bodies.append("".join(buf).encode())
            buf = []
    if buf:
        bodies.append("".join(buf).encode())
    return bodies


def blast(port, path, bodies, headers, conns, accepted_of):
    """Posts every body over `conns` keep-alive connections; returns (seconds, retries,
    rows accepted). accepted_of(status, response_bytes, body_index) gives the rows a 2xx
    answer accepted."""
    next_body = iter(range(len(bodies)))
    lock = threading.Lock()
    totals = {"accepted": 0, "retries": 0}
    errors = []

    def worker():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        while not errors:
            with lock:
                i = next(next_body, None)
            if i is None:
                break
            while True:
                try:
                    c.request("POST", path, bodies[i], headers)
                    r = c.getresponse()
                    text = r.read()
                except (http.client.HTTPException, ConnectionError):
                    c.close()  # ClickHouse 18.16 drops idle keep-alive connections
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
                    continue
                if r.status in (429, 503):
                    with lock:
                        totals["retries"] += 1
                    time.sleep(min(float(r.getheader("Retry-After") or 1), 1.0))
                    continue
                if r.status // 100 != 2:
                    errors.append(f"HTTP {r.status}: {text[:300]!r}")
                    break
                with lock:
                    totals["accepted"] += accepted_of(r.status, text, i)
                break
        c.close()

    threads = [threading.Thread(target=worker) for _ in range(conns)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.perf_counter() - t0
    if errors:
        raise RuntimeError(errors[0])
    return secs, totals["retries"], totals["accepted"]


def run_calypso(work, name, path, bodies, content_type, rows, conns, batch):
    server = Calypso(os.path.join(work, name))
    server.start()
    try:
        if path == "/v2/track":
            def accepted(status, text, i):
                return json.loads(text)["itemsAccepted"]
        else:  # OTLP: partial_success.rejectedLogRecords says what was refused
            def accepted(status, text, i):
                answer = json.loads(text) if text else {}
                rejected = int(answer.get("partialSuccess", {}).get("rejectedLogRecords", 0) or 0)
                return min(batch, rows - i * batch) - rejected
        secs, retries, n = blast(server.port, path, bodies, {"Content-Type": content_type},
                                 conns, accepted)
        stored = int(server_count(server, "traces"))
    finally:
        server.stop()
    if n != rows or stored != rows:
        raise RuntimeError(f"calypso {name}: accepted {n}, stored {stored} of {rows} rows")
    return secs, retries


def server_count(server, table):
    server.conn.request("POST", "/v1/workspaces/default/query",
                        json.dumps({"query": f"{table} | count"}),
                        {"Content-Type": "application/json"})
    r = server.conn.getresponse()
    return json.loads(r.read())["tables"][0]["rows"][0][0]


def run_clickhouse(work, bodies, rows, conns):
    ch = ClickHouse(work)
    ch.start()
    try:
        ch.sql(f"""CREATE TABLE traces (ts_ms Int64, message String, severity Int32,
            parent_run_id String, step_name String, experiment String, run_type String,
            status String, duration_ms Nullable(Float64),
            ts DateTime MATERIALIZED toDateTime(intDiv(ts_ms, 1000)))
            ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (parent_run_id, ts_ms)""")
        query = urllib.parse.urlencode(
            {"query": f"INSERT INTO traces ({CH_COLUMNS}) FORMAT TabSeparated"})
        secs, retries, _ = blast(ch.port, "/?" + query, bodies, {}, conns,
                                 lambda status, text, i: 0)
        stored = int(ch.sql("SELECT count() FROM traces").decode())
        version = ch.version()
    finally:
        ch.stop()
    if stored != rows:
        raise RuntimeError(f"clickhouse holds {stored} of {rows} rows")
    return secs, retries, version


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--systems", default="appinsights,otlp,clickhouse")
    ap.add_argument("--out", default=None, help="also write the report to this Markdown file")
    args = ap.parse_args()
    chosen = args.systems.split(",")
    ensure_installed()
    work = tempfile.mkdtemp(prefix="calypso-ingest-bench-")
    os.chmod(work, 0o755)
    results = []
    try:
        plans = [("appinsights", "Calypso, App Insights JSON (/v2/track)", appinsights_bodies),
                 ("otlp", "Calypso, OTLP/JSON logs (/v1/logs)", otlp_bodies),
                 ("clickhouse", "ClickHouse, INSERT ... FORMAT TabSeparated", clickhouse_bodies)]
        for key, label, render in plans:
            if key not in chosen:
                continue
            log(f"{key}: rendering {args.rows:,} rows in batches of {args.batch}")
            bodies = render(args.rows, args.batch)
            nbytes = sum(len(b) for b in bodies)
            log(f"{key}: sending {len(bodies):,} bodies, {nbytes / 1e6:,.0f} MB, over {args.conns} connections")
            if key == "clickhouse":
                secs, retries, version = run_clickhouse(work, bodies, args.rows, args.conns)
                label += f" ({version})"
            else:
                path, ctype = (("/v2/track", "application/json") if key == "appinsights"
                               else ("/v1/logs", "application/json"))
                secs, retries = run_calypso(work, key, path, bodies, ctype, args.rows,
                                            args.conns, args.batch)
            results.append((key, label, secs, nbytes, retries))
            log(f"{key}: {args.rows / secs:,.0f} rows/s, {nbytes / secs / 1e6:,.0f} MB/s, {retries} retries")
            del bodies
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ch = next((r for r in results if r[0] == "clickhouse"), None)
    lines = [f"# HTTP ingestion throughput ({time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC)", "",
             f"`/usr/bin/python3 bench/ingest_http.py {' '.join(sys.argv[1:])}`: {args.rows:,} pipeline "
             f"log rows, batches of {args.batch}, {args.conns} connections, {os.cpu_count()} cores, "
             "client and server on the same machine.", "",
             "| system | rows/s | body MB/s | seconds | back-pressure retries | vs ClickHouse |",
             "|---|---:|---:|---:|---:|---:|"]
    for key, label, secs, nbytes, retries in results:
        ratio = f"{(args.rows / secs) / (args.rows / ch[2]):.2f}x" if ch else "-"
        lines.append(f"| {label} | {args.rows / secs:,.0f} | {nbytes / secs / 1e6:,.0f} | "
                     f"{secs:.1f} | {retries} | {ratio} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(report)


if __name__ == "__main__":
    main()
