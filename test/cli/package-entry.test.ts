/**
 * The package's entry (package.json "exports" and "main") is the bundled library, dist/bundle/library.js: one
 * file and its chunks to load instead of gradproof's ≈ 150 modules. It must export what src/index.ts exports,
 * and the types (dist/index.d.ts) must describe that module. dist/ is built by `npm ci` (the prepare script).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as sources from '../../src/index.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  main: string;
  types: string;
  exports: { '.': { types: string; import: string } };
};

describe("the package's entry", () => {
  it('is the bundled library, typed by the library compiled module by module', () => {
    expect(pkg.exports['.'].import).toBe('./dist/bundle/library.js');
    expect(pkg.main).toBe('dist/bundle/library.js');
    expect(pkg.exports['.'].types).toBe('./dist/index.d.ts');
    expect(pkg.types).toBe('dist/index.d.ts');
  });

  it('exports exactly what src/index.ts exports, each of the same kind', async () => {
    const bundled = (await import(pathToFileURL(resolve(pkg.exports['.'].import)).href)) as Record<string, unknown>;
    expect(Object.keys(bundled).sort()).toEqual(Object.keys(sources).sort());
    for (const [name, value] of Object.entries(sources)) expect(typeof bundled[name], name).toBe(typeof value);
    // and it works: a derivation file read and one claim checked through it
    const { loadDerivationFile, checkDerivation } = bundled as typeof sources;
    const lab = loadDerivationFile('derivations/lab-10-5-vanilla-rnn.yaml');
    const [result] = checkDerivation(lab, { claims: ['lab-eq1'], instances: 1 });
    expect(result!.verdict).toBe('verified');
  });
});
