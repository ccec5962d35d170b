/**
 * A contiguous block [offset, offset + size) of an operator's coordinates with a name: for a network, one
 * trainable weight tensor in the flat parameter vector (see `parameterBlocks`).
 */
export interface ParameterBlock {
  /** The block's name (for a network, the weight's name, e.g. `stage1_block0_conv1/kernel`). */
  readonly name: string;
  /** Index of the block's first coordinate. */
  readonly offset: number;
  /** Number of coordinates. */
  readonly size: number;
}

/**
 * Throws a RangeError naming `blocks` unless they partition [0, dim) in order: the first starts at 0,
 * each starts where the previous ended, the last ends at `dim`, every size is a positive integer, and
 * no two share a name.
 */
export function checkBlocks(fn: string, blocks: readonly ParameterBlock[], dim: number): void {
  if (!Array.isArray(blocks) || blocks.length === 0) {
    throw new RangeError(`${fn}: blocks must be a non-empty array of { name, offset, size }`);
  }
  const names = new Set<string>();
  let next = 0;
  for (const [i, block] of blocks.entries()) {
    if (typeof block?.name !== 'string' || names.has(block.name)) {
      throw new RangeError(`${fn}: blocks[${i}].name must be a unique string, got ${String(block?.name)}`);
    }
    names.add(block.name);
    if (block.offset !== next) {
      throw new RangeError(
        `${fn}: blocks[${i}] ('${block.name}') starts at ${block.offset}, expected ${next} (blocks must cover 0…dim−1 in order)`,
      );
    }
    if (!Number.isInteger(block.size) || block.size < 1) {
      throw new RangeError(
        `${fn}: blocks[${i}] ('${block.name}') has size ${block.size}, expected a positive integer`,
      );
    }
    next += block.size;
  }
  if (next !== dim)
    throw new RangeError(`${fn}: blocks cover ${next} coordinates, the operator has dim = ${dim}`);
}
