import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCheckpointState } from '../../src/train/checkpoint.js';
import { MAX_JSON_DEPTH, parseJsonText, readJsonFile } from '../../src/util/readJsonFile.js';

test('readJsonFile names the file for deep nesting, invalid JSON, symlink loops and missing files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgd-factors-json-'));
  try {
    const deep = join(dir, 'deep.json');
    // 100,000 levels: any recursive reader would overflow the stack ("Maximum call stack size exceeded").
    writeFileSync(deep, `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    assert.throws(
      () => readJsonFile(deep),
      (error: Error) => {
        assert.equal(
          error.message,
          `${deep}: JSON nested deeper than ${MAX_JSON_DEPTH} levels; not a valid file of this kind`,
        );
        return true;
      },
    );
    const ok = join(dir, 'ok.json');
    const value = { a: [1, { b: '[[[[' }], s: '\\"{' };
    writeFileSync(ok, JSON.stringify(value));
    assert.deepEqual(readJsonFile(ok), value);
    const limit = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
    assert.deepEqual(parseJsonText(limit, 'x'), JSON.parse(limit));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"a": }');
    assert.throws(
      () => readJsonFile(bad),
      (error: Error) => error.message.startsWith(`${bad}: invalid JSON`),
    );
    symlinkSync(join(dir, 'loop2'), join(dir, 'loop1'));
    symlinkSync(join(dir, 'loop1'), join(dir, 'loop2'));
    assert.throws(
      () => readJsonFile(join(dir, 'loop1')),
      /cannot read .*loop1 is a symbolic link loop .*\(ELOOP\)/,
    );
    assert.throws(
      () => readJsonFile(join(dir, 'none.json')),
      /cannot read .*none\.json does not exist \(ENOENT\)/,
    );
    // A checkpoint state that is a symlink loop is reported as such, not as "no checkpoint".
    const ckpt = join(dir, 'ckpt');
    mkdirSync(ckpt);
    symlinkSync(join(ckpt, 'other.json'), join(ckpt, 'checkpoint.json'));
    symlinkSync(join(ckpt, 'checkpoint.json'), join(ckpt, 'other.json'));
    assert.throws(
      () => readCheckpointState(ckpt),
      /checkpoint\.json is a symbolic link loop, not a checkpoint file/,
    );
    assert.equal(readCheckpointState(join(dir, 'nothing-here')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
