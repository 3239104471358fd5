#!/usr/bin/env node
// Checks the binaries in prebuilds/ before they ship (run by `npm run prebuildify:all`):
//   - prebuilds/linux-x64 and prebuilds/linux-arm64 each hold one glibc-tagged addon,
//   - of the right machine (readelf's Machine line),
//   - needing no glibc symbol version newer than 2.28,
//   - and no shared libstdc++ or libgcc_s (both are linked statically).
// readelf (binutils) reads ELF files of any architecture, so the arm64 binary is checked on x86-64.
// Prints what it found per file; exits 1 on any problem.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_GLIBC = [2, 28];
const EXPECTED = { 'linux-x64': 'X86-64', 'linux-arm64': 'AArch64' };
const FORBIDDEN_NEEDED = /^(libstdc\+\+|libgcc_s)\.so/;

function readelf(args, file) {
  const r = spawnSync('readelf', ['-W', ...args, file], { encoding: 'utf8' });
  if (r.error) throw new Error(`readelf is needed (binutils): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`readelf ${args.join(' ')} ${file} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

const newer = (v) => v[0] > MAX_GLIBC[0] || (v[0] === MAX_GLIBC[0] && v[1] > MAX_GLIBC[1]);

const problems = [];
for (const [dir, machine] of Object.entries(EXPECTED)) {
  const folder = join(root, 'prebuilds', dir);
  const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.node')) : [];
  if (files.length !== 1 || !files[0].includes('.glibc.')) {
    problems.push(`${relative(root, folder)}: expected one *.glibc.node file, found ${JSON.stringify(files)}`);
    continue;
  }
  const file = join(folder, files[0]);
  const header = readelf(['-h'], file);
  const got = /Machine:\s+(.*)/.exec(header)?.[1]?.trim() ?? '?';
  const needed = [...readelf(['-d'], file).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
  const versions = [...new Set([...readelf(['-V'], file).matchAll(/Name: GLIBC_(\d+(?:\.\d+)+)/g)].map((m) => m[1]))].sort(
    (a, b) => a.split('.')[1] - b.split('.')[1],
  );
  const tooNew = versions.filter((v) => newer(v.split('.').map(Number)));
  const kib = Math.round(statSync(file).size / 1024);
  console.log(`${relative(root, file)}: ${got}, ${kib} KiB, needs ${needed.join(' ')}; glibc versions ${versions.join(' ')}`);
  if (!got.includes(machine)) problems.push(`${relative(root, file)}: machine is ${got}, expected ${machine}`);
  if (tooNew.length)
    problems.push(
      `${relative(root, file)}: needs GLIBC_${tooNew.join(', GLIBC_')} (newer than ${MAX_GLIBC.join('.')}); add the symbols to NATIVE_MLP_GLIBC_WRAPPED in CMakeLists.txt`,
    );
  const shared = needed.filter((n) => FORBIDDEN_NEEDED.test(n));
  if (shared.length) problems.push(`${relative(root, file)}: links ${shared.join(', ')} dynamically`);
}

for (const p of problems) console.error(`check-prebuilds: ${p}`);
if (problems.length) process.exit(1);
console.log('check-prebuilds: OK');
