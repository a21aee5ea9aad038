/**
 * The install gate: runs in the cluster as an Argo CD Sync hook after a
 * HelmChart is applied, and exits 0 only once the helm-controller has
 * installed that chart for this spec and (optionally) its workloads serve.
 *
 * "Installed for this spec" is read from Helm's own record, the newest
 * release Secret (`owner=helm,name=<release>`):
 * - its status is `deployed`, its chart version is the pinned one, and the
 *   values it was installed with are the HelmChart's (compared as data:
 *   Helm stores them with sorted keys), or contain them where a
 *   HelmChartConfig of the same name adds its own;
 * - the install Job is complete and the release carries the Job's
 *   `CONFIG_HASH` as its `helmcharts.helm.cattle.io/configHash` label (the
 *   helm-controller's own test, pkg/controllers/chart/chart.go).
 * It fails fast when the release or the install Job failed and the
 * controller did not replace the Job within a grace period, or when the
 * HelmChart reports `Failed`.
 *
 * Settings come from the environment (see GateSettings). Plain Node.js, no
 * dependencies: the generator embeds `installGate.toString()` in a
 * ConfigMap and a pinned stock node image runs it. Everything it needs is
 * required inside the function.
 */

/** What the gate reads from its environment. */
export interface GateSettings {
  /** Namespace of the HelmChart and of its install Job. */
  readonly GATE_NAMESPACE: string;
  /** HelmChart name, which is also the release name. */
  readonly GATE_CHART: string;
  /** Namespace the release is installed into. */
  readonly GATE_TARGET_NAMESPACE: string;
  /** The pinned chart version. */
  readonly GATE_VERSION: string;
  /** The values the HelmChart sets, as JSON. */
  readonly GATE_VALUES: string;
  /** Seconds before giving up. */
  readonly GATE_TIMEOUT_SECONDS: string;
  /** "true": also wait until every Deployment, StatefulSet and DaemonSet of the release is rolled out. */
  readonly GATE_WAIT_WORKLOADS: string;
  /** Seconds a failure must persist (the controller may be replacing the Job). @default 60 */
  readonly GATE_FAIL_GRACE_SECONDS?: string;
  /** Seconds between checks. @default 5 */
  readonly GATE_POLL_SECONDS?: string;
  /** API server URL. @default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT */
  readonly GATE_API_URL?: string;
}

export function installGate(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const fs = require('node:fs') as typeof import('node:fs');
  const http = require('node:http') as typeof import('node:http');
  const https = require('node:https') as typeof import('node:https');
  const zlib = require('node:zlib') as typeof import('node:zlib');

  type Obj = Record<string, any>;
  const env = process.env as Record<string, string | undefined>;
  const setting = (name: string, fallback?: string): string => {
    const v = env[name] ?? fallback;
    if (v === undefined || v === '') {
      console.error(`install gate: ${name} is not set`);
      process.exit(2);
    }
    return v;
  };
  const ns = setting('GATE_NAMESPACE');
  const chartName = setting('GATE_CHART');
  const targetNs = setting('GATE_TARGET_NAMESPACE');
  const version = setting('GATE_VERSION');
  const values = JSON.parse(setting('GATE_VALUES')) as unknown;
  const deadline = Date.now() + Number(setting('GATE_TIMEOUT_SECONDS')) * 1000;
  const waitWorkloads = setting('GATE_WAIT_WORKLOADS', 'false') === 'true';
  const graceMs = Number(setting('GATE_FAIL_GRACE_SECONDS', '60')) * 1000;
  const pollMs = Number(setting('GATE_POLL_SECONDS', '5')) * 1000;
  const sa = '/var/run/secrets/kubernetes.io/serviceaccount';
  const apiUrl = env.GATE_API_URL ?? `https://${env.KUBERNETES_SERVICE_HOST}:${env.KUBERNETES_SERVICE_PORT}`;
  const tokenFile = env.GATE_TOKEN_FILE ?? `${sa}/token`;
  const ca = apiUrl.startsWith('https:') ? fs.readFileSync(`${sa}/ca.crt`) : undefined;
  const CONFIG_HASH = 'helmcharts.helm.cattle.io/configHash';

  /** GET a path of the API server; undefined on 404. */
  function get(path: string): Promise<Obj | undefined> {
    const token = fs.readFileSync(tokenFile, 'utf8').trim();
    const url = new URL(path, apiUrl);
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.get(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, ...(ca ? { ca } : {}), timeout: 30000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 404) resolve(undefined);
          else if (res.statusCode !== 200) reject(new Error(`GET ${url.pathname}: HTTP ${res.statusCode} ${body.slice(0, 300)}`));
          else resolve(JSON.parse(body) as Obj);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${url.pathname}: timed out`)));
      req.on('error', reject);
    });
  }

  /** Helm stores a release as base64(gzip(JSON)) in the Secret's `release` key (itself base64 in the API). */
  function decodeRelease(secret: Obj): Obj {
    const inner = Buffer.from(Buffer.from(String(secret.data?.release ?? ''), 'base64').toString('utf8'), 'base64');
    const json = inner[0] === 0x1f && inner[1] === 0x8b ? zlib.gunzipSync(inner) : inner;
    return JSON.parse(json.toString('utf8')) as Obj;
  }

  /** JSON with the keys of every object sorted, as Go's encoding/json writes Helm's record. */
  function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      return `{${Object.keys(v as Obj).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Obj)[k])}`).join(',')}}`;
    }
    return JSON.stringify(v) ?? 'null';
  }

  /** Every value the HelmChart sets is in what Helm installed (a HelmChartConfig adds more). */
  function contains(actual: unknown, expected: unknown): boolean {
    if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
      if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
      return Object.entries(expected as Obj).every(([k, v]) => contains((actual as Obj)[k], v));
    }
    return canonical(actual) === canonical(expected);
  }

  const condition = (obj: Obj | undefined, type: string) =>
    ((obj?.status?.conditions ?? []) as Obj[]).find((c) => c.type === type && c.status === 'True');

  /** `kind/name` of every workload in a rendered manifest, with its namespace. */
  function workloadsOf(manifest: string): { kind: string; name: string; namespace: string }[] {
    const found: { kind: string; name: string; namespace: string }[] = [];
    for (const doc of manifest.split(/^---\s*$/m)) {
      const kind = /^kind:\s*["']?(Deployment|StatefulSet|DaemonSet)["']?\s*$/m.exec(doc)?.[1];
      const meta = /^metadata:\s*\n((?:[ \t]+.*\n?|\s*\n)*)/m.exec(doc)?.[1] ?? '';
      const name = /^ {2}name:\s*["']?([^"'\s]+)["']?\s*$/m.exec(meta)?.[1];
      const namespace = /^ {2}namespace:\s*["']?([^"'\s]+)["']?\s*$/m.exec(meta)?.[1] ?? targetNs;
      if (kind && name) found.push({ kind, name, namespace });
    }
    return found;
  }

  const PATHS: Record<string, string> = { Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets' };

  /** Why a workload is not rolled out yet, or undefined when it is. */
  function notRolledOut(kind: string, w: Obj): string | undefined {
    const s = w.status ?? {};
    if ((s.observedGeneration ?? 0) < (w.metadata?.generation ?? 0)) return 'spec not observed yet';
    if (kind === 'DaemonSet') {
      const want = s.desiredNumberScheduled ?? 0;
      if ((s.updatedNumberScheduled ?? 0) < want || (s.numberAvailable ?? 0) < want) return `${s.numberAvailable ?? 0}/${want} available`;
      return undefined;
    }
    const want = w.spec?.replicas ?? 1;
    const available = kind === 'StatefulSet' ? (s.readyReplicas ?? 0) : (s.availableReplicas ?? 0);
    if ((s.updatedReplicas ?? 0) < want || available < want) return `${available}/${want} ready`;
    return undefined;
  }

  let failingSince: number | undefined;
  let last = '';
  const say = (line: string) => {
    if (line !== last) console.log(`install gate ${ns}/${chartName}: ${line}`);
    last = line;
  };

  /** One look: 'done', a reason to wait, or a failure. */
  async function check(): Promise<{ done: true } | { wait: string } | { fail: string }> {
    const chart = await get(`/apis/helm.cattle.io/v1/namespaces/${ns}/helmcharts/${chartName}`);
    if (!chart) return { wait: 'HelmChart not found yet' };
    const job = await get(`/apis/batch/v1/namespaces/${ns}/jobs/helm-install-${chartName}`);
    const selector = encodeURIComponent(`owner=helm,name=${chartName}`);
    const list = await get(`/api/v1/namespaces/${targetNs}/secrets?labelSelector=${selector}&fieldSelector=${encodeURIComponent('type=helm.sh/release.v1')}`);
    const newest = ((list?.items ?? []) as Obj[]).reduce<Obj | undefined>(
      (a, s) => (Number(s.metadata?.labels?.version ?? 0) > Number(a?.metadata?.labels?.version ?? 0) ? s : a),
      undefined,
    );
    const release = newest ? decodeRelease(newest) : undefined;
    // The controller merges a HelmChartConfig's values over the HelmChart's.
    const overlay = await get(`/apis/helm.cattle.io/v1/namespaces/${ns}/helmchartconfigs/${chartName}`);
    const installedValues = release?.config ?? {};
    const sameValues = overlay ? contains(installedValues, values) : canonical(installedValues) === canonical(values);
    const forThisSpec = release !== undefined && release.chart?.metadata?.version === version && sameValues;
    const status = String(release?.info?.status ?? 'none');

    const failed = condition(chart, 'Failed');
    const jobFailed = condition(job, 'Failed');
    const failure = failed
      ? `the helm-controller reports Failed: ${failed.message ?? failed.reason ?? ''}`
      : jobFailed
        ? `install Job failed: ${jobFailed.message ?? jobFailed.reason ?? ''}`
        : forThisSpec && status === 'failed'
          ? `helm reports the release failed: ${release?.info?.description ?? ''}`
          : undefined;
    if (failure) {
      failingSince ??= Date.now();
      // The controller replaces a finished Job when the spec changes: give it time.
      if (Date.now() - failingSince >= graceMs) return { fail: failure };
      return { wait: `${failure} (waiting ${Math.round(graceMs / 1000)}s for the controller to replace the Job)` };
    }
    failingSince = undefined;

    if (!job) return { wait: 'no install Job yet' };
    if (!condition(job, 'Complete')) return { wait: `install Job helm-install-${chartName} running` };
    if (!release) return { wait: 'no Helm release yet' };
    if (!forThisSpec) return { wait: `release revision ${release.version} is not chart ${version} with these values yet` };
    if (status !== 'deployed') return { wait: `release revision ${release.version} is ${status}` };
    const containers = (job.spec?.template?.spec?.containers ?? []) as Obj[];
    const jobHash = containers.flatMap((c) => (c.env ?? []) as Obj[]).find((e) => e.name === 'CONFIG_HASH')?.value;
    const releaseHash = newest?.metadata?.labels?.[CONFIG_HASH];
    if (jobHash !== undefined && releaseHash !== jobHash) return { wait: 'the release does not carry the install Job\'s config hash yet' };

    if (waitWorkloads) {
      for (const w of workloadsOf(String(release.manifest ?? ''))) {
        const live = await get(`/apis/apps/v1/namespaces/${w.namespace}/${PATHS[w.kind]}/${w.name}`);
        if (!live) return { wait: `${w.kind} ${w.namespace}/${w.name} not found yet` };
        const why = notRolledOut(w.kind, live);
        if (why) return { wait: `${w.kind} ${w.namespace}/${w.name}: ${why}` };
      }
    }
    return { done: true };
  }

  async function run(): Promise<void> {
    for (;;) {
      let result: Awaited<ReturnType<typeof check>>;
      try {
        result = await check();
      } catch (err) {
        // The API server may be briefly unavailable: keep trying until the deadline.
        result = { wait: `API error: ${(err as Error).message}` };
      }
      if ('done' in result) {
        console.log(`install gate ${ns}/${chartName}: chart ${version} installed${waitWorkloads ? ' and its workloads ready' : ''}`);
        process.exit(0);
      }
      if ('fail' in result) {
        console.error(`install gate ${ns}/${chartName}: ${result.fail}`);
        process.exit(1);
      }
      say(result.wait);
      if (Date.now() + pollMs > deadline) {
        console.error(`install gate ${ns}/${chartName}: timed out: ${result.wait}`);
        process.exit(1);
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
  void run();
}

/** The program as the gate's ConfigMap carries it: `node gate.js` runs it. */
export function installGateProgram(): string {
  return `'use strict';\n// mlops-gitops install gate (cluster/install-gate/gate.ts), generated: do not edit.\n(${installGate.toString()})();\n`;
}
