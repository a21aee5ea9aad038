/**
 * Elasticsearch setup: a Sync hook Job after the cluster is applied. It waits
 * until Elasticsearch answers, then PUTs the lifecycle policy and the index
 * templates (idempotent requests: the same body on every sync), and exits 0.
 * Elasticsearch errors other than "not ready yet" fail it with the answer.
 *
 * Plain Node.js, no dependencies: the generator embeds `esSetup.toString()`
 * in a ConfigMap and a pinned stock node image runs it.
 *
 * Environment: ES_URL, ES_USER, ES_PASSWORD, ES_REQUESTS (JSON list of
 * {method, path, body}), ES_TIMEOUT_SECONDS (default 900), ES_POLL_SECONDS (default 5).
 */
export function esSetup(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const http = require('node:http') as typeof import('node:http');
  const env = process.env;
  const base = new URL(env.ES_URL ?? 'http://localhost:9200');
  const auth = `Basic ${Buffer.from(`${env.ES_USER}:${env.ES_PASSWORD}`).toString('base64')}`;
  const requests = JSON.parse(env.ES_REQUESTS ?? '[]') as { method: string; path: string; body?: unknown }[];
  const deadline = Date.now() + Number(env.ES_TIMEOUT_SECONDS ?? '900') * 1000;
  const poll = Number(env.ES_POLL_SECONDS ?? '5') * 1000;
  const log = (msg: string, fields: Record<string, unknown> = {}) => process.stdout.write(`${JSON.stringify({ msg, ...fields })}\n`);

  const call = (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        { hostname: base.hostname, port: base.port, path, method, timeout: 10000, headers: { authorization: auth, ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}) } },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(data);
    });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const run = async (): Promise<void> => {
    // Elasticsearch up, and at least yellow.
    for (;;) {
      try {
        const health = await call('GET', '/_cluster/health?wait_for_status=yellow&timeout=10s');
        if (health.status === 200) break;
        log('waiting for Elasticsearch', { status: health.status });
      } catch (err) {
        log('waiting for Elasticsearch', { error: (err as Error).message });
      }
      if (Date.now() > deadline) throw new Error('Elasticsearch did not become ready in time');
      await sleep(poll);
    }
    for (const r of requests) {
      const reply = await call(r.method, r.path, r.body);
      if (reply.status < 200 || reply.status >= 300) throw new Error(`${r.method} ${r.path} answered ${reply.status}: ${reply.text.slice(0, 500)}`);
      log('applied', { method: r.method, path: r.path });
    }
  };
  run().then(
    () => process.exit(0),
    (err: Error) => {
      log('failed', { error: err.message });
      process.exit(1);
    },
  );
}

/** The program as the Job's ConfigMap carries it. */
export function esSetupProgram(): string {
  return `'use strict';\n// mlops-gitops Elasticsearch setup (cluster/es-setup/setup.ts), generated: do not edit.\n(${esSetup.toString()})();\n`;
}
