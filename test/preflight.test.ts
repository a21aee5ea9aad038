/** `npm run preflight`: what each shipped environment needs from its cluster, with a command that checks it. */
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { main as preflightMain } from '../lib/cli/preflight';
import { ROOT } from './support';

async function run(env: string): Promise<string> {
  let out = '';
  assert.equal(await preflightMain(['--env', env], ROOT, (t) => (out += t)), 0);
  return out;
}

test('preflight of staging: the storage class, a load balancer for Traefik, DNS, ACME reachability, three nodes, node groups', async () => {
  const out = await run('staging');
  assert.match(out, /^Before bootstrapping staging, the cluster needs:/);
  assert.match(out, /StorageClass "gp3"\n {3}why: .*\n {3}check: kubectl get storageclass gp3/);
  assert.match(out, /Services of type LoadBalancer get an address/);
  assert.match(out, /DNS names argocd\.staging\.mlops\.example\.com, mlflow\.staging\.mlops\.example\.com, airflow\.staging\.mlops\.example\.com, prefect\.staging\.mlops\.example\.com/);
  assert.match(out, /reachable from the internet on port 80/);
  assert.match(out, /at least three schedulable nodes/);
  assert.match(out, /bootstrap step 3 installs the helm-controller/);
  assert.match(out, /node-groups\.md/);
});

test('preflight of local: k3s\'s own helm-controller and Traefik class, trust of the self-signed CA', async () => {
  const out = await run('local');
  assert.match(out, /k3s's helm-controller, with the klipper-helm job image it ships/);
  assert.match(out, /an ingress controller serving IngressClass "traefik"\n {3}why: .*k3s ships Traefik/);
  assert.match(out, /trust the environment's CA/);
  assert.doesNotMatch(out, /three schedulable nodes/);
});

test('preflight of prod: the existing Argo CD with the health checks, Karpenter, the cloud identity', async () => {
  const out = await run('prod');
  assert.match(out, /an Argo CD \(v2\.7 or later.*health checks in argocd-cm/);
  assert.match(out, /Karpenter \(v1 API\) and its EC2NodeClass "default"/);
  assert.match(out, /arn:aws:iam::123456789012:role\/mlops-prod-object-store/);
  assert.match(out, /NVIDIA driver/);
});

test('preflight: usage errors', async () => {
  await assert.rejects(preflightMain([], ROOT, () => undefined), /--env is required/);
  await assert.rejects(preflightMain(['--env', 'nope'], ROOT, () => undefined), /no environment "nope"/);
  await assert.rejects(preflightMain(['--env', 'local', 'extra'], ROOT, () => undefined), /unexpected argument extra/);
});
