"""Tests of the drift service (run by cluster/drift/drift.test.ts, or `python3 -m unittest` here)."""
import json
import os
import random
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import drift  # noqa: E402

FEATURES = ["sepal_length", "petal_length"]


def normal(rng: random.Random, n: int, mean: float, sd: float = 1.0) -> list[float]:
    return [rng.gauss(mean, sd) for _ in range(n)]


class KsTest(unittest.TestCase):
    def setUp(self) -> None:
        rng = random.Random(42)
        self.reference = {"sepal_length": normal(rng, 2000, 5.8, 0.8), "petal_length": normal(rng, 2000, 3.7, 1.7)}
        self.rng = random.Random(7)

    def test_flags_a_shifted_distribution(self) -> None:
        window = {"sepal_length": normal(self.rng, 500, 5.8 + 0.8, 0.8), "petal_length": normal(self.rng, 500, 3.7, 1.7)}
        results = drift.ks_tests(self.reference, window, 50)
        self.assertLess(results["sepal_length"][1], 0.01, "a one-sd shift must be detected")
        self.assertGreater(results["petal_length"][1], 0.01, "the unshifted feature stays quiet")

    def test_stays_quiet_on_the_same_distribution(self) -> None:
        quiet = 0
        for seed in range(20):
            rng = random.Random(100 + seed)
            window = {"sepal_length": normal(rng, 500, 5.8, 0.8), "petal_length": normal(rng, 500, 3.7, 1.7)}
            results = drift.ks_tests(self.reference, window, 50)
            quiet += all(p > 0.01 for _, p in results.values())
        self.assertGreaterEqual(quiet, 18, "at a 1% threshold, false alarms are rare")

    def test_waits_for_enough_rows(self) -> None:
        self.assertEqual(drift.ks_tests(self.reference, {"sepal_length": [5.0] * 10}, 50), {})


class Rows(unittest.TestCase):
    def test_request_formats(self) -> None:
        self.assertEqual(drift.rows_of({"instances": [[6.8, 4.8], [5.0, 1.4, 9]]}, FEATURES), [[6.8, 4.8], [5.0, 1.4]])
        self.assertEqual(drift.rows_of({"instances": [{"sepal_length": 6.8, "petal_length": 4.8}]}, FEATURES), [[6.8, 4.8]])
        self.assertEqual(
            drift.rows_of({"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP64", "data": [1, 2, 3, 4]}]}, FEATURES), [[1.0, 2.0], [3.0, 4.0]]
        )
        self.assertEqual(drift.rows_of({"features": {"sepal_length": 1, "petal_length": 2}}, FEATURES), [[1.0, 2.0]])
        self.assertEqual(drift.rows_of({"predictions": [1]}, FEATURES), [])


class Service(unittest.TestCase):
    def test_intake_window_and_metrics(self) -> None:
        rng = random.Random(3)
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write("sepal_length,petal_length,species\n")
            for a, b in zip(normal(rng, 1000, 5.8, 0.8), normal(rng, 1000, 3.7, 1.7)):
                f.write(f"{a},{b},setosa\n")
        reference = drift.read_reference(f"file://{f.name}", FEATURES)
        self.assertEqual(len(reference["sepal_length"]), 1000)
        d = drift.Drift("iris", FEATURES, reference, 300, 50)
        server = drift.serve(d, 0)
        port = server.server_address[1]
        try:
            def post(body: bytes, headers: dict | None = None) -> int:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/log", data=body, headers={"content-type": "application/json", **(headers or {})})
                try:
                    return urllib.request.urlopen(req).status
                except urllib.error.HTTPError as e:
                    return e.code

            for _ in range(30):
                rows = [[rng.gauss(8.0, 0.8), rng.gauss(3.7, 1.7)] for _ in range(10)]
                self.assertEqual(post(json.dumps({"instances": rows}).encode(), {"ce-type": "org.kubeflow.serving.inference.request"}), 202)
            # Responses carry no features; a body that is not JSON is refused and counted.
            self.assertEqual(post(b'{"predictions": [1]}', {"ce-type": "org.kubeflow.serving.inference.response"}), 202)
            self.assertEqual(post(b"not json"), 400)
            metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
            self.assertIn('mlops_drift_rows_total{model="iris"} 300', metrics)
            self.assertIn('mlops_drift_bad_records_total{model="iris"} 1', metrics)
            p = float([l for l in metrics.splitlines() if l.startswith('mlops_drift_pvalue{model="iris",feature="sepal_length"}')][0].split()[-1])
            self.assertLess(p, 0.01)
        finally:
            server.shutdown()
            os.unlink(f.name)


if __name__ == "__main__":
    unittest.main()
