#!/usr/bin/python3
"""Calypso beside ClickHouse, DuckDB and PostgreSQL on the same data, in one run.

    /usr/bin/python3 bench/bench.py --rows 1000000      (what `make bench` runs)

Modules: common.py (constants, processes, memory), systems.py (the four systems),
report.py (comparison, table, RESULTS.md), gen.py (data), queries.py (the queries).

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
from common import *  # noqa: F401,F403
from report import *  # noqa: F401,F403
from systems import Calypso, ClickHouse, DuckDB, Postgres  # noqa: F401


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
    if hasattr(sysobj, "table_bytes"):
        r["table_bytes"] = sysobj.table_bytes()
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
            if getattr(sysobj, "scan_stats", None):
                qr["scan"] = {"cold": sysobj.scan_stats[0], "warm": sysobj.scan_stats[-1]}
            qr["norm"] = normalize(q["kinds"], rows_)
            log(f"{name}: {q['id']}: cold {times[0] * 1000:.1f} ms, warm median "
                f"{statistics.median(times[1:]) * 1000:.1f} ms, {len(rows_)} rows")
        except (QueryError, ValueError) as e:
            qr["error"] = str(e).replace("\n", " ")
            log(f"{name}: {q['id']}: error: {qr['error']}")
    r["peak_query"] = watch.stop()
    sysobj.stop()


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
