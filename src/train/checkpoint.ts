import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from '../io/safetensors.js';
import { assignTensors, modelTensors } from '../io/weights.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { describePathKind, pathKind } from '../util/fileErrors.js';
import { readJsonFile } from '../util/readJsonFile.js';
import type { EpochRecord } from './history.js';

/** The pointer file of a checkpoint directory; written last, so it always names complete files. */
export const CHECKPOINT_FILE = 'checkpoint.json';

/** The state of a training run after a whole number of epochs, as stored in `checkpoint.json`. */
export interface CheckpointState {
  /** Identifies the file. */
  format: 'sgd-factors-checkpoint';
  /** Layout version. */
  version: 1;
  /** Epochs completed; a resumed run starts at this 0-based epoch. */
  epochsCompleted: number;
  /** The settings that must not change on resume (data size, batch size, seed, loss, …). */
  fingerprint: Record<string, unknown>;
  /** Per-epoch history so far. */
  history: EpochRecord[];
  /** File name (in the same directory) of the model weights, safetensors. */
  weights: string;
  /** File name of the optimizer's momentum buffers, safetensors; absent without momentum. */
  optimizer?: string;
}

const EPOCH_FILE = /^epoch-(\d+)\.(weights|optimizer)\.safetensors$/;

/**
 * Reads the state of a checkpoint directory.
 *
 * @param dir - the checkpoint directory.
 * @returns the state, or undefined when the directory holds no checkpoint.
 * @throws Error for an unreadable or malformed `checkpoint.json`.
 */
export function readCheckpointState(dir: string): CheckpointState | undefined {
  const path = join(dir, CHECKPOINT_FILE);
  const kind = pathKind(path);
  if (kind === 'missing') return undefined;
  if (kind !== 'file') throw new Error(`${path} ${describePathKind(kind)}, not a checkpoint file`);
  let state: CheckpointState;
  try {
    state = readJsonFile(path) as CheckpointState;
  } catch (error) {
    throw new Error(
      `${path}: not a readable checkpoint (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  if (state?.format !== 'sgd-factors-checkpoint' || state.version !== 1)
    throw new Error(
      `${path}: not an sgd-factors checkpoint (format ${String(state?.format)}, version ${String(state?.version)})`,
    );
  if (
    !Number.isInteger(state.epochsCompleted) ||
    state.epochsCompleted < 0 ||
    typeof state.weights !== 'string'
  )
    throw new Error(`${path}: malformed checkpoint (epochsCompleted ${String(state.epochsCompleted)})`);
  return state;
}

/**
 * Saves a checkpoint: weights and momentum buffers to epoch-numbered safetensors files, then the pointer
 * `checkpoint.json` (atomically), then removes older epochs' files (never the one the pointer names). A crash at any
 * point leaves the previous complete checkpoint readable.
 *
 * @param dir - the checkpoint directory (created if missing).
 * @param model - the model, whose weights (including BN moving statistics) are saved.
 * @param optimizerState - momentum buffers by weight name (empty map for none).
 * @param state - epochs completed, fingerprint and history.
 */
export async function writeCheckpoint(
  dir: string,
  model: LayersModel,
  optimizerState: Map<string, SafetensorsTensor>,
  state: Pick<CheckpointState, 'epochsCompleted' | 'fingerprint' | 'history'>,
): Promise<void> {
  const tag = String(state.epochsCompleted).padStart(4, '0');
  const weights = `epoch-${tag}.weights.safetensors`;
  const meta = { epochsCompleted: String(state.epochsCompleted) };
  writeFileAtomic(
    join(dir, weights),
    encodeSafetensors(await modelTensors(model), { model: model.name, ...meta }),
  );
  let optimizer: string | undefined;
  if (optimizerState.size > 0) {
    optimizer = `epoch-${tag}.optimizer.safetensors`;
    writeFileAtomic(join(dir, optimizer), encodeSafetensors(optimizerState, { kind: 'momentum', ...meta }));
  }
  const full: CheckpointState = {
    format: 'sgd-factors-checkpoint',
    version: 1,
    ...state,
    weights,
    ...(optimizer ? { optimizer } : {}),
  };
  writeFileAtomic(join(dir, CHECKPOINT_FILE), `${JSON.stringify(full, null, 2)}\n`);
  removeOlderEpochFiles(dir, state.epochsCompleted);
}

/**
 * Removes the epoch files older than both this writer's epoch and the one `checkpoint.json` names now
 * (read again, after this writer's pointer): the file the pointer names is never removed, nor a newer one
 * that another writer of the same directory may be about to point to. One writer per run is the rule (a
 * sweep's run lease); this keeps a checkpoint readable even when it is broken.
 */
function removeOlderEpochFiles(dir: string, epochsCompleted: number): void {
  let pointed = epochsCompleted;
  try {
    pointed = readCheckpointState(dir)?.epochsCompleted ?? epochsCompleted;
  } catch {
    return; // an unreadable pointer: keep every file, the next checkpoint cleans up
  }
  const keepFrom = Math.min(pointed, epochsCompleted);
  for (const name of readdirSync(dir)) {
    const match = EPOCH_FILE.exec(name);
    if (match && Number(match[1]) < keepFrom) rmSync(join(dir, name), { force: true });
  }
}

/**
 * Restores a checkpoint's weights into a model and returns its momentum buffers.
 *
 * @param dir - the checkpoint directory.
 * @param state - its state, from {@link readCheckpointState}.
 * @param model - a model of the same architecture.
 * @returns the momentum buffers by weight name (empty without momentum).
 */
export function restoreCheckpoint(
  dir: string,
  state: CheckpointState,
  model: LayersModel,
): Map<string, SafetensorsTensor> {
  const weightsPath = join(dir, state.weights);
  assignTensors(model, decodeSafetensors(readFileSync(weightsPath), weightsPath), weightsPath);
  if (!state.optimizer) return new Map();
  const optimizerPath = join(dir, state.optimizer);
  return decodeSafetensors(readFileSync(optimizerPath), optimizerPath).tensors;
}
