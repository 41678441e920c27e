"""Start and stop a real `calypso serve`, send HTTP requests, run queries.

Shared by the end-to-end tests. Everything stays on loopback; proxies point at a closed
port so a stray client call can never leave the machine.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

# Any accidental outbound call goes to a closed loopback port (see protocols.md 2.7).
os.environ["HTTPS_PROXY"] = os.environ["HTTP_PROXY"] = "http://127.0.0.1:9"
os.environ["https_proxy"] = os.environ["http_proxy"] = "http://127.0.0.1:9"
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, ikey, data_dir=None):
        self.binary = binary
        self.ikey = ikey
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="calypso-e2e-")
        self.port = free_port()
        self.proc = None
        self.log_path = os.path.join(self.data_dir, "server.log")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--data", self.data_dir, "--listen", f"127.0.0.1:{self.port}",
                 "--ikey", self.ikey],
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: {self.log()}")
            try:
                status, _ = self.request("GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not become healthy: " + self.log())

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        """SIGTERM; returns the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.kill()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")[-4000:]
        except OSError:
            return ""

    def request(self, method, path, body=None, headers=None):
        data = body if isinstance(body, (bytes, type(None))) else body.encode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def query_raw(self, kql, timespan=None):
        body = {"query": kql}
        if timespan:
            body["timespan"] = timespan
        status, text = self.request("POST", "/v1/workspaces/default/query", json.dumps(body),
                                    {"Content-Type": "application/json"})
        return status, json.loads(text)

    def query(self, kql, timespan=None):
        """Rows of the primary result; raises on an error answer."""
        status, answer = self.query_raw(kql, timespan)
        if status != 200:
            raise AssertionError(f"query failed ({status}): {kql}\n{answer}")
        return answer["tables"][0]

    def scalar(self, kql):
        rows = self.query(kql)["rows"]
        assert len(rows) == 1 and len(rows[0]) == 1, rows
        return rows[0][0]
