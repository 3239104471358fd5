/** The numbers behind the report: per-class scores, the regression sample, square image sides. */
import { describe, expect, it } from 'vitest';
import { classScores, regressionPoints, squareSide } from '../src/report/index.js';

describe('report arithmetic', () => {
  it('precision, recall and F1 from a confusion matrix (rows true, columns predicted)', () => {
    // class 0: 3 right, 1 called 1; class 1: 2 right, 2 called 0; class 2: never predicted, 1 example.
    const s = classScores([3, 1, 0, 2, 2, 0, 1, 0, 0], 3);
    expect(s[0]).toEqual({ precision: 3 / 6, recall: 3 / 4, f1: (2 * 0.5 * 0.75) / 1.25, support: 4 });
    expect(s[1]).toEqual({ precision: 2 / 3, recall: 2 / 4, f1: (2 * (2 / 3) * 0.5) / (2 / 3 + 0.5), support: 4 });
    expect(s[2]).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
  });

  it('keeps an even sample of at most 2000 regression points', () => {
    const truth = Float32Array.from({ length: 5000 }, (_, i) => i);
    const r = regressionPoints(
      truth,
      truth.map((v) => v + 0.5),
    );
    expect(r.truth).toHaveLength(1667);
    expect(r.truth.slice(0, 3)).toEqual([0, 3, 6]);
    expect(r.predicted[1]).toBe(3.5);
    expect(regressionPoints([1, 2], [1, 2])).toEqual({ truth: [1, 2], predicted: [1, 2] });
    expect(() => regressionPoints([1, 2], [1])).toThrow(/as many predictions as targets/);
  });

  it('finds square images', () => {
    expect([784, 64, 100, 4, 1, 3, 785].map(squareSide)).toEqual([28, 8, 10, 2, undefined, undefined, undefined]);
  });
});
