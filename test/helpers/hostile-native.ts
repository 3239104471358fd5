/**
 * Shared machinery for the hostile-call suites (test/native.hostile.*.test.ts): calls straight into
 * the addon (no TypeScript checks in front), where every bad argument must come back as a TypeError
 * or RangeError whose message names the argument, never as a crash. Each group of calls runs in its
 * own child process (node loading the .node file by path), each call wrapped in try/catch and
 * reported separately; if the child dies (SIGSEGV, abort, sanitizer report) every case of its group
 * fails with the child's stderr.
 *
 * Skipped visibly when the addon is not built, unless REQUIRE_NATIVE=1.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadNative } from '../../src/backend/native/load.js';
import { skipOrFail } from './skip-or-fail.js';

export interface Hostile {
  /** What the call does wrong. */
  name: string;
  /** JavaScript run in the child with m (the addon) and the helpers below in scope. */
  code: string;
  /** Expected error class, or 'ok' for a control call that must succeed. */
  error: 'TypeError' | 'RangeError' | 'ok';
  /** The message must match this (it names the argument). */
  message?: RegExp;
}

interface Outcome {
  ok?: boolean;
  name?: string;
  message?: string;
}

// Runs in the child. Helpers:
//   f32(n), u8(n)     fresh arrays
//   detached(n)       a Float32Array whose ArrayBuffer has been transferred away
//   detachedU8(n)     the same for Uint8Array
//   S({...})          sgemm with valid defaults (2x3 = (2x4)(4x3)), some overridden by name
const CHILD = String.raw`
const m = require(process.env.NATIVE_MLP_HOSTILE_ADDON);
const f32 = (n) => new Float32Array(n);
const u8 = (n) => new Uint8Array(n);
const u32 = (n) => new Uint32Array(n);
const detachedU32 = (n) => { const a = new Uint32Array(n); structuredClone(a.buffer, { transfer: [a.buffer] }); return a; };
const detached = (n) => { const buf = new ArrayBuffer(n * 4); const a = new Float32Array(buf); structuredClone(buf, { transfer: [buf] }); return a; };
// ArrayBuffer.prototype.transfer() exists from Node 21; structuredClone with transfer works on 20.
const detachedU8 = (n) => { const buf = new ArrayBuffer(n); const a = new Uint8Array(buf); if (typeof buf.transfer === 'function') buf.transfer(); else structuredClone(buf, { transfer: [buf] }); return a; };
const SG = ['transA', 'transB', 'm', 'n', 'k', 'alpha', 'a', 'lda', 'b', 'ldb', 'beta', 'c', 'ldc'];
const S = (o = {}) => {
  const d = { transA: false, transB: false, m: 2, n: 3, k: 4, alpha: 1, a: f32(8), lda: 4, b: f32(12), ldb: 3, beta: 0, c: f32(6), ldc: 3, ...o };
  return m.sgemm(...SG.map((k) => d[k]));
};
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const out = [];
  for (const code of JSON.parse(input)) {
    try {
      new Function('m', 'f32', 'u8', 'u32', 'detached', 'detachedU8', 'detachedU32', 'S', code)(m, f32, u8, u32, detached, detachedU8, detachedU32, S);
      out.push({ ok: true });
    } catch (e) {
      out.push({ name: e && e.name, message: String(e && e.message) });
    }
  }
  process.stdout.write(JSON.stringify(out));
});
`;

/** A message naming argument `arg` ("Expected arg ..."). */
export const named = (arg: string) => new RegExp(`Expected ${arg.replace(/[[\]]/g, '\\$&')}\\b`);

function runChild(path: string, cases: Hostile[]): { outcomes: Outcome[] | null; failure: string | null } {
  const r = spawnSync(process.execPath, ['-e', CHILD], {
    input: JSON.stringify(cases.map((c) => c.code)),
    env: { ...process.env, NATIVE_MLP_HOSTILE_ADDON: path },
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.error || r.status !== 0 || r.signal) {
    const why = r.error ? String(r.error) : `exit status ${r.status}, signal ${r.signal}`;
    return { outcomes: null, failure: `child process failed (${why}); stderr:\n${r.stderr}` };
  }
  try {
    const outcomes = JSON.parse(r.stdout) as Outcome[];
    if (outcomes.length !== cases.length) throw new Error(`expected ${cases.length} results, got ${outcomes.length}`);
    // A sanitizer that only prints (recover mode) must still fail the suite.
    if (/(AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:)/.test(r.stderr)) {
      return { outcomes: null, failure: `sanitizer report in the child's stderr:\n${r.stderr}` };
    }
    return { outcomes, failure: null };
  } catch (e) {
    return { outcomes: null, failure: `unreadable child output (${String(e)}): ${r.stdout}\nstderr:\n${r.stderr}` };
  }
}

/**
 * Declares one describe block per group, each group run in one child process; `topic` names the
 * suite in the skip (or REQUIRE_NATIVE=1 failure) when the addon is not built.
 */
export function describeHostileGroups(topic: string, groups: Record<string, Hostile[]>): void {
  const native = loadNative();
  const addonPath = native.backend ? native.path : null;

  if (!addonPath) {
    skipOrFail(`native hostile calls (${topic})`, native.error?.message ?? 'not built');
    return;
  }
  for (const [group, cases] of Object.entries(groups)) {
    describe(`native hostile calls: ${group} (one child process)`, () => {
      let run: ReturnType<typeof runChild> = { outcomes: null, failure: 'child not run' };
      beforeAll(() => {
        run = runChild(addonPath, cases);
      }, 180_000);

      cases.forEach((hc, i) => {
        it(hc.name, () => {
          if (run.failure !== null) expect.fail(run.failure);
          const got = run.outcomes![i];
          if (hc.error === 'ok') {
            expect(got, `${hc.code} should succeed`).toEqual({ ok: true });
            return;
          }
          expect(got.ok, `${hc.code} should throw ${hc.error}`).toBeUndefined();
          expect(got.name, `${hc.code} threw ${got.name}: ${got.message}`).toBe(hc.error);
          expect(got.message).toMatch(hc.message!);
        });
      });
    });
  }
}
