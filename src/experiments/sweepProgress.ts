import type { SweepEvent } from './executor.js';
import { formatDuration } from './formatDuration.js';
import type { SweepTask } from './sweepTask.js';

/** A writable text stream (process.stderr, or anything with `write`). */
export interface TextSink {
  /** Writes text as it is. */
  write(text: string): unknown;
  /** Present and true on a terminal. */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
}

/** Options for {@link createSweepProgress}. */
export interface SweepProgressOptions {
  /** The tasks that will run (not those skipped as finished). */
  tasks: readonly SweepTask[];
  /** Tasks running at once. */
  concurrency: number;
  /** Runs already finished before this process started (counted in the totals). */
  alreadyDone?: number;
  /** Where to draw; default process.stderr. */
  stream?: TextSink;
  /** Draw nothing. */
  silent?: boolean;
  /** Force TTY (redrawn lines) or plain output; default: the stream's `isTTY`. */
  tty?: boolean;
  /** Print an estimate of the whole sweep's duration after the first epoch. Default true. */
  announceEstimate?: boolean;
}

/** Shows a sweep's progress: one line per worker (run id, epoch, loss, ETA) plus a summary line. */
export interface SweepProgress {
  /** Takes an executor event into account (and draws). */
  event(event: SweepEvent): void;
  /** Prints a line above the worker lines. */
  log(line: string): void;
  /** Seconds the remaining work should take, from the epochs and measurements seen so far (NaN before). */
  etaSeconds(): number;
  /** Stops redrawing and leaves the final state on screen. */
  done(): void;
}

interface Slot {
  taskId: string;
  phase: 'starting' | 'training' | 'measuring';
  epoch: number;
  epochs: number;
  status: string;
  epochSeconds: number[];
  measuringSince: number;
}

function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  return Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0)
    ? x.toExponential(2)
    : Number(x.toPrecision(digits)).toString();
}

/**
 * Creates the progress display of a sweep. On a TTY it redraws one line per worker and a summary line;
 * otherwise (CI, pipes, log files) it prints one plain line per event.
 */
export function createSweepProgress(options: SweepProgressOptions): SweepProgress {
  const stream: TextSink = options.stream ?? process.stderr;
  const silent = options.silent ?? false;
  const tty = options.tty ?? Boolean(stream.isTTY);
  const start = Date.now();
  const alreadyDone = options.alreadyDone ?? 0;
  const total = options.tasks.length + alreadyDone;
  const epochsOf = new Map(options.tasks.map((t) => [t.id, t.spec.training.epochs]));
  const epochsDone = new Map<string, number>(options.tasks.map((t) => [t.id, 0]));
  const open = new Set(options.tasks.map((t) => t.id));
  const slots = new Map<number, Slot>();
  const measureSeconds: number[] = [];
  let epochSecondsSum = 0;
  let epochCount = 0;
  let finished = 0;
  let failed = 0;
  let announced = !(options.announceEstimate ?? true);
  let drawnLines = 0;
  let timer: NodeJS.Timeout | undefined;

  const meanEpoch = () => (epochCount > 0 ? epochSecondsSum / epochCount : Number.NaN);
  const meanMeasure = () =>
    measureSeconds.length > 0 ? measureSeconds.reduce((a, b) => a + b, 0) / measureSeconds.length : 0;
  const etaSeconds = () => {
    if (epochCount === 0) return Number.NaN;
    let epochsLeft = 0;
    for (const id of open) epochsLeft += (epochsOf.get(id) ?? 0) - (epochsDone.get(id) ?? 0);
    return (epochsLeft * meanEpoch() + open.size * meanMeasure()) / Math.max(1, options.concurrency);
  };
  const runEta = (slot: Slot) => {
    const perEpoch = slot.epochSeconds.length
      ? slot.epochSeconds.reduce((a, b) => a + b, 0) / slot.epochSeconds.length
      : meanEpoch();
    if (slot.phase === 'measuring')
      return Math.max(0, meanMeasure() - (Date.now() - slot.measuringSince) / 1000);
    return (slot.epochs - slot.epoch) * perEpoch + meanMeasure();
  };
  const summary = () =>
    `sweep: ${alreadyDone + finished}/${total} runs done${failed ? `, ${failed} failed` : ''}` +
    `${alreadyDone ? ` (${alreadyDone} before this start)` : ''}, elapsed ${formatDuration((Date.now() - start) / 1000)}, eta ${formatDuration(etaSeconds())}`;
  const slotLine = (worker: number, slot: Slot) =>
    `  [w${worker}] ${slot.taskId} ${slot.phase === 'training' ? `epoch ${slot.epoch}/${slot.epochs}` : slot.phase} ${slot.status} eta ${formatDuration(runEta(slot))}`;
  const clip = (line: string) => {
    const width = stream.columns ?? 0;
    return width > 1 && line.length >= width ? `${line.slice(0, width - 2)}…` : line;
  };
  const block = () => [
    summary(),
    ...[...slots.entries()].sort((a, b) => a[0] - b[0]).map(([w, s]) => slotLine(w, s)),
  ];
  const erase = () => {
    if (drawnLines > 0) stream.write(`\x1b[${drawnLines}A\x1b[0J`);
    drawnLines = 0;
  };
  const draw = () => {
    if (silent || !tty) return;
    erase();
    const lines = block().map(clip);
    stream.write(`${lines.join('\n')}\n`);
    drawnLines = lines.length;
  };
  const print = (line: string) => {
    if (silent) return;
    if (tty) {
      erase();
      stream.write(`${line}\n`);
      draw();
    } else stream.write(`${line}\n`);
  };
  if (tty && !silent) {
    timer = setInterval(draw, 1000);
    timer.unref();
  }

  return {
    event(event) {
      const now = Date.now();
      switch (event.type) {
        case 'log':
          print(`[w${event.worker}] ${event.message}`);
          return;
        case 'started': {
          slots.set(event.worker, {
            taskId: event.taskId,
            phase: 'starting',
            epoch: 0,
            epochs: epochsOf.get(event.taskId) ?? 0,
            status: '',
            epochSeconds: [],
            measuringSince: now,
          });
          if (tty) draw();
          else print(`[w${event.worker}] ${event.taskId} started`);
          return;
        }
        case 'progress': {
          const slot = slots.get(event.worker);
          if (!slot) return;
          const p = event.progress;
          if (p.type === 'training') {
            slot.phase = 'training';
            slot.epoch = p.fromEpoch;
            epochsDone.set(event.taskId, p.fromEpoch);
            if (!tty && p.fromEpoch > 0)
              print(`[w${event.worker}] ${event.taskId} resumed after epoch ${p.fromEpoch}/${slot.epochs}`);
          } else if (p.type === 'epoch') {
            const r = p.record;
            slot.phase = 'training';
            slot.epoch = r.epoch + 1;
            slot.epochs = p.epochs;
            slot.epochSeconds.push(r.seconds);
            epochSecondsSum += r.seconds;
            epochCount += 1;
            epochsDone.set(event.taskId, r.epoch + 1);
            slot.status = `loss ${fmt(r.loss)} acc ${fmt(r.accuracy, 3)} val ${fmt(r.valAccuracy ?? null, 3)} (${formatDuration(r.seconds)}/epoch)`;
            if (!announced) {
              announced = true;
              let epochsLeft = 0;
              for (const id of open) epochsLeft += (epochsOf.get(id) ?? 0) - (epochsDone.get(id) ?? 0);
              const estimate = (epochsLeft * r.seconds) / Math.max(1, options.concurrency);
              print(
                `sweep: the first epoch took ${formatDuration(r.seconds)}; ${epochsLeft} more epochs on ` +
                  `${options.concurrency} worker${options.concurrency > 1 ? 's' : ''} → about ${formatDuration(estimate)} ` +
                  'of training, plus the end-of-run measurements',
              );
            }
            if (!tty)
              print(
                `[w${event.worker}] ${event.taskId} epoch ${r.epoch + 1}/${p.epochs} ${slot.status} run eta ${formatDuration(runEta(slot))}, sweep eta ${formatDuration(etaSeconds())}`,
              );
          } else {
            slot.phase = 'measuring';
            slot.measuringSince = now;
            slot.status = '';
            if (!tty) print(`[w${event.worker}] ${event.taskId} measuring`);
          }
          draw();
          return;
        }
        case 'finished':
        case 'failed': {
          const slot = slots.get(event.worker);
          if (slot?.phase === 'measuring' && event.type === 'finished')
            measureSeconds.push((now - slot.measuringSince) / 1000);
          slots.delete(event.worker);
          open.delete(event.taskId);
          if (event.type === 'finished') {
            finished += 1;
            const m = event.record.measurement;
            print(
              `[w${event.worker}] ${event.taskId} done: val acc ${fmt(event.record.final.valAccuracy, 3)}, ` +
                `Tr H ${fmt(m.traceH.estimate)} ± ${fmt(m.traceH.standardError, 2)}, ` +
                `tr σ² ${fmt(m.traceSigma.estimate)} ± ${fmt(m.traceSigma.standardError, 2)} ` +
                `(${alreadyDone + finished}/${total})`,
            );
          } else {
            failed += 1;
            print(`[w${event.worker}] ${event.taskId} FAILED: ${event.error}`);
          }
          return;
        }
      }
    },
    log: print,
    etaSeconds,
    done() {
      if (timer) clearInterval(timer);
      if (silent) return;
      if (tty) {
        erase();
        stream.write(`${summary()}\n`);
      } else stream.write(`${summary()}\n`);
    },
  };
}
