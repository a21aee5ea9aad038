/**
 * The alert bridge: Alertmanager's webhook receiver that starts Airflow DAG
 * runs. It replaces the hand-built "Grafana → Airflow" bridge servers of the
 * setups this platform replaces.
 *
 * - POST /alerts takes Alertmanager's webhook payload (version 4). Every
 *   firing alert whose `dag_id` label names an allowed DAG (BRIDGE_DAGS)
 *   starts one run of it through Airflow 3's REST API:
 *   `POST /api/v2/dags/{dag_id}/dagRuns`, with a bearer token from
 *   `POST /auth/token` (a service user; refreshed when Airflow answers 401).
 * - Idempotent: the run id is `alert-<fingerprint>-<startsAt in seconds>`,
 *   one per firing episode, so Alertmanager's re-sends make no second run;
 *   Airflow's 409 for an existing run id counts as success.
 * - Reliable: Airflow errors and unreachability are retried with backoff
 *   within the request; if Airflow is still down, the bridge answers 503 and
 *   Alertmanager sends the alerts again later (nothing is dropped, and the
 *   run id keeps it to one run).
 * - Closed: other DAGs are refused (logged and counted); a malformed payload
 *   is a 400 and triggers nothing; the NetworkPolicy admits only
 *   Alertmanager's namespace.
 * - Observable: a JSON log line per trigger and failure; Prometheus counters
 *   at GET /metrics; GET /healthz.
 *
 * Plain Node.js without dependencies: the generator embeds
 * `alertBridge.toString()` in a ConfigMap and a pinned stock node image runs
 * it. Everything it needs is required inside the function.
 */

/** What the bridge reads from its environment. */
export interface BridgeSettings {
  /** @default '8080' */
  readonly BRIDGE_PORT?: string;
  /** Airflow's API server, e.g. http://airflow-api-server.airflow.svc.cluster.local:8080 */
  readonly BRIDGE_AIRFLOW_URL: string;
  readonly BRIDGE_USERNAME: string;
  readonly BRIDGE_PASSWORD: string;
  /** JSON array of the DAG ids alerts may start. */
  readonly BRIDGE_DAGS: string;
  /** Attempts per DAG run request. @default '5' */
  readonly BRIDGE_ATTEMPTS?: string;
  /** First backoff; doubles per attempt. @default '500' */
  readonly BRIDGE_BACKOFF_MS?: string;
  /** Address to listen on. @default '0.0.0.0' */
  readonly BRIDGE_HOST?: string;
}

export function alertBridge(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const http = require('node:http') as typeof import('node:http');
  const env = process.env as unknown as BridgeSettings;
  const airflow = new URL(env.BRIDGE_AIRFLOW_URL);
  const allowed = new Set<string>(JSON.parse(env.BRIDGE_DAGS) as string[]);
  const attempts = Number(env.BRIDGE_ATTEMPTS ?? '5');
  const backoff = Number(env.BRIDGE_BACKOFF_MS ?? '500');

  const counters = new Map<string, number>();
  const count = (name: string, labels: Record<string, string>): void => {
    const key = `${name}{${Object.entries(labels)
      .map(([k, v]) => `${k}="${String(v).replace(/["\\\n]/g, '_')}"`)
      .join(',')}}`;
    counters.set(key, (counters.get(key) ?? 0) + 1);
  };
  const log = (msg: string, fields: Record<string, unknown>): void => {
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n`);
  };

  interface Reply {
    status: number;
    body: string;
  }
  const request = (method: string, path: string, body: unknown, token?: string): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = http.request(
        {
          protocol: airflow.protocol,
          hostname: airflow.hostname,
          port: airflow.port,
          path: `${airflow.pathname.replace(/\/$/, '')}${path}`,
          method,
          timeout: 10000,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...(token ? { authorization: `Bearer ${token}` } : {}) },
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(data);
    });

  let token: string | undefined;
  const fetchToken = async (): Promise<string> => {
    const reply = await request('POST', '/auth/token', { username: env.BRIDGE_USERNAME, password: env.BRIDGE_PASSWORD });
    if (reply.status !== 200 && reply.status !== 201) throw Object.assign(new Error(`token request answered ${reply.status}`), { status: reply.status });
    const parsed = JSON.parse(reply.body) as { access_token?: string };
    if (!parsed.access_token) throw new Error('token response without access_token');
    count('alert_bridge_token_fetches_total', {});
    return parsed.access_token;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  type Outcome = 'created' | 'duplicate' | 'rejected' | 'unavailable';
  /** Starts one run; retries what may pass later; `unavailable` when Airflow never answered well. */
  const trigger = async (dagId: string, runId: string, conf: Record<string, unknown>): Promise<Outcome> => {
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        token ??= await fetchToken();
        const reply = await request('POST', `/api/v2/dags/${encodeURIComponent(dagId)}/dagRuns`, { dag_run_id: runId, logical_date: null, conf }, token);
        if (reply.status === 200 || reply.status === 201) return 'created';
        if (reply.status === 409) return 'duplicate';
        if (reply.status === 401) {
          // Expired or revoked: a new token, and again.
          token = undefined;
          last = 'unauthorized';
          continue;
        }
        if (reply.status >= 500 || reply.status === 429) {
          last = `status ${reply.status}`;
        } else {
          log('dag run refused by Airflow', { dag_id: dagId, run_id: runId, status: reply.status, body: reply.body.slice(0, 500) });
          return 'rejected';
        }
      } catch (err) {
        last = (err as Error).message;
        if ((err as { status?: number }).status === 401 || (err as { status?: number }).status === 403) {
          log('Airflow refused the service user', { error: last });
          return 'rejected';
        }
      }
      count('alert_bridge_airflow_errors_total', {});
      log('Airflow unavailable, retrying', { dag_id: dagId, run_id: runId, attempt, error: last });
      if (attempt < attempts) await sleep(backoff * 2 ** (attempt - 1));
    }
    return 'unavailable';
  };

  interface Alert {
    status: string;
    labels: Record<string, string>;
    startsAt: string;
    fingerprint: string;
  }
  /** The alerts of a payload, or why it is malformed. */
  const parse = (text: string): Alert[] | string => {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return 'not JSON';
    }
    const alerts = (payload as { alerts?: unknown }).alerts;
    if (!Array.isArray(alerts)) return 'no alerts array';
    for (const [i, a] of alerts.entries()) {
      const alert = a as Partial<Alert>;
      if (!alert || typeof alert !== 'object') return `alert ${i} is not an object`;
      if (typeof alert.status !== 'string' || typeof alert.fingerprint !== 'string' || typeof alert.startsAt !== 'string') return `alert ${i} lacks status, fingerprint or startsAt`;
      if (!alert.labels || typeof alert.labels !== 'object') return `alert ${i} has no labels`;
      if (Number.isNaN(Date.parse(alert.startsAt))) return `alert ${i} has an invalid startsAt`;
    }
    return alerts as Alert[];
  };

  const handle = async (body: string): Promise<{ status: number; text: string }> => {
    const alerts = parse(body);
    if (typeof alerts === 'string') {
      count('alert_bridge_payloads_total', { result: 'malformed' });
      log('malformed payload', { error: alerts });
      return { status: 400, text: `malformed payload: ${alerts}\n` };
    }
    count('alert_bridge_payloads_total', { result: 'ok' });
    let unavailable = false;
    for (const alert of alerts) {
      if (alert.status !== 'firing') continue;
      const dagId = alert.labels.dag_id;
      if (dagId === undefined) continue;
      if (!allowed.has(dagId)) {
        count('alert_bridge_triggers_total', { dag_id: dagId, result: 'refused' });
        log('DAG not allowed', { dag_id: dagId, alertname: alert.labels.alertname });
        continue;
      }
      const runId = `alert-${alert.fingerprint.replace(/[^A-Za-z0-9]/g, '')}-${Math.floor(Date.parse(alert.startsAt) / 1000)}`;
      const conf = { ...alert.labels, alert_fingerprint: alert.fingerprint, alert_starts_at: alert.startsAt, source: 'alertmanager' };
      const outcome = await trigger(dagId, runId, conf);
      count('alert_bridge_triggers_total', { dag_id: dagId, result: outcome });
      log(outcome === 'created' ? 'dag run started' : `dag run ${outcome}`, { dag_id: dagId, run_id: runId, alertname: alert.labels.alertname });
      if (outcome === 'unavailable') unavailable = true;
    }
    // Airflow down: Alertmanager sends the whole group again later; the run ids keep it to one run each.
    return unavailable ? { status: 503, text: 'Airflow unavailable, send again\n' } : { status: 200, text: 'ok\n' };
  };

  const server = http.createServer((req, res) => {
    const reply = (status: number, text: string, type = 'text/plain') => {
      count('alert_bridge_requests_total', { code: String(status) });
      res.writeHead(status, { 'content-type': type });
      res.end(text);
    };
    if (req.method === 'GET' && req.url === '/healthz') return reply(200, 'ok\n');
    if (req.method === 'GET' && req.url === '/metrics') {
      const lines = [...counters.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`);
      return reply(200, `${lines.join('\n')}\n`, 'text/plain; version=0.0.4');
    }
    if (req.method !== 'POST' || req.url !== '/alerts') return reply(404, 'not found\n');
    let body = '';
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size <= 1048576) body += d;
    });
    req.on('end', () => {
      if (size > 1048576) return reply(413, 'payload too large\n');
      handle(body).then(
        (r) => reply(r.status, r.text),
        (err: Error) => {
          log('internal error', { error: err.message });
          reply(500, 'internal error\n');
        },
      );
    });
  });
  server.listen(Number(env.BRIDGE_PORT ?? '8080'), env.BRIDGE_HOST ?? '0.0.0.0', () => log('listening', { port: env.BRIDGE_PORT ?? '8080', dags: [...allowed] }));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** The program as the bridge's ConfigMap carries it: `node bridge.js` runs it. */
export function alertBridgeProgram(): string {
  return `'use strict';\n// mlops-gitops alert bridge (cluster/alert-bridge/bridge.ts), generated: do not edit.\n(${alertBridge.toString()})();\n`;
}
