/**
 * The one rule for a backend that is not there: its suite shows up in the report as skipped, with
 * the reason in the title; with REQUIRE_NATIVE=1 (CI, where the addon must build) it fails instead.
 */
import { describe, it } from 'vitest';

/** Whether a missing native addon fails the run instead of skipping. */
export function nativeRequired(): boolean {
  return process.env.REQUIRE_NATIVE === '1';
}

/** Declares `title` as skipped (naming `reason`), or as failing when REQUIRE_NATIVE=1. */
export function skipOrFail(title: string, reason: string): void {
  if (nativeRequired()) {
    describe(title, () => {
      it('needs the native addon (REQUIRE_NATIVE=1)', () => {
        throw new Error(`native addon did not load: ${reason}`);
      });
    });
  } else {
    describe.skip(`${title} skipped: ${reason}`, () => {
      it('needs the native addon', () => {});
    });
  }
}

/**
 * The same rule for a service a suite needs (redis-server): skipped visibly, naming `reason`, or
 * failing where it must be there (CI=true, where .ci/run installs it).
 */
export function skipOrFailService(title: string, reason: string): void {
  if (process.env.CI === 'true') {
    describe(title, () => {
      it('needs its service (CI=true)', () => {
        throw new Error(reason);
      });
    });
  } else {
    describe.skip(`${title} skipped: ${reason}`, () => {
      it('needs its service', () => {});
    });
  }
}
