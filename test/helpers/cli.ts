// Runs the CLI from source, so CLI tests need no build: `node --import tsx test/helpers/cli.ts <args>`.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
