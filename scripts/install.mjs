#!/usr/bin/env node
// npm install hook for native-mlp. Never fails the install:
//   1. a prebuild in prebuilds/<platform>-<arch>/ that loads here (checked in a child process,
//      so a bad binary cannot take this script down) -> use it, nothing to compile;
//   2. NATIVE_MLP_SKIP_BUILD=1 -> say so and stop;
//   3. otherwise compile with cmake-js (build/Release/native_mlp.node) and check that it loads;
//   4. if that is impossible (no cmake, no compiler, build error, binary does not load), print
//      ONE line saying why and that the TypeScript backend will be used, and exit 0.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const FALLBACK = 'the TypeScript backend will be used';

function say(line) {
  console.log(`native-mlp: ${line}`);
}

function unavailable(reason) {
  // stderr: npm shows it even for a successful install when scripts run in the foreground.
  console.error(`native-mlp: native addon unavailable (${reason}); ${FALLBACK}.`);
  process.exit(0);
}

/**
 * Loads the addon that node-gyp-build resolves from the package root in a fresh node, and calls
 * isa(). prebuildsOnly ignores build/ (so a stale local build cannot pass for a prebuild).
 * Returns { ok, path, isa, error }.
 */
function probe(prebuildsOnly) {
  let ngb;
  try {
    ngb = require.resolve('node-gyp-build');
  } catch {
    return { ok: false, error: 'node-gyp-build is not installed' };
  }
  const script = `
    const path = require(${JSON.stringify(ngb)}).resolve(${JSON.stringify(root)});
    const m = require(path);
    if (typeof m.sgemm !== 'function' || typeof m.isa !== 'function') throw new Error(path + ' is not a native-mlp addon');
    process.stdout.write(JSON.stringify({ path, isa: m.isa() }));
  `;
  const env = { ...process.env };
  if (prebuildsOnly) env.PREBUILDS_ONLY = '1';
  else delete env.PREBUILDS_ONLY;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: root, env, encoding: 'utf8' });
  if (r.status === 0) {
    try {
      return { ok: true, ...JSON.parse(r.stdout) };
    } catch {
      // fall through
    }
  }
  const why = r.signal
    ? `the loading process died with ${r.signal}`
    : firstLine(r.stderr.split('\n').find((l) => /Error/.test(l)) ?? r.stderr) || `exit status ${r.status}`;
  return { ok: false, error: why };
}

function firstLine(text) {
  return String(text).trim().split('\n')[0].trim();
}

function hasCmake() {
  const r = spawnSync('cmake', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

/** The most telling line of a failed build log. */
function buildFailureReason(log) {
  const lines = log.split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.some((l) => /CMAKE_CXX_COMPILER|No CMAKE_CXX_COMPILER|is not a full path to an existing compiler/.test(l))) {
    return 'no working C++ compiler found by cmake';
  }
  const pick = lines.find((l) => /\berror\b/i.test(l) && !/^(ERR!|npm )/.test(l)) ?? lines.at(-1) ?? 'unknown error';
  return `build failed: ${pick.length > 200 ? pick.slice(0, 200) + '...' : pick}`;
}

function main() {
  // 1. A prebuild that loads on this machine.
  const pre = probe(true);
  if (pre.ok) {
    say(`using the prebuilt addon ${relative(root, pre.path)} (${pre.isa} kernels); nothing to compile.`);
    return;
  }

  // 2. Opt-out.
  if (process.env.NATIVE_MLP_SKIP_BUILD === '1') {
    say(`NATIVE_MLP_SKIP_BUILD=1 and no usable prebuild: skipping the native build; ${FALLBACK}.`);
    return;
  }

  // 3. Compile.
  if (!hasCmake()) unavailable('cmake is not installed or not on PATH, and there is no prebuild for ' +
    `${process.platform}-${process.arch}`);
  let cmakeJs;
  try {
    cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
  } catch {
    unavailable('cmake-js is not installed');
  }
  say('no prebuild for this platform; compiling the addon with cmake-js (about 20 s)...');
  const r = spawnSync(process.execPath, [cmakeJs, 'rebuild'], { cwd: root, encoding: 'utf8', env: process.env });
  const log = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  if (r.error || r.status !== 0) {
    let where = '';
    try {
      mkdirSync(join(root, 'build'), { recursive: true });
      const file = join(root, 'build', 'native-build.log');
      writeFileSync(file, log);
      where = `, full log in ${relative(process.cwd(), file) || file}`;
    } catch {
      // no log file then
    }
    unavailable((r.error ? `could not run cmake-js: ${r.error.message}` : buildFailureReason(log)) + where);
  }

  // 4. The fresh build must load.
  const built = probe(false);
  if (!built.ok) unavailable(`the compiled addon does not load: ${built.error}`);
  say(`built ${relative(root, built.path)} (${built.isa} kernels).`);
}

try {
  main();
} catch (e) {
  unavailable(`install script error: ${e instanceof Error ? e.message : String(e)}`);
}
