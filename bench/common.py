"""Shared pieces of the benchmark harness: constants, processes, memory watching, installs."""
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

