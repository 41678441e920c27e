"""Crash test: SIGKILL the server at random moments while a writer ingests numbered records.

After every restart the store must open and every acknowledged record must be present
exactly once (a record whose response was lost may or may not be there, but nothing is
ever duplicated, since nothing is re-sent).

Run: /usr/bin/python3 kill9_ingest_test.py PATH/TO/calypso [--cycles N] [--seed S]
"""
import argparse
import http.client
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import harness  # noqa: E402

IKEY = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
BATCH = 40


def envelope(seq):
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    return {"name": "Microsoft.ApplicationInsights.Message", "time": now,
            "iKey": IKEY, "data": {"baseType": "MessageData", "baseData": {
                "ver": 2, "message": f"record {seq}", "properties": {"seq": str(seq)}}}}


class Writer(threading.Thread):
    """Sends batches of fresh sequence numbers until the server dies."""

    def __init__(self, port, first_seq):
        super().__init__(daemon=True)
        self.port = port
        self.next_seq = first_seq
        self.acked = []

    def run(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            while True:
                seqs = list(range(self.next_seq, self.next_seq + BATCH))
                self.next_seq += BATCH
                conn.request("POST", "/v2.1/track", json.dumps([envelope(s) for s in seqs]),
                             {"Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    raise AssertionError(f"unexpected status {response.status}")
                self.acked.extend(seqs)
        except (OSError, http.client.HTTPException):
            return  # the server was killed


def check(server, acked):
    t = server.query("traces | summarize n = count() by seq = tostring(customDimensions.seq) | where n > 1")
    if t["rows"]:
        raise AssertionError(f"duplicated records: {t['rows'][:10]}")
    present = {int(r[0]) for r in server.query("traces | project tostring(customDimensions.seq)")["rows"]}
    missing = sorted(set(acked) - present)
    if missing:
        raise AssertionError(f"{len(missing)} acknowledged records lost, first {missing[:10]}")
    return len(present)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--cycles", type=int, default=int(os.environ.get("CALYPSO_CRASH_CYCLES", "30")))
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"kill -9 crash test: {args.cycles} cycles, seed {args.seed}")

    server = harness.Server(args.binary, IKEY)
    acked = []
    next_seq = 0
    try:
        server.start()
        for cycle in range(args.cycles):
            writer = Writer(server.port, next_seq)
            writer.start()
            time.sleep(rng.uniform(0.02, 0.4))
            server.kill()
            writer.join(timeout=30)
            acked.extend(writer.acked)
            next_seq = writer.next_seq
            server.start()
            present = check(server, acked)
            print(f"cycle {cycle + 1}: {len(writer.acked)} acknowledged this cycle, "
                  f"{len(acked)} in all, {present} present")
        if not acked:
            raise AssertionError("no record was ever acknowledged: the test proved nothing")
        print(f"{args.cycles} passed, 0 failed")
    except Exception:
        print(server.log(), file=sys.stderr)
        raise
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
