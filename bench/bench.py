#!/usr/bin/python3
"""Calypso beside ClickHouse, DuckDB and PostgreSQL on the same data, in one run.

    /usr/bin/python3 bench/bench.py --rows 1000000      (what `make bench` runs)

Generates the dataset (gen.py), installs the peers when missing (apt-get, npm ci), and then,
one system at a time so none competes with another for the 2 cores:
  start -> load (timed) -> graceful stop -> bytes on disk -> start again -> every query
  once cold and --warm times warm -> stop,
watching the peak resident memory (VmHWM) of the system's processes throughout. Answers are
normalized and compared (queries.py), a table is printed and bench/RESULTS.md written.

Exit status: 0 when every peer answered every query, the peers agreed with each other, and
every query Calypso answered agreed with them. A query Calypso cannot run yet is reported as
"error: <message>" and does not fail the run; a wrong answer does.
"""
import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen  # noqa: E402
import queries as Q  # noqa: E402

IKEY = "6b1f4a57-3c1e-4d0e-9f5a-0b2c3d4e5f60"
CALYPSO = os.environ.get("CALYPSO_BIN") or os.path.join(ROOT, "build", "release", "src", "app", "calypso")
PG_BIN = "/usr/lib/postgresql/15/bin"
CH_SERVER = "/usr/sbin/clickhouse-server"
SYSTEMS = ["calypso", "clickhouse", "duckdb", "postgres"]
PEERS = SYSTEMS[1:]


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


class QueryError(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def du(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(dirpath, f)).st_blocks * 512
            except OSError:
                pass
    return total


def vm_hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def children_of(root):
    """root and all its descendants (by walking /proc/*/stat)."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    s = f.read()
                parent[int(d)] = int(s[s.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                pass
    out, todo = {root}, [root]
    while todo:
        p = todo.pop()
        for c, pp in parent.items():
            if pp == p and c not in out:
                out.add(c)
                todo.append(c)
    return out


class MemWatch(threading.Thread):
    """Largest VmHWM of any process in the tree under root_pid, sampled every 0.2 s (the
    kernel keeps the high-water mark, so sampling only has to catch short-lived children)."""

    def __init__(self, root_pid):
        super().__init__(daemon=True)
        self.root, self.peak, self.halt = root_pid, 0, threading.Event()
        self.start()

    def sample(self):
        for p in children_of(self.root):
            self.peak = max(self.peak, vm_hwm(p) or 0)

    def run(self):
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(0.2)

    def stop(self):
        self.sample()
        self.halt.set()
        self.join()
        return self.peak


def wait_http(port, path, deadline_s=60, proc=None):
    end = time.time() + deadline_s
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"127.0.0.1:{port}{path} did not answer")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# --------------------------------------------------------------------------------- installs

def apt_install(pkgs):
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    log(f"installing {' '.join(pkgs)} with apt-get")
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", *pkgs], env=env)


def ensure_installed():
    if not os.path.exists(CH_SERVER):
        apt_install(["clickhouse-server", "clickhouse-client"])
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        apt_install(["postgresql-15"])
    if not shutil.which("node"):
        raise SystemExit("node is required for the DuckDB peer (node 20 is expected)")
    dd = os.path.join(HERE, "duckdb")
    if not os.path.exists(os.path.join(dd, "node_modules", "@duckdb", "node-api", "package.json")):
        log("installing @duckdb/node-api with npm ci")
        run(["npm", "ci", "--no-audit", "--no-fund"], cwd=dd)
    if not os.access(CALYPSO, os.X_OK):
        raise SystemExit(f"{CALYPSO} is missing: run `make build` (make bench does)")


# ---------------------------------------------------------------------------------- systems

class Calypso:
    name = "calypso"

    def __init__(self, work):
        self.dir = os.path.join(work, "calypso")
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.data)
        self.proc = None
        self.port = free_port()
        self.conn = None

    def version(self):
        return subprocess.run([CALYPSO, "version"], capture_output=True, text=True).stdout.strip()

    def start(self):
        # the dataset has fixed dates (2026-10): keep it whatever the default retention
        config = os.path.join(self.dir, "calypso.toml")
        with open(config, "w") as f:
            f.write("[storage]\nretention_days = 36500\n")
        self.log = open(os.path.join(self.dir, "server.log"), "ab")
        self.proc = subprocess.Popen([CALYPSO, "serve", "--data", self.data, "--listen",
                                      f"127.0.0.1:{self.port}", "--ikey", IKEY, "--config", config],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_http(self.port, "/healthz", proc=self.proc)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)

    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.conn:
            self.conn.close()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=600)
        self.log.close()

    def load(self, files, rows):
        """POST the pre-rendered /v2/track bodies over 2 keep-alive connections. Like an SDK,
        items answered 503/500/429 (the store's back-pressure) are sent again, after a backoff
        of 0.1 s doubling up to the server's Retry-After; the waits count in the load time and
        are reported."""
        lock = threading.Lock()
        src = open(files["calypso_bodies"])
        stats = {"accepted": 0, "bytes": 0, "retries": 0, "wait": 0.0}
        errors = []

        def post(c, body):
            c.request("POST", "/v2/track", body, {"Content-Type": "application/json"})
            r = c.getresponse()
            return r.status, r.getheader("Retry-After"), r.read()

        def worker():
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
            while not errors:
                with lock:
                    line = src.readline()
                if not line:
                    break
                body = line.rstrip("\n").encode()
                with lock:
                    stats["bytes"] += len(body)
                backoff = 0.1
                while True:
                    status, retry_after, text = post(c, body)
                    ans = json.loads(text) if text[:1] == b"{" else {}
                    with lock:
                        stats["accepted"] += ans.get("itemsAccepted", 0)
                    if status == 200:
                        break
                    errs = ans.get("errors", [])
                    again = [e["index"] for e in errs if e.get("statusCode") in (429, 500, 503)]
                    if status in (503, 500, 429) and not errs:
                        pass  # the whole request was refused: send it again as it is
                    elif status not in (206, 503, 500, 429) or len(again) != len(errs) or not again:
                        errors.append(f"HTTP {status}: {text[:300]!r}")
                        break
                    else:
                        items = json.loads(body)
                        body = json.dumps([items[i] for i in again], separators=(",", ":")).encode()
                    cap = float(retry_after) if retry_after else 5.0
                    wait = min(backoff, cap)
                    with lock:
                        stats["retries"] += 1
                        stats["wait"] += wait
                    time.sleep(wait)
                    backoff = min(backoff * 2, cap)
            c.close()

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        secs = time.perf_counter() - t0
        src.close()
        if errors:
            raise RuntimeError("calypso ingestion failed: " + errors[0])
        if stats["accepted"] != rows:
            raise RuntimeError(f"calypso accepted {stats['accepted']} of {rows} items")
        self.load_note = (f"{stats['retries']} back-pressure retries (429/503 answers such as 'write buffer full'), "
                          f"{stats['wait']:.1f} s of client backoff in total")
        return secs, stats["bytes"]

    def disk_bytes(self):
        return du(self.data)

    def query(self, q, runs):
        body = json.dumps({"query": q["kql"]})
        times, answer = [], None
        for _ in range(runs):
            t0 = time.perf_counter()
            self.conn.request("POST", "/v1/workspaces/default/query", body,
                              {"Content-Type": "application/json"})
            r = self.conn.getresponse()
            text = r.read()
            times.append(time.perf_counter() - t0)
            if r.status != 200:
                try:
                    err = json.loads(text)["error"]
                    msg = err.get("innererror", {}).get("message") or err.get("message")
                except (ValueError, KeyError, TypeError):
                    msg = text[:300].decode(errors="replace")
                raise QueryError(f"HTTP {r.status}: {msg}")
            answer = text
        t = json.loads(answer)["tables"][0]
        return times, [c["name"] for c in t["columns"]], t["rows"]


CH_CONFIG = """<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/log/server.log</log><errorlog>{d}/log/error.log</errorlog>
    <size>100M</size><count>2</count><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>{http}</http_port>
  <tcp_port>{tcp}</tcp_port>
  <interserver_http_port>{inter}</interserver_http_port>
  <max_connections>64</max_connections>
  <keep_alive_timeout>30</keep_alive_timeout>
  <max_concurrent_queries>16</max_concurrent_queries>
  <uncompressed_cache_size>8589934592</uncompressed_cache_size>
  <mark_cache_size>1073741824</mark_cache_size>
  <path>{d}/data/</path>
  <tmp_path>{d}/tmp/</tmp_path>
  <user_files_path>{d}/user_files/</user_files_path>
  <format_schema_path>{d}/format_schemas/</format_schema_path>
  <users_config>{d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
  <max_session_timeout>3600</max_session_timeout>
  <default_session_timeout>60</default_session_timeout>
</yandex>
"""

CH_USERS = """<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>10000000000</max_memory_usage>
    <load_balancing>random</load_balancing></default></profiles>
  <users><default><password></password>
    <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
"""


class ClickHouse:
    name = "clickhouse"

    def __init__(self, work):
        self.dir = os.path.join(work, "clickhouse")
        for sub in ("log", "data", "tmp", "user_files", "format_schemas"):
            os.makedirs(os.path.join(self.dir, sub))
        self.port = free_port()
        with open(os.path.join(self.dir, "config.xml"), "w") as f:
            f.write(CH_CONFIG.format(d=self.dir, http=self.port, tcp=free_port(), inter=free_port()))
        with open(os.path.join(self.dir, "users.xml"), "w") as f:
            f.write(CH_USERS)
        self.proc = None
        self.conn = None

    def start(self):
        self.log = open(os.path.join(self.dir, "log", "stdout.log"), "ab")
        self.proc = subprocess.Popen([CH_SERVER, f"--config-file={self.dir}/config.xml"],
                                     stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)
        wait_http(self.port, "/ping", proc=self.proc)
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)

    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.conn:
            self.conn.close()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def sql(self, query, body=None, headers=None):
        """Run one statement; returns the response body. Uses a fresh connection because
        18.16 closes keep-alive connections after 3 s idle."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
        params = {"query": query, "wait_end_of_query": "1"} if body is not None else {"wait_end_of_query": "1"}
        url = "/?" + urllib.parse.urlencode(params)
        c.request("POST", url, body if body is not None else query.encode(), headers or {})
        r = c.getresponse()
        text = r.read()
        c.close()
        if r.status != 200:
            raise QueryError(f"HTTP {r.status}: {text[:400].decode(errors='replace').strip()}")
        return text

    def version(self):
        return "ClickHouse " + self.sql("SELECT version()").decode().strip()

    def load(self, files, rows):
        self.sql("""CREATE TABLE traces (ts_ms Int64, message String, severity Int32,
            parent_run_id String, step_name String, experiment String, run_type String,
            status String, duration_ms Nullable(Float64),
            ts DateTime MATERIALIZED toDateTime(intDiv(ts_ms, 1000)))
            ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (parent_run_id, ts_ms)""")
        self.sql("""CREATE TABLE metrics (ts_ms Int64, name String, value Float64,
            parent_run_id String, step_name String,
            ts DateTime MATERIALIZED toDateTime(intDiv(ts_ms, 1000)))
            ENGINE = MergeTree() PARTITION BY toYYYYMMDD(ts) ORDER BY (name, parent_run_id, ts_ms)""")
        nbytes = 0
        t0 = time.perf_counter()
        for table, key, cols in (("traces", "traces_ch", gen.TRACE_COLS),
                                 ("metrics", "metrics_ch", gen.METRIC_COLS)):
            size = os.path.getsize(files[key])
            nbytes += size
            with open(files[key], "rb") as f:
                self.sql(f"INSERT INTO {table} ({', '.join(cols)}) FORMAT TabSeparated", body=f,
                         headers={"Content-Length": str(size)})
        for table in ("traces", "metrics"):
            self.sql(f"OPTIMIZE TABLE {table} FINAL")
        secs = time.perf_counter() - t0
        n = int(self.sql("SELECT count() FROM traces").decode()) + \
            int(self.sql("SELECT count() FROM metrics").decode())
        if n != rows:
            raise RuntimeError(f"clickhouse holds {n} of {rows} rows")
        return secs, nbytes

    def disk_bytes(self):
        return du(os.path.join(self.dir, "data", "data", "default"))

    def query(self, q, runs):
        url = "/?" + urllib.parse.urlencode({"wait_end_of_query": "1"})
        body = (q["clickhouse"] + " FORMAT JSONCompact").encode()
        times, text = [], None
        for _ in range(runs):
            t0 = time.perf_counter()
            try:
                self.conn.request("POST", url, body)
                r = self.conn.getresponse()
            except (http.client.HTTPException, OSError):
                # keep-alive connection closed by the server between runs: reconnect, retry
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=3600)
                t0 = time.perf_counter()
                self.conn.request("POST", url, body)
                r = self.conn.getresponse()
            text = r.read()
            times.append(time.perf_counter() - t0)
            if r.status != 200:
                raise QueryError(f"HTTP {r.status}: {text[:400].decode(errors='replace').strip()}")
        ans = json.loads(text)
        return times, [m["name"] for m in ans["meta"]], ans["data"]


class DuckDB:
    name = "duckdb"

    def __init__(self, work):
        self.dir = os.path.join(work, "duckdb")
        os.makedirs(self.dir)
        self.db = os.path.join(self.dir, "bench.duckdb")
        self.proc = None

    def call(self, **cmd):
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("duckdb peer exited: " + self.proc.stderr.read())
        ans = json.loads(line)
        if not ans.get("ok"):
            raise QueryError(ans.get("error", "unknown error"))
        return ans

    def start(self):
        self.proc = subprocess.Popen(["node", os.path.join(HERE, "duckdb", "duckdb_peer.mjs")],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=os.path.join(HERE, "duckdb"))
        self.call(op="open", path=self.db)

    def pid(self):
        return self.proc.pid

    def stop(self):
        self.call(op="close")
        self.proc.stdin.close()
        self.proc.wait(timeout=120)

    def version(self):
        return "DuckDB " + self.call(op="version")["version"] + " (@duckdb/node-api)"

    def load(self, files, rows):
        def csv(path, cols):
            spec = ", ".join(f"'{c}': '{t}'" for c, t in cols)
            return (f"read_csv('{path}', delim='\\t', header=false, quote='', escape='', "
                    f"nullstr='\\N', auto_detect=false, columns={{{spec}}})")
        traces = csv(files["traces"], [("ts", "TIMESTAMP"), ("message", "VARCHAR"), ("severity", "INTEGER"),
                                       ("parent_run_id", "VARCHAR"), ("step_name", "VARCHAR"),
                                       ("experiment", "VARCHAR"), ("run_type", "VARCHAR"),
                                       ("status", "VARCHAR"), ("duration_ms", "DOUBLE")])
        metrics = csv(files["metrics"], [("ts", "TIMESTAMP"), ("name", "VARCHAR"), ("value", "DOUBLE"),
                                         ("parent_run_id", "VARCHAR"), ("step_name", "VARCHAR")])
        t0 = time.perf_counter()
        self.call(op="exec", sql=f"CREATE TABLE traces AS SELECT * FROM {traces}")
        self.call(op="exec", sql=f"CREATE TABLE metrics AS SELECT * FROM {metrics}")
        self.call(op="exec", sql="CREATE INDEX traces_run ON traces (parent_run_id)")
        self.call(op="exec", sql="CHECKPOINT")
        secs = time.perf_counter() - t0
        n = self.call(op="query", sql="SELECT (SELECT count(*) FROM traces) + (SELECT count(*) FROM metrics)",
                      runs=1)["rows"][0][0]
        if int(n) != rows:
            raise RuntimeError(f"duckdb holds {n} of {rows} rows")
        return secs, os.path.getsize(files["traces"]) + os.path.getsize(files["metrics"])

    def disk_bytes(self):
        return sum(os.path.getsize(os.path.join(self.dir, f)) for f in os.listdir(self.dir))

    def query(self, q, runs):
        ans = self.call(op="query", sql=q["duckdb"], runs=runs)
        return [t / 1000 for t in ans["times_ms"]], ans["columns"], ans["rows"]


class Postgres:
    name = "postgres"
    SETTINGS = ["shared_buffers=2GB", "work_mem=256MB", "maintenance_work_mem=1GB",
                "effective_cache_size=8GB", "max_parallel_workers_per_gather=2",
                "max_wal_size=8GB", "random_page_cost=1.1", "jit=off"]

    def __init__(self, work):
        self.dir = os.path.join(work, "postgres")
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.dir)
        shutil.chown(self.dir, "postgres", "postgres")
        os.chmod(work, 0o755)
        self.port = free_port()
        run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres",
             "-A", "trust", "-E", "UTF8", "--locale=C"], stdout=subprocess.DEVNULL)

    def start(self):
        opts = " ".join(f"-c {s}" for s in self.SETTINGS + [
            f"port={self.port}", "listen_addresses=127.0.0.1", f"unix_socket_directories={self.dir}",
            "timezone=UTC"])
        run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", self.data, "-l",
             os.path.join(self.dir, "server.log"), "-o", opts, "-w", "start"], stdout=subprocess.DEVNULL)

    def pid(self):
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            return int(f.readline())

    def stop(self):
        run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast",
             "-w", "stop"], stdout=subprocess.DEVNULL)

    def psql(self, *commands, stdin=None):
        cmd = [f"{PG_BIN}/psql", "-X", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
               "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-A", "-t", "-F", "\t", "-P", "null=\\N",
               "-P", "pager=off"]
        for c in commands:
            cmd += ["-c", c]
        r = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PGTZ="UTC"))
        if r.returncode != 0:
            raise QueryError(r.stderr.strip()[:400])
        return r.stdout

    def version(self):
        return "PostgreSQL " + self.psql("SHOW server_version").strip()

    def load(self, files, rows):
        self.psql("CREATE EXTENSION pg_trgm")
        self.psql("""CREATE TABLE traces (ts timestamp(3) NOT NULL, message text NOT NULL,
            severity int NOT NULL, parent_run_id text NOT NULL, step_name text NOT NULL,
            experiment text NOT NULL, run_type text NOT NULL, status text NOT NULL,
            duration_ms double precision)""")
        self.psql("""CREATE TABLE metrics (ts timestamp(3) NOT NULL, name text NOT NULL,
            value double precision NOT NULL, parent_run_id text NOT NULL, step_name text NOT NULL)""")
        t0 = time.perf_counter()
        self.psql(f"\\copy traces FROM '{files['traces']}'")
        self.psql(f"\\copy metrics FROM '{files['metrics']}'")
        # parent_run_id is a real column here, so the "expression index" is a plain B-tree on
        # it (the same tree CREATE INDEX ON t ((dims->>'parent_run_id')) would build)
        self.psql("CREATE INDEX traces_run ON traces (parent_run_id)")
        self.psql("CREATE INDEX traces_ts ON traces (ts)")
        self.psql("CREATE INDEX traces_msg_trgm ON traces USING gin (message gin_trgm_ops)")
        self.psql("VACUUM ANALYZE traces")
        self.psql("VACUUM ANALYZE metrics")
        secs = time.perf_counter() - t0
        n = int(self.psql("SELECT (SELECT count(*) FROM traces) + (SELECT count(*) FROM metrics)").strip())
        if n != rows:
            raise RuntimeError(f"postgres holds {n} of {rows} rows")
        return secs, os.path.getsize(files["traces"]) + os.path.getsize(files["metrics"])

    def disk_bytes(self):
        return int(self.psql("SELECT pg_total_relation_size('traces') + pg_total_relation_size('metrics')").strip())

    def query(self, q, runs):
        out = self.psql("\\timing on", *([q["postgres"]] * runs))
        times, blocks, cur = [], [], []
        for line in out.split("\n"):
            m = re.fullmatch(r"Time: ([\d.]+) ms(?: \(.*\))?", line)
            if line == "Timing is on.":
                continue
            if m:
                times.append(float(m.group(1)) / 1000)
                blocks.append(cur)
                cur = []
            elif line:
                cur.append(line)
        if len(times) != runs:
            raise QueryError(f"could not read psql timings: {out[:300]}")
        rows = [[None if v == "\\N" else v for v in l.split("\t")] for l in blocks[-1]]
        return times, None, rows


# ------------------------------------------------------------------------------ normalizing

_TS = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?Z?$")


def to_ms(v):
    if v is None:
        return None
    if isinstance(v, (int, float)):
        return int(v)
    s = str(v)
    if s.lstrip("-").isdigit():
        return int(s)
    m = _TS.match(s)
    if not m:
        raise ValueError(f"not a timestamp: {s!r}")
    y, mo, d, h, mi, se, frac = m.groups()
    base = int(dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(se),
                           tzinfo=dt.timezone.utc).timestamp()) * 1000
    return base + (int((frac or "0")[:3].ljust(3, "0")))


def normalize(kinds, rows):
    out = []
    for r in rows:
        if len(r) != len(kinds):
            raise ValueError(f"expected {len(kinds)} columns, got {len(r)}: {r}")
        n = []
        for k, v in zip(kinds, r):
            if v is None:
                n.append(None)
            elif k == "t":
                n.append(to_ms(v))
            elif k == "i":
                n.append(int(float(v)))
            elif k == "s":
                n.append(str(v))
            else:
                n.append(float(v))
        out.append(tuple(n))
    out.sort(key=lambda t: tuple((x is None, x if x is not None else 0) for x in t))
    return out


TOL = {"f": 1e-6, "p": 0.01, "d": 0.032}


def compare(kinds, ref, got):
    """None when equal, else a short reason."""
    if len(ref) != len(got):
        return f"{len(got)} rows, expected {len(ref)}"
    for i, (a, b) in enumerate(zip(ref, got)):
        for k, x, y in zip(kinds, a, b):
            if k in TOL and x is not None and y is not None:
                if abs(x - y) > TOL[k] * max(1.0, abs(x)):
                    return f"row {i}: {b} vs expected {a}"
            elif x != y:
                return f"row {i}: {b} vs expected {a}"
    return None


# ---------------------------------------------------------------------------------- running

def drop_caches():
    """Best effort: drop the OS page cache before the cold runs (needs root and a writable
    /proc/sys; in containers it usually is not)."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def bench_system(sysobj, files, rows, warm, result):
    name = sysobj.name
    r = result[name] = {"queries": {}}
    log(f"{name}: starting")
    sysobj.start()
    r["version"] = sysobj.version()
    watch = MemWatch(sysobj.pid())
    log(f"{name}: loading {rows:,} rows")
    secs, nbytes = sysobj.load(files, rows)
    r.update(load_s=secs, load_bytes=nbytes, peak_load=watch.stop(),
             load_note=getattr(sysobj, "load_note", None))
    log(f"{name}: loaded in {secs:.1f} s ({rows / secs:,.0f} rows/s, {nbytes / secs / 1e6:.1f} MB/s)")
    sysobj.stop()
    r["disk"] = sysobj.disk_bytes() if name != "postgres" else None
    r["caches_dropped"] = drop_caches()
    sysobj.start()
    if name == "postgres":
        r["disk"] = sysobj.disk_bytes()
    watch = MemWatch(sysobj.pid())
    for q in Q.QUERIES:
        qr = r["queries"][q["id"]] = {}
        try:
            times, cols, rows_ = sysobj.query(q, 1 + warm)
            qr.update(cold=times[0], warm=times[1:], columns=cols, rows=rows_)
            qr["norm"] = normalize(q["kinds"], rows_)
            log(f"{name}: {q['id']}: cold {times[0] * 1000:.1f} ms, warm median "
                f"{statistics.median(times[1:]) * 1000:.1f} ms, {len(rows_)} rows")
        except (QueryError, ValueError) as e:
            qr["error"] = str(e).replace("\n", " ")
            log(f"{name}: {q['id']}: error: {qr['error']}")
    r["peak_query"] = watch.stop()
    sysobj.stop()


def fmt_ms(s):
    ms = s * 1000
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 1 else f"{ms:.2f}"


def mb(n):
    return f"{n / 1e6:,.0f} MB" if n is not None else "n/a"


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) * 1024
    return {"nproc": os.cpu_count(), "mem": mem, "cpu": cpu, "kernel": platform.release()}


def analyse(result, rows):
    """Per query: reference answer, agreement of every system, best peer and ratio."""
    out = []
    ok = True
    for q in Q.QUERIES:
        qid = q["id"]
        ref_sys = next((p for p in PEERS if "norm" in result[p]["queries"][qid]), None)
        row = {"q": q, "agree": {}, "notes": []}
        if ref_sys is None:
            ok = False
            row["notes"].append("no peer answered")
        ref = result[ref_sys]["queries"][qid]["norm"] if ref_sys else None
        for s in SYSTEMS:
            qr = result[s]["queries"][qid]
            if "error" in qr:
                row["agree"][s] = "error"
                if s != "calypso":
                    ok = False
                continue
            diff = compare(q["kinds"], ref, qr["norm"]) if ref is not None else "no reference"
            row["agree"][s] = "yes" if diff is None else "NO"
            if diff is not None:
                ok = False
                row["notes"].append(f"{s} differs from {ref_sys}: {diff}")
        peers = [(statistics.median(result[p]["queries"][qid]["warm"]), p) for p in PEERS
                 if "warm" in result[p]["queries"][qid]]
        row["best"] = min(peers) if peers else None
        cq = result["calypso"]["queries"][qid]
        if "warm" in cq and row["best"]:
            row["ratio"] = statistics.median(cq["warm"]) / row["best"][0]
        out.append(row)
    return out, ok


def cell(qr):
    if "error" in qr:
        return "error"
    w = qr["warm"]
    return f"{fmt_ms(statistics.median(w))} [{fmt_ms(min(w))}–{fmt_ms(max(w))}] cold {fmt_ms(qr['cold'])}"


def render(result, analysis, ok, args, info, files_info, started, elapsed):
    m = info
    lines = []
    lines.append("# Benchmark results: Calypso beside ClickHouse, DuckDB and PostgreSQL\n")
    lines.append(f"Written by `bench/bench.py` on {started} UTC in {elapsed / 60:.1f} minutes. "
                 "Every figure below comes from that one run; rerun with `make bench` "
                 "(see bench/README.md for what is measured and the fairness rules).\n")
    lines.append("## Machine, versions, command\n")
    lines.append(f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem'] / 2**30:.1f} GiB RAM, Linux {m['kernel']}")
    lines.append(f"- command: `{args.command}`")
    lines.append(f"- data: {args.rows:,} traces + {args.rows // 10:,} customMetrics "
                 f"({files_info}), seed fixed, 30 days from 2026-10-01")
    lines.append(f"- runs per query: 1 cold (first after a restart; OS page cache "
                 f"{'dropped' if all(result[s].get('caches_dropped') for s in SYSTEMS) else 'not dropped (not permitted here)'}) "
                 f"+ {args.warm} warm; times in ms, median [min–max]")
    for s in SYSTEMS:
        lines.append(f"- {s}: {result[s].get('version', '?')}")
    lines.append("")
    lines.append("## Ingestion, disk, memory\n")
    lines.append("| system | load time | rows/s | MB/s (input) | bytes on disk | peak RSS (load) | peak RSS (queries) |")
    lines.append("|---|---|---|---|---|---|---|")
    total = args.rows + args.rows // 10
    for s in SYSTEMS:
        r = result[s]
        if "load_s" not in r:
            lines.append(f"| {s} | failed: {r.get('failed', '?')} | | | | | |")
            continue
        lines.append(f"| {s} | {r['load_s']:.1f} s | {total / r['load_s']:,.0f} | "
                     f"{r['load_bytes'] / r['load_s'] / 1e6:.1f} | {mb(r['disk'])} | {mb(r['peak_load'])} | "
                     f"{mb(r.get('peak_query'))} |")
    lines.append("")
    for s in SYSTEMS:
        if result[s].get("load_note"):
            lines.append(f"- {s} load: {result[s]['load_note']}")
    lines.append("")
    lines.append("Input bytes: Calypso's are the JSON envelopes it was POSTed; the peers' are the "
                 "TSV files their bulk loaders read (the same rows, keys already extracted).\n")
    lines.append("## Queries\n")
    lines.append("| query | " + " | ".join(SYSTEMS) + " | best peer | Calypso ÷ best | answers agree |")
    lines.append("|---|" + "---|" * (len(SYSTEMS) + 3))
    for a in analysis:
        q = a["q"]
        cells = [cell(result[s]["queries"][q["id"]]) for s in SYSTEMS]
        best = f"{a['best'][1]} {fmt_ms(a['best'][0])}" if a["best"] else "none"
        cq = result["calypso"]["queries"][q["id"]]
        ratio = f"**{a['ratio']:.2f}×**" if "ratio" in a else f"error: {cq.get('error', '?')}"
        agree = " ".join(("✓" if a["agree"][s] == "yes" else "✗" if a["agree"][s] == "NO" else "err")
                         for s in SYSTEMS)
        lines.append(f"| {q['id']}: {q['title']} | " + " | ".join(cells) + f" | {best} | {ratio} | {agree} |")
    lines.append("")
    lines.append("Agreement column: one mark per system in the order " + ", ".join(SYSTEMS) +
                 " (✓ same answer as the reference peer, ✗ different, err = the query failed). "
                 "Ratios below 1 mean Calypso is faster than the best peer.\n")
    errs = [(a["q"]["id"], s, result[s]["queries"][a["q"]["id"]]["error"]) for a in analysis
            for s in SYSTEMS if "error" in result[s]["queries"][a["q"]["id"]]]
    notes = [n for a in analysis for n in a["notes"]]
    lines.append("## Errors and disagreements\n")
    if not errs and not notes:
        lines.append("None: every system answered every query, and all answers agreed.\n")
    for qid, s, e in errs:
        lines.append(f"- {qid}: {s}: error: `{e}`")
    for n in notes:
        lines.append(f"- {n}")
    lines.append("")
    lines.append(f"Verdict: **{'PASS' if ok else 'FAIL'}** — every supported answer agreed "
                 f"(Calypso errors are reported above and do not fail the run; wrong answers and peer failures do).\n")
    lines.append("## The queries\n")
    for q in Q.QUERIES:
        lines.append(f"### {q['id']}: {q['title']}\n")
        lines.append("```kql\n" + q["kql"] + "\n```\n")
        for s in PEERS:
            lines.append(f"{s}:\n```sql\n{q[s]}\n```\n")
    note = os.path.join(HERE, "analysis.md")
    if os.path.exists(note):
        lines.append(open(note).read())
    return "\n".join(lines)


def print_table(result, analysis):
    w = 30
    hdr = f"{'query':<{w}}" + "".join(f"{s:>14}" for s in SYSTEMS) + f"{'best peer':>22}{'ratio':>9}  agree"
    print("\nwarm median ms (cold ms in parentheses below)")
    print(hdr)
    print("-" * len(hdr))
    for a in analysis:
        qid = a["q"]["id"]
        cells = []
        for s in SYSTEMS:
            qr = result[s]["queries"][qid]
            cells.append(f"{'error' if 'error' in qr else fmt_ms(statistics.median(qr['warm'])):>14}")
        best = f"{a['best'][1]} {fmt_ms(a['best'][0])}" if a["best"] else "none"
        ratio = f"{a['ratio']:.2f}x" if "ratio" in a else "error"
        agree = " ".join(("ok" if a["agree"][s] == "yes" else "NO" if a["agree"][s] == "NO" else "err")
                         for s in SYSTEMS)
        print(f"{qid:<{w}}" + "".join(cells) + f"{best:>22}{ratio:>9}  {agree}")
        print(f"{'':<{w}}" + "".join(
            f"{'' if 'error' in result[s]['queries'][qid] else '(' + fmt_ms(result[s]['queries'][qid]['cold']) + ')':>14}"
            for s in SYSTEMS))
    for a in analysis:
        cq = result["calypso"]["queries"][a["q"]["id"]]
        if "error" in cq:
            print(f"calypso {a['q']['id']}: error: {cq['error']}")
        for n in a["notes"]:
            print(f"{a['q']['id']}: {n}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000, help="trace rows (customMetrics: a tenth)")
    ap.add_argument("--warm", type=int, default=5, help="warm runs per query")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset (for debugging)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--tmp", default=None, help="parent of the temporary work directory")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    args.command = os.environ.get("BENCH_COMMAND") or "/usr/bin/python3 bench/bench.py " + " ".join(sys.argv[1:])
    chosen = args.systems.split(",")
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    t_start = time.time()

    ensure_installed()
    work = tempfile.mkdtemp(prefix="calypso-bench-", dir=args.tmp)
    os.chmod(work, 0o755)
    log(f"work directory {work}")
    procs = []
    try:
        log(f"generating {args.rows:,} traces and {args.rows // 10:,} metrics")
        t0 = time.time()
        gen.write_all(work, args.rows, IKEY)
        files = {k: os.path.join(work, k + (".jsonl" if k == "calypso_bodies" else ".tsv"))
                 for k in ("traces", "metrics", "traces_ch", "metrics_ch", "calypso_bodies")}
        for f in files.values():
            os.chmod(f, 0o644)
        files_info = (f"{os.path.getsize(files['calypso_bodies']) / 1e6:,.0f} MB of envelopes, "
                      f"{(os.path.getsize(files['traces']) + os.path.getsize(files['metrics'])) / 1e6:,.0f} MB of TSV")
        log(f"generated in {time.time() - t0:.0f} s: {files_info}")
        result = {}
        for cls in (Calypso, ClickHouse, DuckDB, Postgres):
            if cls.name not in chosen:
                result[cls.name] = {"queries": {q["id"]: {"error": "not run"} for q in Q.QUERIES}}
                continue
            s = cls(work)
            procs.append(s)
            try:
                bench_system(s, files, args.rows + args.rows // 10, args.warm, result)
            except Exception as e:  # a system that cannot even load is reported, not hidden
                log(f"{cls.name}: FAILED: {e}")
                r = result.setdefault(cls.name, {"queries": {}})
                r["failed"] = str(e)
                for q in Q.QUERIES:
                    r["queries"].setdefault(q["id"], {"error": f"system failed: {e}"})
                try:
                    s.stop()
                except Exception:
                    pass
        analysis, ok = analyse(result, args.rows)
        print_table(result, analysis)
        text = render(result, analysis, ok, args, machine(), files_info, started, time.time() - t_start)
        with open(args.out, "w") as f:
            f.write(text)
        with open(os.path.join(work, "result.json"), "w") as f:
            json.dump({k: {kk: vv for kk, vv in v.items() if kk != "queries"} for k, v in result.items()}, f,
                      default=str, indent=1)
        log(f"wrote {args.out}; verdict {'PASS' if ok else 'FAIL'}; {(time.time() - t_start) / 60:.1f} min")
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
