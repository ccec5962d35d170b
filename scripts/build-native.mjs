#!/usr/bin/env node
// `npm run build:native`: builds the optional oneDNN convolution addon (native/onednn) with node-gyp.
// Never run at install time: without it the package works as before (wasm kernels). Needs g++, make,
// python3 and oneDNN 2.x (Debian: apt-get install -y g++ make python3 libdnnl-dev).
//
// node-gyp is the copy npm ships (npm puts it on PATH for `npm run`; otherwise `npx node-gyp`). The Node
// headers are taken from this Node's own installation (<prefix>/include/node, present in Debian's and in
// nodejs.org's builds) so nothing is downloaded; the addon uses only Node-API, so one build loads in any
// Node version with Node-API 8 (Node ≥ 12.22).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const addonDir = join(root, 'native/onednn');

const header = ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/local/include/oneapi/dnnl/dnnl.hpp'].find(
  existsSync,
);
if (header === undefined) {
  process.stderr.write(
    'build:native: oneDNN headers not found (oneapi/dnnl/dnnl.hpp); install them: apt-get install -y libdnnl-dev\n',
  );
  process.exit(1);
}
const prefix = dirname(dirname(process.execPath));
const nodedir = existsSync(join(prefix, 'include/node/node_api.h')) ? prefix : undefined;
const nodeGyp = process.env.npm_config_node_gyp;
const [command, prefixArgs] = nodeGyp ? [process.execPath, [nodeGyp]] : ['npx', ['--yes', 'node-gyp']];
const args = [
  ...prefixArgs,
  'rebuild',
  `--directory=${addonDir}`,
  ...(nodedir ? [`--nodedir=${nodedir}`] : []),
];
process.stderr.write(`build:native: ${[command, ...args].join(' ')}\n`);
try {
  execFileSync(command, args, { stdio: 'inherit' });
} catch {
  process.stderr.write('build:native: the build failed (see above); the wasm kernels stay in use\n');
  process.exit(1);
}
process.stderr.write(`build:native: built ${join(addonDir, 'build/Release/sgd_factors_onednn.node')}\n`);
