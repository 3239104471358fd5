/** Flag parsing of the export and serve commands (the flag table's rows; see args.ts for the shared readers). */
import { int, parseFlags, required, runArgs, type RunArgs, str, UsageError } from './args.js';

export interface ExportArgs {
  model: string;
  onnx: string;
  help: boolean;
}

/** `export --model FILE --onnx FILE.onnx`. */
export function parseExportArgs(argv: string[]): ExportArgs {
  const flags = parseFlags('export', argv);
  const help = flags.values.help === true;
  return { model: required('model', str(flags, 'model'), help), onnx: required('onnx', str(flags, 'onnx'), help), help };
}

export interface ServeArgs extends RunArgs {
  model: string;
  port: number;
  host: string;
  /** Origins (scheme://host:port) besides the server's own whose requests are allowed. */
  allowOrigins: string[];
  /** Whether POST /train is enabled. */
  allowTrain: boolean;
}

/** `serve --model FILE [--port N] [--host H] [--allow-origin O,..] [--allow-train]`. */
export function parseServeArgs(argv: string[]): ServeArgs {
  const flags = parseFlags('serve', argv);
  const run = runArgs(flags);
  const host = str(flags, 'host') ?? '127.0.0.1';
  if (host === '' || /[\s/]/.test(host)) throw new UsageError(`--host must be a host name or IP address, got "${host}"`);
  const allowOrigins = (str(flags, 'allow-origin') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of allowOrigins) {
    let url: URL | undefined;
    try {
      url = new URL(o);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== o) {
      throw new UsageError(`--allow-origin takes origins such as http://localhost:8080 separated by commas, got "${o}"`);
    }
  }
  return {
    ...run,
    model: required('model', str(flags, 'model'), run.help),
    port: int('port', str(flags, 'port'), 3000, 0, 65535),
    host,
    allowOrigins,
    allowTrain: flags.values['allow-train'] === true,
  };
}
