/**
 * A V8 code cache for the generator's modules, kept in build/.compile-cache/.
 *
 * Most of a synth run is V8 compiling functions the first time they run
 * (cdk8s, cdk8s-plus and the components execute once per process). Node 22
 * caches that work across runs with `module.enableCompileCache()`; on such a
 * Node this uses it. On Node 20 it does the same by hand: every CommonJS
 * module is compiled with the cached data of its last run (keyed by file and
 * content, and checked against a SHA-1 of the data stored with it: V8 checks
 * only its header, and damaged data can crash it), and at exit the modules
 * compiled without usable data write theirs, atomically, including every
 * function the run compiled. ES modules, modules that call `import()` (a
 * vm.Script has no module loader on Node 20) and runs with source maps
 * enabled are left to Node. The output does not depend on the cache, only the time
 * does; scripts/build-if-changed.cjs empties it whenever it compiles.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

type Compile = (this: NodeModule & { require: NodeRequire }, content: string, filename: string, format?: string) => unknown;

/** SHA-1 of the data, in front of it in each entry. */
const DIGEST = 20;
const digest = (data: Buffer) => createHash('sha1').update(data).digest();

/** Turns the cache on for every module required from now on. Safe to call once, before the generator loads. */
export function enableCompileCache(dir: string): void {
  const builtIn = (Module as unknown as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  if (typeof builtIn === 'function') {
    builtIn(dir);
    return;
  }
  // Stack traces through source maps need Node's own loader.
  if ((process as unknown as { sourceMapsEnabled?: boolean }).sourceMapsEnabled) return;
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch {
    return; // no cache, no harm
  }
  const prefix = (Module as unknown as { wrapper: string[] }).wrapper[0]!;
  const proto = Module.prototype as unknown as { _compile: Compile };
  const original = proto._compile;
  const pending: { script: vm.Script; file: string }[] = [];
  const M = Module as unknown as { wrap(s: string): string; _resolveFilename(r: string, p: unknown, m: boolean, o?: unknown): string; _cache: unknown; _extensions: unknown; _resolveLookupPaths(r: string, p: unknown): string[] | null };
  proto._compile = function (this: NodeModule & { require: NodeRequire }, content: string, filename: string, format?: string): unknown {
    const nodeDoesIt = () => original.call(this, content, filename, format);
    if (!filename.endsWith('.js') || (format !== undefined && format !== 'commonjs') || content.includes('import(')) return nodeDoesIt();
    const file = path.join(dir, createHash('sha256').update(filename).update('\0').update(content).digest('hex').slice(0, 32));
    let cachedData: Buffer | undefined;
    try {
      const entry = fs.readFileSync(file);
      const data = entry.subarray(DIGEST);
      cachedData = entry.length > DIGEST && digest(data).equals(entry.subarray(0, DIGEST)) ? data : undefined;
    } catch {
      cachedData = undefined;
    }
    let script: vm.Script;
    try {
      script = new vm.Script(M.wrap(content), {
        filename,
        // Columns on the first line as Node reports them, without the wrapper.
        columnOffset: -prefix.length,
        ...(cachedData ? { cachedData } : {}),
      });
    } catch {
      return nodeDoesIt();
    }
    if (!cachedData || script.cachedDataRejected) pending.push({ script, file });
    const mod = this;
    const require = ((id: string) => mod.require(id)) as NodeRequire;
    const resolve = ((request: string, options?: unknown) => M._resolveFilename(request, mod, false, options)) as NodeRequire['resolve'];
    resolve.paths = (request: string) => M._resolveLookupPaths(request, mod);
    require.resolve = resolve;
    require.main = process.mainModule;
    require.extensions = M._extensions as NodeRequire['extensions'];
    require.cache = M._cache as NodeRequire['cache'];
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return fn.call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    for (const { script, file } of pending) {
      try {
        // Written next to it and renamed: a concurrent run reads the old data or the new, never half.
        const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
        const data = script.createCachedData();
        fs.writeFileSync(tmp, Buffer.concat([digest(data), data]));
        fs.renameSync(tmp, file);
      } catch {
        // a read-only build/: the next run compiles again
      }
    }
  });
}
