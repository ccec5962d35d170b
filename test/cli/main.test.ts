import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cliInProcess } from '../helpers/cliInProcess.js';

const root = mkdtempSync(join(tmpdir(), 'sgdf-cli-main-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('sgd-factors command line', () => {
  it('--version prints the package version; help CMD prints that command’s usage', async () => {
    const version = await cliInProcess(['--version']);
    assert.equal(version.status, 0);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync('package.json', 'utf8')).version);
    const help = await cliInProcess(['help', 'measure']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^sgd-factors measure RUN_DIR \[options\]/);
  });

  it('suggests the command or flag meant, in one line with a hint', async () => {
    const command = await cliInProcess(['trian']);
    assert.equal(command.status, 2);
    assert.equal(
      command.stderr,
      "sgd-factors: unknown command 'trian' (did you mean 'train'?); 'sgd-factors --help' lists the commands\n",
    );
    const flag = await cliInProcess(['train', '--dpeth', '8']);
    assert.equal(flag.status, 2);
    assert.equal(
      flag.stderr,
      "sgd-factors train: unknown option --dpeth (did you mean --depth?)\n(see 'sgd-factors help train')\n",
    );
    // --out belongs to other forms of 'sweep'; 'did you mean --out?' would be nonsense.
    const otherForm = await cliInProcess(['sweep', 'status', '--out', root]);
    assert.equal(otherForm.status, 2);
    assert.match(
      otherForm.stderr,
      /^sgd-factors sweep: option --out does not apply to this form of 'sweep'; 'sgd-factors help sweep' shows which forms take it\n/,
    );
  });

  it('explains negative values and rejects hex or other number forms, naming the flag', async () => {
    const negative = await cliInProcess(['train', '--lr', '-1', '--out', join(root, 'x')]);
    assert.equal(negative.status, 2);
    assert.match(negative.stderr, /--lr needs a value; write a negative one as --lr=-1/);
    const written = await cliInProcess(['train', '--lr=-1', '--out', join(root, 'x'), '--synthetic', '8']);
    assert.match(written.stderr, /--lr must be a positive number, got '-1'/);
    const hex = await cliInProcess(['train', '--lr', '0x10', '--out', join(root, 'x'), '--synthetic', '8']);
    assert.match(hex.stderr, /--lr must be a positive number, got '0x10'/);
    const huge = await cliInProcess([
      'train',
      '--depth',
      '60000002',
      '--out',
      join(root, 'x'),
      '--synthetic',
      '8',
    ]);
    assert.match(huge.stderr, /field 'depth' must be an integer in \[8, 1202\], got 60000002/);
  });

  it('refuses an output that is a file before doing any work', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const train = await cliInProcess(['train', '--synthetic', '8', '--out', file]);
    assert.equal(train.status, 2);
    assert.match(train.stderr, /--out .*a-file is a file; give a directory/);
    const started = performance.now();
    const demo = await cliInProcess(['demo', '--out', file]);
    assert.equal(demo.status, 2);
    assert.match(demo.stderr, /--out .*a-file is a file; give a directory/);
    assert.ok(performance.now() - started < 2000, 'before the demo’s simulations');
    const measure = await cliInProcess(['measure', '--weights', root]);
    assert.match(measure.stderr, /--weights .* is a directory; give the .safetensors file/);
  });
});
