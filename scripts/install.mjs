#!/usr/bin/env node
// npm install hook for native-mlp. Never fails the install:
//   1. a prebuild in prebuilds/<platform>-<arch>/ that loads here (checked in a child process,
//      so a bad binary cannot take this script down) -> use it, nothing to compile, nothing shown;
//   2. NATIVE_MLP_SKIP_BUILD=1 -> say so and stop;
//   3. otherwise compile with cmake-js (build/Release/native_mlp.node) and check that it loads;
//   4. if that is impossible (no cmake, no cmake-js, no compiler, build error, binary does not
//      load), print ONE line saying why no prebuild fits (platform, arch, libc, Node-API version),
//      what to do, and that the TypeScript backend will be used, and exit 0.
// npm hides the output of a successful install script, so the lines a consumer must see (a
// compile starts, the native addon is unavailable) also go to the terminal (/dev/tty) when npm
// holds stdout and stderr.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, writeSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const FALLBACK = 'the WASM backend (or, without WebAssembly, the TypeScript backend) will be used';

function say(line) {
  console.log(`native-mlp: ${line}`);
}

/** A line the consumer must see: stderr, and the terminal itself when npm captures stderr. */
function tell(line) {
  const text = `native-mlp: ${line}\n`;
  process.stderr.write(text);
  if (process.stderr.isTTY) return;
  try {
    const fd = openSync('/dev/tty', 'w');
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
  } catch {
    // no terminal (CI, Windows): stderr it is
  }
}

function unavailable(reason) {
  tell(`native addon unavailable: ${reason}; ${FALLBACK}.`);
  process.exit(0);
}

/** This machine as node-gyp-build matches prebuilds: platform-arch, libc, Node-API version. */
function target() {
  let libc = 'not glibc (musl?)';
  if (process.platform !== 'linux') libc = '';
  else {
    try {
      const v = process.report?.getReport()?.header?.glibcVersionRuntime;
      if (v) libc = `glibc ${v}`;
    } catch {
      // keep the guess
    }
  }
  return `${process.platform}-${process.arch}${libc ? `, ${libc}` : ''}, Node-API ${process.versions.napi}`;
}

/** The prebuilds in this package, e.g. "linux-arm64, linux-x64 (glibc >= 2.28)". */
function shippedPrebuilds() {
  const dir = join(root, 'prebuilds');
  const found = existsSync(dir) ? readdirSync(dir).sort() : [];
  return found.length ? `${found.join(', ')} (glibc >= 2.28, Node-API >= 8)` : 'none';
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
  const lines = log
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.some((l) => /CMAKE_CXX_COMPILER|No CMAKE_CXX_COMPILER|is not a full path to an existing compiler/.test(l))) {
    return 'no working C++ compiler found by cmake';
  }
  const pick = lines.find((l) => /\berror\b/i.test(l) && !/^(ERR!|npm )/.test(l)) ?? lines.at(-1) ?? 'unknown error';
  return `build failed: ${pick.length > 200 ? pick.slice(0, 200) + '...' : pick}`;
}

const HOW_TO_RETRY = 'then run `npm rebuild native-mlp`';

function main() {
  // 1. A prebuild that loads on this machine.
  const pre = probe(true);
  if (pre.ok) {
    say(`using the prebuilt addon ${relative(root, pre.path)} (${pre.isa} kernels); nothing to compile.`);
    return;
  }
  const preDir = join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  const noPrebuild = existsSync(preDir)
    ? `the prebuild in ${preDir} does not load here (${pre.error})`
    : `no prebuild fits ${target()} (shipped: ${shippedPrebuilds()})`;

  // 2. Opt-out.
  if (process.env.NATIVE_MLP_SKIP_BUILD === '1') {
    tell(`${noPrebuild}, and NATIVE_MLP_SKIP_BUILD=1 skips compiling; ${FALLBACK}.`);
    return;
  }

  // 3. Compile.
  if (!hasCmake()) {
    unavailable(`${noPrebuild}, and compiling needs cmake, which is not on PATH: install cmake and a C++17 compiler, ${HOW_TO_RETRY}`);
  }
  const missing = ['cmake-js', 'node-addon-api', 'node-api-headers'].filter((name) => {
    try {
      require.resolve(`${name}/package.json`);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    unavailable(
      `${noPrebuild}, and compiling needs ${missing.join(', ')} (optional dependencies of native-mlp, ` +
        `left out by --omit=optional or --no-optional): run \`npm install ${missing.join(' ')}\`, ${HOW_TO_RETRY}`,
    );
  }
  const cmakeJs = join(dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
  tell(`${noPrebuild}; compiling the addon with cmake-js (about 30 s)...`);
  const r = spawnSync(process.execPath, [cmakeJs, 'rebuild'], { cwd: root, encoding: 'utf8', env: process.env });
  const log = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  if (r.error || r.status !== 0) {
    let where = '';
    try {
      mkdirSync(join(root, 'build'), { recursive: true });
      const file = join(root, 'build', 'native-build.log');
      writeFileSync(file, log);
      where = `; full log: ${file}`;
    } catch {
      // no log file then
    }
    unavailable((r.error ? `could not run cmake-js: ${r.error.message}` : buildFailureReason(log)) + `; fix that, ${HOW_TO_RETRY}${where}`);
  }

  // 4. The fresh build must load.
  const built = probe(false);
  if (!built.ok) unavailable(`the compiled addon does not load: ${built.error}`);
  tell(`built ${built.path} (${built.isa} kernels).`);
}

try {
  main();
} catch (e) {
  unavailable(`install script error: ${e instanceof Error ? e.message : String(e)}`);
}
