import { readFileSync } from 'node:fs';
import { fileError } from './fileErrors.js';

/** Deepest nesting of arrays and objects {@link parseJsonText} accepts; far beyond any config. */
export const MAX_JSON_DEPTH = 256;

/**
 * The deepest nesting of arrays and objects in JSON text (strings skipped), stopping as soon as it exceeds
 * `limit`: a linear scan that never recurses, so no text can overflow the stack.
 */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Parses JSON text with errors that name where it came from: invalid JSON, or nesting deeper than
 * {@link MAX_JSON_DEPTH} (which would otherwise fail deep inside a reader with "Maximum call stack size
 * exceeded", naming nothing).
 *
 * @param text - the JSON text.
 * @param source - the file (or other origin) to name in errors.
 * @throws SyntaxError naming `source`.
 */
export function parseJsonText(text: string, source: string): unknown {
  if (nestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
    throw new SyntaxError(
      `${source}: JSON nested deeper than ${MAX_JSON_DEPTH} levels; not a valid file of this kind`,
    );
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SyntaxError(
      `${source}: invalid JSON (${error instanceof Error ? error.message : String(error)})`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Reads and parses a JSON file (a config, a checkpoint's state, a result), with every error naming the
 * file and saying what is wrong in words: missing, a symbolic link loop, a directory, unreadable,
 * invalid JSON, or nested absurdly deep.
 *
 * @param path - the file.
 * @returns the parsed value (unchecked: the caller validates its shape).
 * @throws Error naming the file.
 */
export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw fileError('cannot read', path, error);
  }
  return parseJsonText(text, path);
}
