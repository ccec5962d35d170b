import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sweepStaleTempFiles, writeFileAtomic } from '../../src/util/atomicWrite.js';
import { describePathKind, fileError, pathKind } from '../../src/util/fileErrors.js';

/** The id of a process that has exited (a child run to completion). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

test('a temporary file left by a killed writer is swept on the next run; live and foreign files stay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgd-factors-atomic-'));
  try {
    const dead = join(dir, `.result.json.${deadPid()}-0123456789ab.tmp`);
    const live = join(dir, `.result.json.${process.ppid}-0123456789ab.tmp`);
    const legacyOld = join(dir, '.aaaaaaaaaaaa.tmp');
    const legacyNew = join(dir, '.bbbbbbbbbbbb.tmp');
    const unrelated = join(dir, '.notes.tmp');
    for (const path of [dead, live, legacyOld, legacyNew, unrelated]) writeFileSync(path, 'partial');
    const hourAgo = (Date.now() - 2 * 3600_000) / 1000;
    utimesSync(legacyOld, hourAgo, hourAgo);
    // The next process's first write into the directory sweeps it.
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./src/util/atomicWrite.ts').then((m) => m.writeFileAtomic(${JSON.stringify(join(dir, 'result.json'))}, 'done'))`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(
      readdirSync(dir).sort(),
      [
        '.bbbbbbbbbbbb.tmp',
        '.notes.tmp',
        `.result.json.${process.ppid}-0123456789ab.tmp`,
        'result.json',
      ].sort(),
    );
    assert.equal(readFileSync(join(dir, 'result.json'), 'utf8'), 'done');
    assert.deepEqual(sweepStaleTempFiles(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file-system errors name the file and say what is wrong; no temporary file is left', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgd-factors-atomic-'));
  try {
    mkdirSync(join(dir, 'taken'));
    assert.throws(
      () => writeFileAtomic(join(dir, 'taken'), 'x'),
      (error: NodeJS.ErrnoException) => {
        assert.match(error.message, /^cannot replace .*taken/);
        return true;
      },
    );
    assert.deepEqual(readdirSync(dir), ['taken']);
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const wrapped = fileError('cannot write', '/out/result.json', enospc) as NodeJS.ErrnoException;
    assert.equal(
      wrapped.message,
      'cannot write /out/result.json cannot be written: no space left on the device (ENOSPC)',
    );
    assert.equal(wrapped.code, 'ENOSPC');
    assert.equal(wrapped.cause, enospc);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pathKind tells a symbolic link loop and a dangling link from a missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgd-factors-paths-'));
  try {
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    symlinkSync(join(dir, 'nothing'), join(dir, 'dangling'));
    writeFileSync(join(dir, 'file'), '');
    assert.equal(pathKind(join(dir, 'a')), 'symlinkLoop');
    assert.equal(describePathKind('symlinkLoop'), 'is a symbolic link loop');
    assert.equal(pathKind(join(dir, 'dangling')), 'danglingSymlink');
    assert.equal(pathKind(join(dir, 'none')), 'missing');
    assert.equal(pathKind(join(dir, 'file')), 'file');
    assert.equal(pathKind(dir), 'directory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
