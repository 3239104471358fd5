/**
 * onnxruntime-node for the export tests: a devDependency (install it with
 * ONNXRUNTIME_NODE_INSTALL=skip, see docs/onnx.md). Without it the ONNX suites are skipped with the
 * reason in their title; in CI (CI=true) they fail instead, so a missing runtime cannot pass as green.
 */
import { describe, it } from 'vitest';

export type Ort = typeof import('onnxruntime-node');

/** The runtime, or the reason it did not load. */
export async function loadOrt(): Promise<Ort | string> {
  try {
    return await import('onnxruntime-node');
  } catch (e) {
    return (e as Error).message.split('\n')[0];
  }
}

/** Declares `title` as skipped (naming `reason`), or as failing when CI=true. */
export function ortMissing(title: string, reason: string): void {
  if (process.env.CI === 'true') {
    describe(title, () => {
      it('needs onnxruntime-node (CI=true)', () => {
        throw new Error(`onnxruntime-node did not load: ${reason}`);
      });
    });
  } else {
    describe.skip(`${title} skipped: onnxruntime-node did not load (${reason})`, () => {
      it('needs onnxruntime-node', () => {});
    });
  }
}
