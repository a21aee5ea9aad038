/**
 * Reads environments from disk for the CLIs: the environment file, its
 * sealed values and its sealing certificate.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnvironmentConfig } from '../config/environment';
import { loadEnvironment } from '../config/load';
import { UserError } from '../errors';
import { PlatformInputs } from '../platform';
import { emptySealedValues, parseSealedValues } from '../sealing/sealed-values';

export const ENVIRONMENTS_DIR = 'environments';

/** Sealed values file of an environment, relative to the project root. */
export function sealedValuesFile(env: string): string {
  return `${ENVIRONMENTS_DIR}/sealed/${env}.yaml`;
}

/** Names of every `environments/<env>.yaml`, sorted. */
export function listEnvironments(root: string): string[] {
  const dir = path.join(root, ENVIRONMENTS_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => e.name.replace(/\.ya?ml$/, ''))
    .sort();
}

/** Picks the requested environments (all when none is named); an unknown name is an error. */
export function selectEnvironments(root: string, requested: readonly string[]): string[] {
  const available = listEnvironments(root);
  const unknown = requested.filter((e) => !available.includes(e));
  if (unknown.length > 0) {
    throw new UserError(
      unknown.map((e) => ({
        file: `${ENVIRONMENTS_DIR}/${e}.yaml`,
        message: `there is no environment "${e}"`,
        fix: available.length ? `use one of: ${available.join(', ')}` : `create ${ENVIRONMENTS_DIR}/${e}.yaml (see README.md)`,
      })),
    );
  }
  return requested.length > 0 ? [...new Set(requested)] : available;
}

/** Loads and validates one environment file. */
export function readEnvironment(root: string, env: string): EnvironmentConfig {
  const yml = path.join(root, ENVIRONMENTS_DIR, `${env}.yaml`);
  const file = fs.existsSync(yml) ? `${ENVIRONMENTS_DIR}/${env}.yaml` : `${ENVIRONMENTS_DIR}/${env}.yml`;
  return loadEnvironment(fs.readFileSync(path.join(root, file), 'utf8'), file);
}

/** Everything buildPlatform needs for one environment, read from disk. */
export function readPlatformInputs(root: string, env: string): PlatformInputs {
  const config = readEnvironment(root, env);
  if (!fs.existsSync(path.join(root, config.sealing.certificate))) {
    throw new UserError({
      file: config.file,
      path: '/sealing/certificate',
      message: `the sealing certificate ${config.sealing.certificate} does not exist`,
      fix: `npm run keys -- --env ${env} (a new key pair), or: kubeseal --fetch-cert --controller-namespace ${config.components.sealedSecrets.namespace} > ${config.sealing.certificate}`,
    });
  }
  const sealedFile = sealedValuesFile(env);
  const sealedPath = path.join(root, sealedFile);
  const sealedValues = fs.existsSync(sealedPath) ? parseSealedValues(fs.readFileSync(sealedPath, 'utf8'), sealedFile) : emptySealedValues();
  return { config, sealedValues, sealedFile };
}
