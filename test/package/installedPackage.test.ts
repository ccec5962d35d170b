// The package as a user gets it: `npm pack`, installed into a new project, then used from there by a plain
// ES-module consumer (numbers checked) and a CommonJS one, type-checked as a TypeScript consumer under
// moduleResolution node16 and bundler, and by the examples, run at small sizes against the installed copy.
//
// The package is packed from a staging copy (the files package.json ships, and a dist/ built from src), not
// in the repository: `npm run build` empties dist/ first, which would pull it away from tests running at the
// same time. Where the repository's dist/ is a build newer than every source (as after `npm run api:check`,
// which `npm test` runs first) it is copied instead of built again, which saves a minute on a loaded machine.
// The installed dependencies come from the npm cache or the registry.
import assert from 'node:assert/strict';
import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';

const repo = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  files: string[];
  exports: Record<string, string | Record<string, string>>;
};
const tsc = require.resolve('typescript/bin/tsc');
const tsxLoader = pathToFileURL(require.resolve('tsx')).href;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Small sizes for each example (a new example fails the test until it gets an entry here). */
const EXAMPLE_RUNS: Record<string, { args: (dir: string) => string[]; prints: RegExp }> = {
  'measure-minimum.ts': {
    args: () => '--size 8 --filters 4 --n 64 --epochs 1 --batch-size 16 --limit 16 --matvecs 4'.split(' '),
    prints: /^Tr H \/ tr σ²\s+-?\d/m,
  },
  'own-data-and-model.ts': {
    args: () => ['--n', '60', '--matvecs', '8'],
    prints: /^accuracy \d\.\d{3}; Tr H -?\d/m,
  },
  'train-resnet.ts': {
    args: (dir) => [...'--n 64 --epochs 1 --size 8 --filters 4 --batch-size 16 --out'.split(' '), dir],
    prints: /^reloaded from .*weights\.safetensors: test loss \d/m,
  },
};

let work = '';
let project = '';
let tarballFiles: string[] = [];

/** Runs one step; on failure the message names the step, the command, its exit and its output's tail. */
function step(what: string, command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const env = { ...process.env };
  // CI's "the oneDNN addon must be built" applies to the repository, not to a fresh install of the tarball;
  // what `npm test` sets about the repository's package must not steer the npm commands run here.
  delete env['SGD_FACTORS_REQUIRE_ONEDNN'];
  for (const key of Object.keys(env))
    if (/^npm_(package_|lifecycle_|command$|config_local_prefix$|config_call$)/.test(key)) delete env[key];
  const r = spawnSync(command, args, { encoding: 'utf8', env, timeout: 600_000, ...options });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
    assert.fail(`${what} failed (${why}): ${command} ${args.join(' ')}\n${out.slice(-4000)}`);
  }
  return String(r.stdout);
}

/** Every file under `dir`. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * The repository's dist/ if it is what `npm run build` makes of the current sources: newer than every file
 * of src/ and the build's tsconfig files, and nothing else in it (no src/ tree, no source maps, as
 * `tsc -p tsconfig.json` without --noEmit would leave); else undefined.
 */
function freshRepoDist(): string | undefined {
  const dist = join(repo, 'dist');
  if (!existsSync(join(dist, 'index.js')) || existsSync(join(dist, 'src'))) return undefined;
  const built = filesUnder(dist);
  if (built.some((f) => f.endsWith('.map'))) return undefined;
  const builtAt = Math.min(...built.map((f) => statSync(f).mtimeMs));
  const inputs = [
    join(repo, 'tsconfig.json'),
    join(repo, 'tsconfig.build.json'),
    ...filesUnder(join(repo, 'src')),
  ];
  return inputs.every((f) => statSync(f).mtimeMs <= builtAt) ? dist : undefined;
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'sgd-factors-package-'));
  const staging = join(work, 'staging');
  mkdirSync(staging);
  for (const entry of ['package.json', ...pkg.files]) {
    if (entry.startsWith('!') || entry === 'dist') continue;
    if (existsSync(join(repo, entry))) cpSync(join(repo, entry), join(staging, entry), { recursive: true });
  }
  const dist = freshRepoDist();
  if (dist) cpSync(dist, join(staging, 'dist'), { recursive: true });
  else
    step('building the package', process.execPath, [
      tsc,
      '-p',
      join(repo, 'tsconfig.build.json'),
      '--outDir',
      join(staging, 'dist'),
    ]);
  const packed = step('npm pack', npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
    cwd: staging,
  });
  const [{ filename, files }] = JSON.parse(packed) as [{ filename: string; files: { path: string }[] }];
  tarballFiles = files.map((f) => f.path);

  project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  step(
    'installing the packed tarball into a new project (its dependencies come from the npm cache or registry)',
    npm,
    [
      'install',
      join(work, filename),
      '--prefix',
      project,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ],
    { cwd: project },
  );
  assert.ok(
    existsSync(join(project, 'node_modules/sgd-factors/package.json')),
    `npm install reported success but ${project}/node_modules/sgd-factors is missing`,
  );
  cpSync(join(repo, 'test/package/consumer'), project, { recursive: true });
  cpSync(join(repo, 'examples'), join(project, 'examples'), { recursive: true });
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball has every file the exports map names, and no source map without its source', () => {
  const shipped = new Set(tarballFiles);
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const paths = typeof target === 'string' ? [target] : Object.values(target);
    for (const path of paths)
      assert.ok(shipped.has(path.replace(/^\.\//, '')), `${subpath}: ${path} is not shipped`);
  }
  for (const path of shipped) {
    if (!path.endsWith('.map')) continue;
    const source = path.replace(/^dist\//, 'src/').replace(/\.js\.map$|\.d\.ts\.map$/, '.ts');
    assert.ok(shipped.has(source), `${path} is shipped without its source ${source}`);
  }
});

test('an ES-module consumer imports the root and subpaths and gets exact numbers', () => {
  const out = step('the ES-module consumer', process.execPath, ['consumer.mjs'], { cwd: project });
  assert.match(out, /^hessianOperator: Tr H (\S+) = exact \1$/m);
});

test('a CommonJS consumer requires the root and a subpath (require of ES modules, Node >= 20.19)', () => {
  const script = [
    "const { tf, solveLyapunov } = require('sgd-factors');",
    "const { expectedLossFourFactor } = require('sgd-factors/theory');",
    // 2x = 6 for the 1×1 equation ax + xa = q with a = 1, q = 6.
    'const x = solveLyapunov([[1]], [[6]])[0][0];',
    'process.stdout.write(JSON.stringify([typeof tf.tensor, x, typeof expectedLossFourFactor]));',
  ].join('\n');
  const out = step('the CommonJS consumer', process.execPath, ['--no-warnings', '-e', script], {
    cwd: project,
  });
  assert.deepEqual(JSON.parse(out), ['function', 3, 'function']);
});

for (const resolution of ['node16', 'bundler'] as const) {
  test(`a TypeScript consumer type-checks with moduleResolution ${resolution}`, () => {
    // node16 with the library check on: our declarations must pass it; tfjs 4.22's own do not (README,
    // TypeScript), so errors inside @tensorflow/* are the only ones allowed. bundler without it (as users
    // need it for tfjs), which halves the time: what it adds is the resolution of every import.
    const config = {
      compilerOptions: {
        module: resolution === 'node16' ? 'node16' : 'esnext',
        moduleResolution: resolution,
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: resolution === 'bundler',
        types: ['node'],
        typeRoots: [join(repo, 'node_modules/@types')],
      },
      files: ['consumer.ts'],
    };
    writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify(config));
    const r = spawnSync(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`, '--pretty', 'false'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 240_000,
    });
    const errors = r.stdout.split('\n').filter((line) => /^\S.*\(\d+,\d+\): error TS/.test(line));
    assert.ok(
      r.status === 0 || errors.length > 0,
      `tsc (${resolution}) failed: ${r.error ?? ''}${r.stdout}${r.stderr}`,
    );
    const ours = errors.filter((line) => !line.startsWith('node_modules/@tensorflow/'));
    assert.deepEqual(ours, [], `tsc --noEmit (moduleResolution ${resolution}) found errors outside tfjs`);
  });
}

test('the examples run against the installed package', () => {
  const examples = readdirSync(join(project, 'examples')).filter((f) => f.endsWith('.ts'));
  assert.deepEqual(examples.sort(), Object.keys(EXAMPLE_RUNS).sort(), 'every example has small sizes here');
  for (const example of examples) {
    const run = EXAMPLE_RUNS[example]!;
    const args = ['--import', tsxLoader, join('examples', example), ...run.args(join(work, example))];
    const out = step(`example ${example}`, process.execPath, args, { cwd: project, timeout: 120_000 });
    assert.match(out, run.prints, `${example} printed:\n${out}`);
  }
});
