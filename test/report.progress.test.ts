/** The training progress line fits any terminal width and redraws in place. */
import { describe, expect, it } from 'vitest';
import { clock, progressLine, ProgressBar } from '../src/cli/print.js';
import { groupedInteger } from '../src/show-value.js';

describe('progress bar', () => {
  const p = { epoch: 3, batch: 200, batches: 469, rows: 25600, images: 25600 };

  it('never reaches the last column of any terminal width, and keeps elapsed time and ETA from 30 columns', () => {
    for (let columns = 2; columns <= 200; columns++) {
      const line = progressLine(p, 8, 75, 310, columns);
      expect(line.length, `${columns} columns: "${line}"`).toBeLessThan(columns);
      if (columns >= 30) expect(line).toContain('1:15 eta 5:10');
      if (columns >= 40) expect(line).toMatch(/\[#+\.+\]/);
    }
  });

  it('redraws in place on a 40-column terminal, clearing the line each time', () => {
    const writes: string[] = [];
    const bar = new ProgressBar({ write: (s: string) => writes.push(s), columns: 40 }, 2);
    for (let b = 1; b <= 10; b++) bar.update({ epoch: 1, batch: b, batches: 10, rows: b, images: b });
    for (const w of writes) {
      expect(w.startsWith('\r\x1b[2K')).toBe(true);
      expect(w.length - 5).toBeLessThan(40);
      expect(w).not.toContain('\n');
    }
    expect(writes[writes.length - 1]).toMatch(/100% \d+:\d\d eta \d+:\d\d$/);
  });

  it('formats clock times', () => {
    expect([0, 59.4, 61, 3600 + 62].map(clock)).toEqual(['0:00', '0:59', '1:01', '1:01:02']);
  });
});

describe('groupedInteger', () => {
  it('groups thousands as en-US does, for integers and rounded fractions of either sign', () => {
    const values = [0, 7, 999, 1000, -1000, 999.5, 12345.6, -1234567, 2 ** 31, 1e15, Number.MAX_SAFE_INTEGER];
    for (let d = 1; d <= 15; d++) values.push(Math.floor(10 ** d * 0.123456789), -Math.floor(10 ** d * 0.987654321));
    for (const v of values) expect(groupedInteger(v), String(v)).toBe(Math.round(v).toLocaleString('en-US'));
  });
});
