import type { Command } from '../command.js';
import { backendCommand } from './backend.js';
import { demoCommand } from './demo.js';
import { measureCommand } from './measure.js';
import { reportCommand } from './report.js';
import { sweepCommand } from './sweep.js';
import { trainCommand } from './train.js';

/** Every sub-command, in the order `--help` lists them. Add new commands here. */
export const commands: readonly Command[] = [
  backendCommand,
  trainCommand,
  measureCommand,
  sweepCommand,
  reportCommand,
  demoCommand,
];
