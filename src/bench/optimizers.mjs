// The optimizers' cost next to plain SGD on the notebook's MNIST job (784-128-10, batch 128):
// CPU seconds of one training pass (epoch 2, batches 2..469, measured with process.cpuUsage so
// other processes on a busy machine do not count) and the update kernel alone over the arena
// (101,770 parameters). Run after `npm run build`: node src/bench/optimizers.mjs [--threads N] [--backend native|js]
import { parseArgs } from 'node:util';
import { loadDataSet, selectBackend, train, NOTEBOOK_CONFIG, Optimizer } from '../../dist/index.js';
import { DEFAULT_OPTIMIZER } from '../../dist/optim/optimizer.js';

const { values } = parseArgs({ options: { threads: { type: 'string' }, backend: { type: 'string' }, repeats: { type: 'string' } } });
const choice = values.backend ?? 'native';
const be = selectBackend(choice);
be.setThreads(Number(values.threads ?? 1));
const repeats = Number(values.repeats ?? 3);
const data = loadDataSet();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

function epochCpu(optimizer) {
  let t0 = 0;
  let t1 = 0;
  const r = train(
    be,
    data,
    { ...NOTEBOOK_CONFIG, epochs: 2, optimizer, lr: optimizer === 'sgd' ? 0.1 : optimizer.startsWith('adam') ? 0.001 : 0.05 },
    {
      onBatch: (p) => {
        if (p.epoch === 2 && p.batch === 1) t0 = cpu();
        if (p.epoch === 2 && p.batch === p.batches) t1 = cpu();
      },
    },
  );
  return { seconds: t1 - t0, accuracy: r.epochs[1].trainAccuracy };
}

function kernelMicros(optimizer) {
  const n = 784 * 128 + 128 + 128 * 10 + 10;
  const w = new Float32Array(n).fill(0.01);
  const g = new Float32Array(n).fill(0.001);
  const opt = new Optimizer({ ...DEFAULT_OPTIMIZER, optimizer }, n);
  const calls = choice === 'native' ? 2000 : 50;
  for (let i = 0; i < 20; i++) opt.update(be, w, g, 1e-4);
  const t0 = cpu();
  for (let i = 0; i < calls; i++) opt.update(be, w, g, 1e-4);
  return ((cpu() - t0) / calls) * 1e6;
}

const rows = [];
for (const optimizer of ['sgd', 'momentum', 'nesterov', 'adam', 'adamw']) {
  let best = Infinity;
  let acc = 0;
  for (let i = 0; i < repeats; i++) {
    const e = epochCpu(optimizer);
    if (e.seconds < best) [best, acc] = [e.seconds, e.accuracy];
  }
  rows.push({ optimizer, epochCpuSeconds: best, kernelMicros: kernelMicros(optimizer), accuracyAfter2: acc });
}
const sgd = rows[0].epochCpuSeconds;
console.log(`backend ${be.name} (${be.isa()}), ${be.getThreads()} thread(s); best of ${repeats} epochs (CPU seconds of the training pass)`);
console.log('optimizer   epoch CPU s   vs sgd   update kernel us/call   x 469 steps, s   train acc after 2 epochs');
for (const r of rows) {
  console.log(
    `${r.optimizer.padEnd(10)}  ${r.epochCpuSeconds.toFixed(3).padStart(11)}  ${((r.epochCpuSeconds / sgd - 1) * 100).toFixed(1).padStart(6)} %` +
      `  ${r.kernelMicros.toFixed(1).padStart(22)}  ${((r.kernelMicros * 469) / 1e6).toFixed(4).padStart(15)}   ${r.accuracyAfter2.toFixed(4)}`,
  );
}
