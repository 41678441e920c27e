"""The four systems under test: start, load, query and stop each one (Calypso, ClickHouse,
DuckDB, PostgreSQL)."""
from common import *  # noqa: F401,F403
from common import gen, Q  # noqa: F401


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

    def table_bytes(self):
        """Bytes on disk per table, from `calypso stats` (run while the server is stopped)."""
        out = subprocess.run([CALYPSO, "stats", "--data", self.data], capture_output=True,
                             text=True, check=True).stdout
        sizes = {}
        for line in out.splitlines()[1:]:
            f = line.split()
            if len(f) >= 5 and f[0] != "total" and f[1].isdigit():
                sizes[f[0]] = int(f[4])
        return sizes

    def query(self, q, runs):
        """Runs the query `runs` times; self.scan_stats gets the store's scan statistics of
        each run (blocks and bytes read and skipped)."""
        body = json.dumps({"query": q["kql"]})
        times, answer = [], None
        self.scan_stats = []
        for _ in range(runs):
            t0 = time.perf_counter()
            self.conn.request("POST", "/v1/workspaces/default/query", body,
                              {"Content-Type": "application/json",
                               "Prefer": "include-statistics=true"})
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
            self.scan_stats.append(json.loads(text).get("statistics", {}).get("query", {}).get("scan"))
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

