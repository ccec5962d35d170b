import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import type { RunRecord } from '../run/runResult.js';

function endsWithNewline(path: string): boolean {
  if (!existsSync(path)) return true;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends one finished run to a JSON-lines results file, as a single `appendFileSync` call so that a line
 * is never interleaved with another writer's.
 *
 * @remarks
 * If the file ends in a torn line (a process killed mid-write), the new line starts on a fresh line, so
 * the torn fragment stays one unreadable line that {@link readRunRecords} skips instead of corrupting
 * this one.
 *
 * @param path - the results file (`DIR/results.jsonl`); created if missing.
 * @param record - the run.
 */
export function appendRunRecord(path: string, record: RunRecord): void {
  const line = `${JSON.stringify(record)}\n`;
  appendFileSync(path, endsWithNewline(path) ? line : `\n${line}`);
}

/** What {@link readRunRecords} found. */
export interface RunRecordsRead {
  /** The readable records, one per run id (the last line wins if an id repeats), in file order. */
  records: RunRecord[];
  /** 1-based numbers of lines that could not be parsed (a torn last line, typically). */
  ignoredLines: number[];
}

/**
 * Reads a JSON-lines results file, ignoring lines that are not complete JSON objects with an `id` (a torn
 * last line after a crash). A missing file reads as empty.
 *
 * @param path - the results file.
 */
export function readRunRecords(path: string): RunRecordsRead {
  if (!existsSync(path)) return { records: [], ignoredLines: [] };
  const byId = new Map<string, RunRecord>();
  const ignoredLines: number[] = [];
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value !== 'object' || value === null || typeof (value as RunRecord).id !== 'string')
        throw new Error('not a run record');
      const record = value as RunRecord;
      byId.delete(record.id);
      byId.set(record.id, record);
    } catch {
      ignoredLines.push(index + 1);
    }
  });
  return { records: [...byId.values()], ignoredLines };
}
