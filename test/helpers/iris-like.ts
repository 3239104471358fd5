/**
 * An iris-like table (4 numeric features, 3 named classes), drawn from normal distributions with
 * the per-class means and spreads of Fisher's iris data, seeded: a small classification table
 * whose feature count happens to be a square (4 = 2 x 2).
 */
const SPECIES: Array<[string, number[], number[]]> = [
  ['Iris-setosa', [5.0, 3.4, 1.46, 0.24], [0.35, 0.38, 0.17, 0.11]],
  ['Iris-versicolor', [5.94, 2.77, 4.26, 1.33], [0.52, 0.31, 0.47, 0.2]],
  ['Iris-virginica', [6.59, 2.97, 5.55, 2.03], [0.64, 0.32, 0.55, 0.27]],
];

export function irisLikeCsv(rows: number, seed: number): string {
  let s = seed >>> 0;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const lines = ['sepal length,sepal width,petal length,petal width,species'];
  for (let i = 0; i < rows; i++) {
    const [name, mean, sd] = SPECIES[i % 3];
    lines.push([...mean.map((m, j) => Math.max(0.1, m + sd[j] * normal()).toFixed(1)), name].join(','));
  }
  return lines.join('\n') + '\n';
}
