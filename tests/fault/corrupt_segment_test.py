"""A damaged segment is found by `calypso check`, quarantined at start with a clear log
line, reported by /healthz, and everything else is still served.

Run: /usr/bin/python3 corrupt_segment_test.py PATH/TO/calypso
"""
import json
import os
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
import harness  # noqa: E402

BINARY = None
IKEY = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"


def envelopes(day_offset, n, tag):
    t = time.strftime("%Y-%m-%dT12:00:00.000Z", time.gmtime(time.time() - day_offset * 86400))
    return json.dumps([{"name": "Microsoft.ApplicationInsights.Message", "time": t, "iKey": IKEY,
                        "data": {"baseType": "MessageData", "baseData": {
                            "ver": 2, "message": f"{tag} {i}", "properties": {"tag": tag}}}}
                       for i in range(n)])


class CorruptSegment(unittest.TestCase):
    def setUp(self):
        self.server = harness.Server(BINARY, IKEY).start()

    def tearDown(self):
        self.server.cleanup()

    def check(self):
        return subprocess.run([BINARY, "check", "--data", self.server.data_dir],
                              capture_output=True, text=True)

    def test_damaged_segment_is_reported_quarantined_and_the_rest_served(self):
        s = self.server
        self.assertEqual(s.request("POST", "/v2/track", envelopes(2, 30, "older"))[0], 200)
        self.assertEqual(s.request("POST", "/v2/track", envelopes(0, 20, "today"))[0], 200)
        self.assertEqual(s.stop(), 0)  # flushes: one segment per day
        self.assertEqual(self.check().returncode, 0, self.check().stdout)

        with open(os.path.join(s.data_dir, "store", "MANIFEST")) as f:
            manifest = json.load(f)
        traces_ids = [seg["id"] for seg in manifest["segments"] if seg["table"] == "traces"]
        self.assertEqual(len(traces_ids), 2)  # one segment per day
        victim = os.path.join(s.data_dir, "store", "segments", "%06d.seg" % traces_ids[0])
        with open(victim, "rb") as f:
            data = bytearray(f.read())
        data[len(data) - 30] ^= 0x5A  # inside the footer
        with open(victim, "wb") as f:
            f.write(data)

        result = self.check()
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertIn("DAMAGED", result.stdout)
        self.assertIn(os.path.basename(victim), result.stdout)

        s.start()
        self.assertIn("is corrupt", s.log())
        self.assertIn("quarantine", s.log())
        health = json.loads(s.request("GET", "/healthz")[1])
        self.assertEqual(health["status"], "degraded")
        self.assertEqual(len(health["store"]["quarantined"]), 1)
        total = s.scalar("traces | count")
        # The Usage table counted what was ingested before the graceful stop.
        self.assertEqual(s.scalar("Usage | where DataType == 'traces' | summarize sum(Rows)"), 50)
        self.assertIn(total, (20, 30))  # one day's segment is gone, the other still served
        self.assertFalse(os.path.exists(victim))
        result = self.check()
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertIn("quarantined earlier", result.stdout)


if __name__ == "__main__":
    BINARY = sys.argv.pop(1)
    unittest.main(verbosity=2)
