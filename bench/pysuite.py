#!/usr/bin/env python3
"""A Python test-suite-like workload for the benchmark: many small unittest
cases that import modules, write and read temporary files, encode and
decode JSON, match regular expressions, use threads and run a couple of
subprocesses, like an application's integration tests do."""
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import unittest

SCALE = int(os.environ.get("PYSUITE_SCALE", "10"))


class Files(unittest.TestCase):
    def test_roundtrip(self):
        for i in range(40 * SCALE):
            with tempfile.NamedTemporaryFile("w+", delete=True) as f:
                json.dump({"i": i, "items": list(range(50))}, f)
                f.flush()
                f.seek(0)
                self.assertEqual(json.load(f)["i"], i)

    def test_tree(self):
        with tempfile.TemporaryDirectory() as d:
            for i in range(60 * SCALE):
                sub = os.path.join(d, f"d{i % 6}")
                os.makedirs(sub, exist_ok=True)
                with open(os.path.join(sub, f"f{i}.txt"), "w") as f:
                    f.write("x" * i)
            self.assertEqual(sum(len(fs) for _, _, fs in os.walk(d)), 60 * SCALE)


class Text(unittest.TestCase):
    def test_regex(self):
        words = " ".join(f"w{i}" for i in range(3000 * SCALE))
        self.assertEqual(len(re.findall(r"w\d+", words)), 3000 * SCALE)

    def test_json(self):
        doc = {"k%d" % i: [i, str(i), {"n": i}] for i in range(2000 * SCALE)}
        self.assertEqual(json.loads(json.dumps(doc)), doc)


class Concurrency(unittest.TestCase):
    def test_threads(self):
        out = []
        lock = threading.Lock()

        def work(n):
            s = sum(range(n * 1000))
            with lock:
                out.append(s)

        ts = [threading.Thread(target=work, args=(i,)) for i in range(16)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(len(out), 16)

    def test_subprocess(self):
        for _ in range(SCALE):
            r = subprocess.run([sys.executable, "-c", "print(6*7)"], stdout=subprocess.PIPE, check=True)
            self.assertEqual(r.stdout.strip(), b"42")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-q"], exit=True)
