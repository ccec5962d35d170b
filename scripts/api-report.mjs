#!/usr/bin/env node
// Checks the API report of every entry point in package.json's `exports` map, or with --local updates them:
// etc/sgd-factors.api.md for the root and etc/sgd-factors-<sub>.api.md for each subpath `sgd-factors/<sub>`.
// api-extractor analyses one entry point per run, so this runs it once per entry of the map (the map is the
// one list of entry points). Run after `npm run build` (the reports are made from dist/*.d.ts).
//
// Two checks api-extractor cannot make alone, since it sees one entry point at a time:
// - a type that an entry point's exports refer to but that entry point does not export (api-extractor's
//   ae-forgotten-export, which it writes into the report) must be exported by some other entry point, or
//   no user could name it;
// - a report in etc/ whose entry point is gone is stale (removed with --local, an error otherwise).
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import ts from 'typescript';

const local = process.argv.includes('--local');
const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const baseConfigPath = join(root, 'api-extractor.json');
const reportFolder = join(root, 'etc');
const tempFolder = join(root, 'temp');

/** Each entry point: its subpath ('.' for the root), its declaration file, and its report's base name. */
const entries = Object.entries(pkg.exports)
  .filter(([, target]) => typeof target === 'object' && typeof target.types === 'string')
  .map(([subpath, target]) => ({
    subpath,
    types: join(root, target.types),
    reportName: subpath === '.' ? pkg.name : `${pkg.name}-${subpath.slice(2).replaceAll('/', '-')}`,
  }));

let failed = false;
const forgotten = new Map(); // symbol name → entry points whose exports refer to it without exporting it
for (const entry of entries) {
  const configObject = ExtractorConfig.loadFile(baseConfigPath);
  configObject.mainEntryPointFilePath = entry.types;
  configObject.apiReport = { ...configObject.apiReport, reportFileName: entry.reportName };
  // A {@link} is resolved against the one entry point being analysed, so every link from a root export to
  // a subpath's export (or between subpaths) would be reported. Editors resolve links by scope, and no
  // documentation site is generated from these reports, so unresolved links are not reported.
  configObject.messages.extractorMessageReporting['ae-unresolved-link'] = { logLevel: 'none' };
  const config = ExtractorConfig.prepare({
    configObject,
    configObjectFullPath: baseConfigPath,
    packageJsonFullPath: join(root, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: local, showVerboseMessages: false });
  const label = entry.subpath === '.' ? pkg.name : `${pkg.name}/${entry.subpath.slice(2)}`;
  if (!result.succeeded) {
    console.error(
      `${label}: api-extractor failed (${result.errorCount} errors, ${result.warningCount} warnings)`,
    );
    failed = true;
  }
  const report = readFileSync(join(tempFolder, `${entry.reportName}.api.md`), 'utf8');
  for (const m of report.matchAll(/\(ae-forgotten-export\) The symbol "([^"]+)"/g)) {
    const symbol = m[1];
    forgotten.set(symbol, [...(forgotten.get(symbol) ?? []), label]);
  }
}

// What each entry point exports, by name, from the compiled declarations.
const program = ts.createProgram(
  entries.map((e) => e.types),
  { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true },
);
const checker = program.getTypeChecker();
const exported = new Set();
for (const entry of entries) {
  const file = program.getSourceFile(entry.types);
  const moduleSymbol = file && checker.getSymbolAtLocation(file);
  if (!moduleSymbol) throw new Error(`${entry.types}: not found; run npm run build first`);
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) exported.add(symbol.name);
}
const unreachable = [...forgotten].filter(([symbol]) => !exported.has(symbol));
for (const [symbol, users] of unreachable) {
  console.error(`${symbol}: referred to by ${users.join(', ')} but exported by no entry point`);
  failed = true;
}

const expectedReports = new Set(entries.map((e) => `${e.reportName}.api.md`));
for (const name of readdirSync(reportFolder)) {
  if (!name.endsWith('.api.md') || expectedReports.has(name)) continue;
  if (local) {
    rmSync(join(reportFolder, name));
    console.log(`removed the stale report etc/${name} (no such entry point in package.json exports)`);
  } else {
    console.error(`etc/${name}: no such entry point in package.json exports; npm run api:update removes it`);
    failed = true;
  }
}

if (failed) process.exit(1);
console.log(`API reports ${local ? 'updated' : 'checked'}: ${entries.length} entry points`);
