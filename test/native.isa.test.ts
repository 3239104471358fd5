/**
 * The addon's instruction-set switch (setIsa, supportedIsas), which every kernel suite relies on
 * to run at each ISA (test/helpers/native.ts). From the former native.parity.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadNative } from '../src/backend/native/load.js';
import { runCase } from './helpers/sgemm-cases.js';
import { skipOrFail } from './helpers/skip-or-fail.js';

const native = loadNative();

if (!native.backend || !native.binding) {
  skipOrFail('native instruction-set switch', native.error?.message ?? 'not built');
} else {
  const be = native.backend;
  const raw = native.binding;
  const ISAS = raw.supportedIsas();
  describe(`native instruction-set switch [${ISAS.join(', ')}]`, () => {
    afterAll(() => {
      raw.setIsa(ISAS[0]);
    });

    it('supportedIsas lists the best first and ends with generic; setIsa caps, never above the CPU', () => {
      expect(ISAS.length).toBeGreaterThanOrEqual(1);
      expect(ISAS[ISAS.length - 1]).toBe('generic');
      expect(raw.isa()).toBe(ISAS[0]);
      for (const isa of ISAS) {
        expect(raw.setIsa(isa)).toBe(isa);
        expect(raw.isa()).toBe(isa);
      }
      // Names this CPU cannot run (or another architecture's) give the best one below them.
      const order = process.arch === 'arm64' ? ['neon', 'generic'] : ['avx512', 'avx2', 'generic'];
      for (const cap of ['avx512', 'avx2', 'neon', 'generic']) {
        const at = order.indexOf(cap);
        const want = at < 0 ? 'generic' : (ISAS.find((isa) => order.indexOf(isa) >= at) ?? 'generic');
        expect(raw.setIsa(cap), `setIsa(${cap})`).toBe(want);
      }
      expect(() => raw.setIsa('sse9')).toThrow(RangeError);
      expect(raw.setIsa(ISAS[0])).toBe(ISAS[0]);
    });

    it('switching the ISA between calls gives the same sgemm results within rounding', () => {
      for (const isa of [...ISAS, ...ISAS]) {
        raw.setIsa(isa);
        expect(runCase(be, { ta: false, tb: true, m: 37, n: 45, k: 70, alpha: 1, beta: 0 }), isa).toBeNull();
      }
    });
  });
}
