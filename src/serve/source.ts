/**
 * What a model file records about how it was trained, so that `serve`'s POST /train can train it
 * again on the same data with the same settings (metadata keys, JSON strings, written by
 * `native-mlp train --save`):
 *
 *   data_source   {"data": "/abs/path/train.csv" (or an IDX folder), "options": {...}}: the data
 *                 file and the data options fit() was given (target, features, task, testFile,
 *                 validation, standardize, and the table flags), file paths made absolute
 *   train_config  the training settings fit() was given (epochs, batch, lr, hidden, seed,
 *                 optimizer ...)
 *
 * A model without them (trained through the API, or before they existed) cannot be retrained by
 * the server.
 */
import { resolve } from 'node:path';

export interface DataSource {
  /** The data file or IDX folder, absolute. */
  data: string;
  /** fit()'s data options as training used them. */
  options: Record<string, unknown>;
}

/** Option values that are file paths, made absolute when recorded. */
const PATH_OPTIONS = ['testFile'];

/** The metadata strings that record a run's data and settings. */
export function sourceMetadata(data: string, options: Record<string, unknown>, config: Record<string, unknown>): Record<string, string> {
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    opts[k] = PATH_OPTIONS.includes(k) && typeof v === 'string' ? resolve(v) : v;
  }
  return { data_source: JSON.stringify({ data: resolve(data), options: sorted(opts) }), train_config: JSON.stringify(sorted(config)) };
}

/** The object with its keys in sorted order: the same settings give the same bytes (a resumed run's file equals an unbroken run's). */
function sorted(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

/** The recorded source and settings, or a sentence saying why there are none. */
export function readSource(metadata: Readonly<Record<string, string>>): { source: DataSource; config: Record<string, unknown> } | string {
  if (metadata.data_source === undefined || metadata.train_config === undefined) {
    return 'the model file does not record its data source and training settings (metadata data_source, train_config), which `native-mlp train --save` writes; retrain it from the command line';
  }
  try {
    const source = JSON.parse(metadata.data_source) as DataSource;
    const config = JSON.parse(metadata.train_config) as Record<string, unknown>;
    if (
      typeof source?.data !== 'string' ||
      typeof source.options !== 'object' ||
      source.options === null ||
      typeof config !== 'object' ||
      config === null
    ) {
      return "the model file's data_source / train_config metadata is not in the expected form";
    }
    return { source, config };
  } catch {
    return "the model file's data_source / train_config metadata is not valid JSON";
  }
}
