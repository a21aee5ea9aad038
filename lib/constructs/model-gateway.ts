/**
 * The gateway in front of every served model: one small nginx
 * (nginx-unprivileged, the auth proxy's image) per model that
 * - gives the model one stable in-cluster name (`<model>.<namespace>`),
 *   whatever server runs it and however many versions it has;
 * - splits requests between versions by weight (`split_clients`), for
 *   traffic through the ingress and in the cluster alike, with any ingress
 *   controller: canary and A/B rollouts are a change of weights in the
 *   environment file, never a hand-written proxy config;
 * - asks people and outside clients for basic credentials on its public port
 *   (behind the Ingress), while in-cluster consumers use its internal port,
 *   which NetworkPolicies open to their namespaces only.
 *
 * Backends are resolved per request through the pod's DNS server (read from
 * /etc/resolv.conf at start), so the gateway starts before a backend's
 * Service exists and follows it when it is recreated.
 */

import { nginxConfigStart } from './auth-proxy';

/** The port behind the Ingress: basic auth. */
export const GATEWAY_PUBLIC_PORT = 8080;
/** The port in-cluster consumers use: no credentials, NetworkPolicy decides. */
export const GATEWAY_INTERNAL_PORT = 8081;
/** Served by nginx itself on both ports, without credentials, for probes. */
export const GATEWAY_HEALTH_PATH = '/gateway-health';
/** Where the start command writes the resolver line nginx includes. */
export const GATEWAY_RESOLVER_FILE = '/tmp/resolver.conf';

export interface GatewayBackend {
  /** Version name, sent back in the `X-Model-Version` response header. */
  readonly version: string;
  /** Base URL of the version's Service, e.g. `http://iris-v1-predictor.serving.svc.cluster.local:80`. */
  readonly url: string;
  /** Percent of the requests. */
  readonly weight: number;
  /**
   * The name the version's server knows the model by, when it is not the
   * model's (KServe names a model after its InferenceService, `<model>-<version>`
   * in a split): the gateway rewrites `/v1/models/<model>...` and
   * `/v2/models/<model>...` to it, so clients use one path for every version.
   */
  readonly serverModelName?: string;
}

export interface GatewayConfig {
  readonly model: string;
  readonly backends: readonly GatewayBackend[];
  /** htpasswd file of the public port. */
  readonly htpasswdFile: string;
  /** Largest request body (a batch of features), nginx syntax. @default '16m' */
  readonly maxBodySize?: string;
  /** Resolver include file. @default GATEWAY_RESOLVER_FILE */
  readonly resolverFile?: string;
  /** @default GATEWAY_PUBLIC_PORT */
  readonly publicPort?: number;
  /** @default GATEWAY_INTERNAL_PORT */
  readonly internalPort?: number;
}

/** The weighted choice of a backend: `split_clients` on the request id, so every request is drawn anew. */
function splitBlock(backends: readonly GatewayBackend[]): string {
  const live = backends.filter((b) => b.weight > 0);
  if (live.length === 0) throw new Error('a model gateway needs a backend with a weight above 0');
  const value = (b: GatewayBackend) => `"${b.version} ${b.serverModelName ?? '-'} ${b.url}"`;
  const lines = live.map((b, i) => (i === live.length - 1 ? `    * ${value(b)};` : `    ${b.weight}% ${value(b)};`));
  return `  split_clients "\${request_id}" $model_choice {\n${lines.join('\n')}\n  }`;
}

/** The complete nginx.conf of one model's gateway. Everything nginx writes goes to /tmp (read-only root). */
export function gatewayConfig(c: GatewayConfig): string {
  const renames = c.backends.some((b) => b.serverModelName !== undefined && b.serverModelName !== c.model);
  if (renames && c.backends.some((b) => b.serverModelName === undefined)) throw new Error(`gateway of ${c.model}: rename every version's model or none`);
  // The map's own regular expression must run before the rewrite's: evaluated inside the rewrite it
  // would overwrite the rewrite's captures ($1, $2), so it is copied to a plain variable first.
  const rewrite = renames
    ? `      set $target_model $server_model;\n      rewrite "^/(v1|v2)/models/${c.model}([:/].*)?$" /$1/models/$target_model$2 break;\n`
    : '';
  const proxy = `${rewrite}      proxy_pass $model_backend;
      proxy_http_version 1.1;
      proxy_set_header Host $proxy_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header Authorization "";
      proxy_read_timeout 300s;
      add_header X-Model-Version $model_version always;`;
  /** A server on one port: a health endpoint of nginx's own, everything else to the chosen version. */
  const server = (port: number, auth: string) => `  server {
    listen ${port};
    location = ${GATEWAY_HEALTH_PATH} {
      access_log off;
      return 200 "ok\\n";
    }
    location / {
${auth}${proxy}
    }
  }`;
  return `${nginxConfigStart(`mlops-gitops model gateway of ${c.model} (lib/constructs/model-gateway.ts)`, 1024, c.maxBodySize ?? '16m')}  include ${c.resolverFile ?? GATEWAY_RESOLVER_FILE};
${splitBlock(c.backends)}
  map $model_choice $model_version {
    "~^(?<v>\\S+) " $v;
  }
  map $model_choice $server_model {
    "~^\\S+ (?<n>\\S+) " $n;
  }
  map $model_choice $model_backend {
    "~ (?<u>\\S+)$" $u;
  }
${server(c.publicPort ?? GATEWAY_PUBLIC_PORT, `      auth_basic "${c.model.replace(/["\\]/g, '')}";\n      auth_basic_user_file ${c.htpasswdFile};\n`)}
${server(c.internalPort ?? GATEWAY_INTERNAL_PORT, '')}
}
`;
}

/** The start command: the pod's DNS server becomes nginx's resolver, then nginx runs in the foreground. */
export function gatewayCommand(configFile: string, resolverFile = GATEWAY_RESOLVER_FILE): string[] {
  return [
    'sh',
    '-c',
    `set -eu; ns=$(awk '/^nameserver/ { print $2; exit }' /etc/resolv.conf); case "$ns" in *:*) ns="[$ns]";; esac; echo "resolver $ns valid=10s;" > ${resolverFile}; exec nginx -c ${configFile} -g 'daemon off;'`,
  ];
}
