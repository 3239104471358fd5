/**
 * NumPy-exact random streams: `np.random.default_rng(seed)` (SeedSequence ->
 * PCG64 -> Generator) with bit-identical normal draws and permutations.
 */
export { Generator, defaultRng } from './generator.js';
export { Pcg64, PCG_MULTIPLIER_128, type Pcg64State } from './pcg64.js';
export { SeedSequence, POOL_SIZE, normalizeSeed, intToUint32Words, type Seed } from './seed-sequence.js';
export {
  standardNormal,
  fillStandardNormal,
  zigguratCounters,
  resetZigguratCounters,
  setLog1pFlavor,
  log1p,
  log1pGlibc,
  log1pGlibcFma,
  fma,
  type Log1pFlavor,
} from './normal.js';
