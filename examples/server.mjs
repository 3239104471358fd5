#!/usr/bin/env node
/**
 * An inference server in a few lines: the library's startServer, which `native-mlp serve` runs
 * (Fastify; docs/serve.md says what each route takes and answers, and what it guards against).
 *
 *   node examples/server.mjs --model model.safetensors [--port 3000] [--host 127.0.0.1] [--allow-train]
 *
 *   curl -s localhost:3000/model
 *   curl -s -H 'content-type: application/json' localhost:3000/predict -d '{"rows": [{"bill_length_mm": 39.1, "island": "Torgersen"}]}'
 *   curl -s -H 'content-type: application/json' localhost:3000/train -d '{"epochs": 20}'   # with --allow-train
 */
import { parseArgs } from 'node:util';
import { startServer } from 'native-mlp';

try {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'model.safetensors' },
      port: { type: 'string', default: '3000' },
      host: { type: 'string', default: '127.0.0.1' },
      'allow-train': { type: 'boolean', default: false },
    },
  });
  if (!/^[0-9]{1,5}$/.test(values.port) || Number(values.port) > 65535) throw new Error(`--port must be 0 to 65535, got "${values.port}"`);
  const server = await startServer({
    model: values.model,
    port: Number(values.port),
    host: values.host,
    allowTrain: values['allow-train'],
    token: process.env.NATIVE_MLP_SERVER_TOKEN,
    log: (line) => process.stderr.write(`server: ${line}\n`),
  });
  console.log(`listening on ${server.url} (model: ${values.model}, backend: ${server.backend})`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void server.close());
} catch (e) {
  process.stderr.write(`server: ${e.message}\n`);
  process.exit(2);
}
