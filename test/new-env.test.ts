/**
 * Users' own environments: `npm run new-env` creates a working environment in
 * one step, in a temporary copy of the project, and adding it breaks nothing
 * the shipped environments rely on.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { listEnvironments } from '../lib/cli/environments';
import { main as newEnv, newEnvironmentText } from '../lib/cli/new-env';
import { renderEnvironments, synthesize } from '../lib/cli/synth';
import { validateDist } from '../lib/cli/validate';
import { readCrdSchemaFiles } from '../lib/validation/files';
import { createValidator } from '../lib/validation/schemas';
import { ROOT } from './support';

/** A copy of the project's environments (with their certificates and sealed values) in a temporary folder. */
function projectCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-new-env-'));
  fs.cpSync(path.join(ROOT, 'environments'), path.join(dir, 'environments'), { recursive: true, filter: (src) => !src.includes(`${path.sep}keys`) });
  fs.symlinkSync(path.join(ROOT, 'imports'), path.join(dir, 'imports')); // the CRD schemas validate reads
  return dir;
}

test('new-env: an environment file, its key pair and its sealed credentials; it renders and validates next to the shipped ones', async () => {
  const dir = projectCopy();
  try {
    const out: string[] = [];
    assert.equal(await newEnv(['team-a', '--key-size', '2048', '--root', dir], (l) => out.push(l)), 0);
    const text = fs.readFileSync(path.join(dir, 'environments', 'team-a.yaml'), 'utf8');
    assert.match(text, /^cluster:\n {2}name: team-a$/m);
    assert.match(text, /^domain: team-a\.mlops\.localhost$/m);
    assert.match(text, /^ {2}certificate: environments\/certs\/team-a\.pem$/m);
    assert.match(text, /^# Started from environments\/local\.yaml/);
    for (const f of ['environments/certs/team-a.pem', 'environments/keys/team-a.key.yaml', 'environments/sealed/team-a.yaml']) assert.ok(fs.existsSync(path.join(dir, f)), f);
    const printed = out.join('\n');
    assert.match(printed, /Sealed \d+ generated credential\(s\) into environments\/sealed\/team-a\.yaml/);
    assert.match(printed, /Next steps:[\s\S]*npm run synth -- team-a[\s\S]*never environments\/keys/);

    // Every environment, the new one too, renders; every object is valid; synth and validate agree.
    assert.deepEqual(listEnvironments(dir), ['local', 'prod', 'staging', 'team-a']);
    const validator = createValidator(readCrdSchemaFiles(path.join(ROOT, 'imports')));
    const [team] = renderEnvironments(dir, ['team-a']);
    for (const f of team!.files) assert.deepEqual(validator.validateObject(f.object), [], f.path);
    assert.ok(team!.files.some((f) => f.path === 'apps/Application.team-a-airflow.k8s.yaml'));
    synthesize({ root: dir, envs: ['team-a'], log: () => undefined });
    assert.deepEqual(validateDist(dir).errors, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('new-env refuses a taken or bad name, an unknown --from and a bad domain, and leaves nothing behind', async () => {
  const dir = projectCopy();
  try {
    const before = fs.readdirSync(path.join(dir, 'environments'), { recursive: true }).sort();
    await assert.rejects(newEnv(['staging', '--root', dir], () => undefined), /environment staging already exists/);
    await assert.rejects(newEnv(['Team_A', '--root', dir], () => undefined), /"Team_A" is not a usable environment name/);
    await assert.rejects(newEnv(['team-a', '--from', 'qa', '--root', dir], () => undefined), /--from qa: no environments\/qa\.yaml[\s\S]*local, prod, staging/);
    await assert.rejects(newEnv(['team-a', '--domain', 'not a domain', '--root', dir], () => undefined), /environments\/team-a\.yaml.*\/domain/);
    await assert.rejects(newEnv(['--root', dir], () => undefined), /the new environment's name is missing/);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'environments'), { recursive: true }).sort(), before, 'nothing written');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the new file keeps the other\'s comments and changes only name, domain, description and certificate', () => {
  const source = '# Staging cluster\ndescription: Staging.\ncluster:\n  name: staging\n  storageClass: gp3\ndomain: staging.mlops.example.com\nsealing:\n  certificate: environments/certs/staging.pem\ncomponents:\n  airflow:\n    name: staging\n';
  assert.equal(
    newEnvironmentText(source, 'staging', 'qa'),
    '# Started from environments/staging.yaml by npm run new-env.\n# Staging cluster\ndescription: Environment qa, started from staging.\ncluster:\n  name: qa\n  storageClass: gp3\ndomain: qa.mlops.example.com\nsealing:\n  certificate: environments/certs/qa.pem\ncomponents:\n  airflow:\n    name: staging\n',
  );
  assert.match(newEnvironmentText(source, 'staging', 'qa', 'qa.example.org'), /^domain: qa\.example\.org$/m);
  // Layouts people write: a comment after the domain, 4-space indents, a comment in column 0 inside the
  // block, flow style, Windows line endings.
  assert.match(newEnvironmentText('domain: staging.example.com  # public DNS\n', 'staging', 'qa', 'qa.example.org'), /^domain: qa\.example\.org {2}# public DNS$/m);
  assert.match(newEnvironmentText('cluster:\n    storageClass: gp3\n# the name\n    name: staging\n', 'staging', 'qa'), /^ {4}name: qa$/m);
  assert.match(newEnvironmentText('cluster: {server: x, name: staging}\n', 'staging', 'qa'), /^cluster: \{server: x, name: qa\}$/m);
  const crlf = newEnvironmentText('cluster:\r\n  name: staging\r\ndomain: staging.example.com\r\n', 'staging', 'qa');
  assert.equal(crlf, '# Started from environments/staging.yaml by npm run new-env.\r\ncluster:\r\n  name: qa\r\ndomain: qa.example.com\r\n');
});

test('new-env refuses the files left from an earlier environment of that name, and starts from a .yml file', async () => {
  const dir = projectCopy();
  try {
    fs.writeFileSync(path.join(dir, 'environments', 'sealed', 'old.yaml'), 'secrets: {}\n');
    await assert.rejects(newEnv(['old', '--root', dir], () => undefined), /environments\/sealed\/old\.yaml already exists, left from an earlier environment old/);
    assert.ok(!fs.existsSync(path.join(dir, 'environments', 'old.yaml')));
    fs.renameSync(path.join(dir, 'environments', 'local.yaml'), path.join(dir, 'environments', 'qa.yml'));
    fs.renameSync(path.join(dir, 'environments', 'certs', 'local.pem'), path.join(dir, 'environments', 'certs', 'qa.pem'));
    const text = fs.readFileSync(path.join(dir, 'environments', 'qa.yml'), 'utf8').replace('certs/local.pem', 'certs/qa.pem').replace(/^ {2}name: local$/m, '  name: qa');
    fs.writeFileSync(path.join(dir, 'environments', 'qa.yml'), text);
    assert.equal(await newEnv(['team-b', '--from', 'qa', '--key-size', '2048', '--root', dir], () => undefined), 0);
    assert.match(fs.readFileSync(path.join(dir, 'environments', 'team-b.yaml'), 'utf8'), /^ {2}name: team-b$/m);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
