// What `npm pack` ships: the built library, its declarations (not the CLI's internals), no source map
// without its source, and the files the README and the optional native build need.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

test('the tarball has no source map without its source and no internal CLI declarations', () => {
  if (!existsSync('dist/index.js')) {
    const built = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);
  }
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' });
  assert.equal(pack.status, 0, pack.stderr);
  const [{ files }] = JSON.parse(pack.stdout) as [{ files: { path: string }[] }];
  const paths = new Set(files.map((f) => f.path));
  for (const required of [
    'dist/index.js',
    'dist/index.d.ts',
    'bin/sgd-factors.js',
    'README.md',
    'package.json',
  ])
    assert.ok(paths.has(required), `${required} is shipped`);
  assert.ok(paths.has('dist/cli/main.js'), 'the CLI itself is shipped');
  for (const path of paths) {
    if (path.endsWith('.map')) {
      const source = path.replace(/^dist\//, 'src/').replace(/\.js\.map$|\.d\.ts\.map$/, '.ts');
      assert.ok(paths.has(source), `${path} is shipped without its source ${source}`);
    }
    assert.ok(
      !(path.startsWith('dist/cli/') && path.endsWith('.d.ts')),
      `${path}: internal CLI declarations`,
    );
    assert.ok(!path.startsWith('src/') && !path.startsWith('test/'), `${path}: sources and tests stay out`);
  }
});

test('CommonJS resolution finds the package (a "default" condition), not ERR_PACKAGE_PATH_NOT_EXPORTED', () => {
  // A package may refer to itself by name through its exports map; without a condition that CommonJS
  // matches, this fails as it does for a CommonJS consumer.
  const r = spawnSync(process.execPath, ['-e', "process.stdout.write(require.resolve('sgd-factors'))"], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /dist\/index\.js$/);
});
