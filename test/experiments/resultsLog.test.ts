import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { appendRunRecord, readRunRecords } from '../../src/experiments/resultsLog.js';
import type { RunRecord } from '../../src/run/runResult.js';

const dir = mkdtempSync(join(tmpdir(), 'results-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const record = (id: string, value: number) => ({ id, value }) as unknown as RunRecord;

describe('results log', () => {
  it('reads what was appended, one line per record', () => {
    const path = join(dir, 'a.jsonl');
    appendRunRecord(path, record('r1', 1));
    appendRunRecord(path, record('r2', 2));
    assert.equal(readFileSync(path, 'utf8').split('\n').length, 3);
    assert.deepEqual(readRunRecords(path), { records: [record('r1', 1), record('r2', 2)], ignoredLines: [] });
  });
  it('ignores a torn last line, and a later append does not glue onto it', () => {
    const path = join(dir, 'b.jsonl');
    appendRunRecord(path, record('r1', 1));
    appendFileSync(path, '{"id":"r2","val');
    assert.deepEqual(readRunRecords(path), { records: [record('r1', 1)], ignoredLines: [2] });
    appendRunRecord(path, record('r3', 3));
    assert.deepEqual(readRunRecords(path), {
      records: [record('r1', 1), record('r3', 3)],
      ignoredLines: [2],
    });
  });
  it('keeps the last line of a repeated id and reads a missing file as empty', () => {
    const path = join(dir, 'c.jsonl');
    appendRunRecord(path, record('r1', 1));
    appendRunRecord(path, record('r1', 5));
    assert.deepEqual(readRunRecords(path).records, [record('r1', 5)]);
    assert.deepEqual(readRunRecords(join(dir, 'missing.jsonl')), { records: [], ignoredLines: [] });
  });
});
