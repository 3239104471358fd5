/** The CLI's `export` (ONNX) and `serve` (HTTP) commands. */
import { parseExportArgs, parseServeArgs } from './serve-args.js';
import { helpText } from './help.js';

export async function exportCommand(argv: string[]): Promise<void> {
  const args = parseExportArgs(argv);
  if (args.help) return void process.stdout.write(helpText('export'));
  const { loadModel } = await import('../model/index.js');
  const { saveOnnx } = await import('../export/onnx.js');
  saveOnnx(args.onnx, loadModel(args.model));
  process.stdout.write(`Wrote ${args.onnx}\n`);
}

export async function serveCommand(argv: string[]): Promise<void> {
  const args = parseServeArgs(argv);
  if (args.help) return void process.stdout.write(helpText('serve'));
  const { startServer } = await import('../serve/index.js');
  const server = await startServer({
    model: args.model,
    host: args.host,
    port: args.port,
    allowOrigins: args.allowOrigins,
    allowTrain: args.allowTrain,
    backend: args.backend,
    threads: args.threads,
    token: process.env.NATIVE_MLP_SERVER_TOKEN ?? '',
    log: (line) => process.stderr.write(`serve: ${line}\n`),
  });
  process.stdout.write(`listening on ${server.url} (model: ${args.model}, backend: ${server.backend})\n`);
  // Stop on SIGINT / SIGTERM: answer what is in flight, then exit.
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
