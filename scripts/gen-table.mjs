#!/usr/bin/env node
// The bench's synthetic table: 50 float features, a binary class from a fixed random two-layer
// "teacher" (so the task is learnable but not linear), 48,000 training rows and 12,000 test rows
// in two CSV files. Seeded and written by this script alone, so every run and every peer (the
// bench's native-mlp, PyTorch and scikit-learn rows) reads the same bytes.
// Usage: node scripts/gen-table.mjs OUT_DIR [--rows 48000] [--test-rows 12000] [--features 50]
// Writes OUT_DIR/table-train.csv and OUT_DIR/table-test.csv (columns f0 .. f49, y).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Seeded normals (an LCG into Box-Muller): reproducible, no dependency. */
function normals(seed) {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

export function tableRows(rows, features, seed) {
  const teacher = normals(7);
  const hidden = 16;
  const w1 = Array.from({ length: features * hidden }, () => teacher() / Math.sqrt(features));
  const w2 = Array.from({ length: hidden }, () => teacher());
  const draw = normals(seed);
  const lines = [];
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: features }, () => draw());
    let score = 0;
    for (let j = 0; j < hidden; j++) {
      let a = 0;
      for (let i = 0; i < features; i++) a += x[i] * w1[i * hidden + j];
      score += w2[j] * Math.tanh(a);
    }
    lines.push(`${x.map((v) => v.toFixed(5)).join(',')},${score + 0.3 * draw() > 0 ? 'yes' : 'no'}`);
  }
  return lines;
}

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const out = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--')));
if (!out) {
  console.error('usage: node scripts/gen-table.mjs OUT_DIR [--rows 48000] [--test-rows 12000] [--features 50]');
  process.exit(2);
}
const features = opt('--features', 50);
const header = [...Array.from({ length: features }, (_, i) => `f${i}`), 'y'].join(',');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'table-train.csv'), [header, ...tableRows(opt('--rows', 48000), features, 1)].join('\n') + '\n');
writeFileSync(join(out, 'table-test.csv'), [header, ...tableRows(opt('--test-rows', 12000), features, 2)].join('\n') + '\n');
