"""Drift detection of one served model (mlops-gitops, cluster/drift/drift.py).

Prediction requests reach the model's topic in Kafka: KServe's payload
logger posts each request to this service's intake (POST /log), which
writes it to the topic; team services write to the topic themselves. The
service reads the topic, keeps a sliding window of the most recent values
of each configured feature, and compares it with the reference data (a CSV
in the object store) feature by feature with the two-sample
Kolmogorov-Smirnov test (scipy.stats.ks_2samp). It exports the p-values and
statistics as Prometheus gauges at GET /metrics; a PrometheusRule fires when
a p-value stays below the model's threshold.

Settings come from the environment:
  DRIFT_MODEL           the model's name (a metric label)
  DRIFT_FEATURES        JSON list of feature names, in the order of a row
  DRIFT_REFERENCE_URI   s3://bucket/key.csv (or file:///path for tests)
  DRIFT_WINDOW          rows in the sliding window (default 500)
  DRIFT_MIN_ROWS        rows before the first test (default 50)
  DRIFT_PORT            HTTP port (default 8080)
  KAFKA_BOOTSTRAP_SERVERS, KAFKA_USERNAME, KAFKA_PASSWORD, KAFKA_TOPIC
                        the topic (SASL/SCRAM-SHA-512); without them the
                        intake feeds the window directly
  AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION
                        the object store (the model reader's read-only access)
"""
from __future__ import annotations

import collections
import csv
import io
import json
import logging
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger("drift")


def ks_tests(reference: dict[str, list[float]], window: dict[str, list[float]], min_rows: int) -> dict[str, tuple[float, float]]:
    """(statistic, p-value) of the two-sample KS test per feature with enough rows."""
    from scipy.stats import ks_2samp

    out: dict[str, tuple[float, float]] = {}
    for feature, ref in reference.items():
        current = window.get(feature, [])
        if len(current) < min_rows or not ref:
            continue
        result = ks_2samp(ref, current)
        out[feature] = (float(result.statistic), float(result.pvalue))
    return out


def rows_of(payload: object, features: list[str]) -> list[list[float]]:
    """Feature rows of a prediction request: KServe v1 ``instances`` (lists or
    objects), the Open Inference Protocol's ``inputs``, or a team service's
    ``{"features": {...}}`` / ``{"features": [...]}``."""
    if not isinstance(payload, dict):
        return []
    rows: list[list[float]] = []
    if isinstance(payload.get("instances"), list):
        for instance in payload["instances"]:
            if isinstance(instance, list):
                rows.append([float(v) for v in instance[: len(features)]])
            elif isinstance(instance, dict):
                rows.append([float(instance[f]) for f in features if f in instance])
    elif isinstance(payload.get("inputs"), list):
        for tensor in payload["inputs"]:
            data, shape = tensor.get("data", []), tensor.get("shape", [])
            width = shape[1] if len(shape) == 2 else len(features)
            for i in range(0, len(data) - width + 1, width):
                rows.append([float(v) for v in data[i : i + width][: len(features)]])
    elif "features" in payload:
        f = payload["features"]
        rows.append([float(f[name]) for name in features] if isinstance(f, dict) else [float(v) for v in f[: len(features)]])
    return [r for r in rows if len(r) == len(features)]


def read_reference(uri: str, features: list[str]) -> dict[str, list[float]]:
    """The reference distribution of each feature: the CSV's columns of those names."""
    if uri.startswith("file://"):
        with open(uri[len("file://"):], encoding="utf-8") as f:
            text = f.read()
    else:
        import boto3

        bucket, _, key = uri[len("s3://"):].partition("/")
        text = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    columns: dict[str, list[float]] = {f: [] for f in features}
    for row in csv.DictReader(io.StringIO(text)):
        for f in features:
            if row.get(f) not in (None, ""):
                columns[f].append(float(row[f]))
    return columns


class Drift:
    """The window, the reference, the latest test results, and counters."""

    def __init__(self, model: str, features: list[str], reference: dict[str, list[float]], size: int, min_rows: int):
        self.model, self.features, self.reference, self.min_rows = model, features, reference, min_rows
        self.window = {f: collections.deque(maxlen=size) for f in features}
        self.results: dict[str, tuple[float, float]] = {}
        self.rows = 0
        self.bad = 0
        self.lock = threading.Lock()

    def count_bad(self) -> None:
        with self.lock:
            self.bad += 1

    def add(self, rows: list[list[float]]) -> None:
        with self.lock:
            for row in rows:
                for f, v in zip(self.features, row):
                    self.window[f].append(v)
            self.rows += len(rows)
            self.results = ks_tests(self.reference, {f: list(w) for f, w in self.window.items()}, self.min_rows)

    def metrics(self) -> str:
        esc = lambda s: s.replace("\\", "_").replace('"', "_")  # noqa: E731
        m = esc(self.model)
        with self.lock:
            lines = [
                "# TYPE mlops_drift_rows_total counter",
                f'mlops_drift_rows_total{{model="{m}"}} {self.rows}',
                "# TYPE mlops_drift_bad_records_total counter",
                f'mlops_drift_bad_records_total{{model="{m}"}} {self.bad}',
                "# TYPE mlops_drift_window_rows gauge",
                f'mlops_drift_window_rows{{model="{m}"}} {min((len(w) for w in self.window.values()), default=0)}',
                "# TYPE mlops_drift_pvalue gauge",
                *[f'mlops_drift_pvalue{{model="{m}",feature="{esc(f)}"}} {p}' for f, (_, p) in sorted(self.results.items())],
                "# TYPE mlops_drift_statistic gauge",
                *[f'mlops_drift_statistic{{model="{m}",feature="{esc(f)}"}} {s}' for f, (s, _) in sorted(self.results.items())],
            ]
        return "\n".join(lines) + "\n"


def serve(drift: Drift, port: int, produce=None) -> ThreadingHTTPServer:
    """The intake and the metrics. ``produce(bytes)`` writes a request to Kafka; without it the window gets it directly."""

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, text: str, kind: str = "text/plain") -> None:
            body = text.encode()
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/healthz":
                return self._reply(200, "ok\n")
            if self.path == "/metrics":
                return self._reply(200, drift.metrics(), "text/plain; version=0.0.4")
            self._reply(404, "not found\n")

        def do_POST(self) -> None:  # noqa: N802
            if self.path != "/log":
                return self._reply(404, "not found\n")
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            # KServe's logger sends the request and the response as separate CloudEvents: only requests carry features.
            if self.headers.get("ce-type", "").endswith(".response"):
                return self._reply(202, "ignored\n")
            try:
                rows = rows_of(json.loads(body or b"null"), drift.features)
            except (ValueError, TypeError, KeyError):
                drift.count_bad()
                return self._reply(400, "not a prediction request\n")
            if not rows:
                return self._reply(202, "no feature rows\n")
            if produce is not None:
                produce(body)
            else:
                drift.add(rows)
            self._reply(202, "accepted\n")

        def log_message(self, fmt: str, *args) -> None:  # quiet access log
            pass

    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def consume(drift: Drift, settings: dict) -> None:
    """Reads the model's topic (from the start of the retention) into the window."""
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(
        settings["KAFKA_TOPIC"],
        bootstrap_servers=settings["KAFKA_BOOTSTRAP_SERVERS"],
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_plain_username=settings["KAFKA_USERNAME"],
        sasl_plain_password=settings["KAFKA_PASSWORD"],
        group_id=f"{settings['KAFKA_USERNAME']}-{settings['DRIFT_MODEL']}",
        auto_offset_reset="earliest",
    )
    for record in consumer:
        try:
            drift.add(rows_of(json.loads(record.value), drift.features))
        except (ValueError, TypeError, KeyError):
            drift.count_bad()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format='{"time":"%(asctime)s","msg":"%(message)s"}')
    env = os.environ
    features = json.loads(env["DRIFT_FEATURES"])
    reference = read_reference(env["DRIFT_REFERENCE_URI"], features)
    drift = Drift(env["DRIFT_MODEL"], features, reference, int(env.get("DRIFT_WINDOW", "500")), int(env.get("DRIFT_MIN_ROWS", "50")))
    produce = None  # noqa: F811
    if env.get("KAFKA_BOOTSTRAP_SERVERS"):
        from kafka import KafkaProducer

        producer = KafkaProducer(
            bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"],
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism="SCRAM-SHA-512",
            sasl_plain_username=env["KAFKA_USERNAME"],
            sasl_plain_password=env["KAFKA_PASSWORD"],
            acks="all",
        )
        def produce(body: bytes) -> None:
            future = producer.send(env["KAFKA_TOPIC"], body)
            future.add_errback(lambda err: log.error("could not write a request to %s: %s", env["KAFKA_TOPIC"], err))

        threading.Thread(target=consume, args=(drift, dict(env)), daemon=True).start()
    serve(drift, int(env.get("DRIFT_PORT", "8080")), produce)
    log.info("drift detection of %s on %s, reference rows %s", env["DRIFT_MODEL"], features, {f: len(v) for f, v in reference.items()})
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
