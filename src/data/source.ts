/**
 * The one place a data path is judged: a CSV file (any delimiter, gzip'd or not), an IDX folder,
 * or another file (an IDX image file or raw bytes, for predict). Training, eval and predict all
 * ask here, so a path means the same thing to every command.
 */
import { statSync } from 'node:fs';

export type PathKind = 'csv' | 'folder' | 'file';

/** Names that are tables whatever else is known: .csv, .tsv, .txt, .psv, each optionally .gz. */
const TABLE_NAME = /\.(csv|tsv|txt|psv)(\.gz)?$/i;

/**
 * What `path` holds. `table`: the caller expects named columns (a --target was given, or the model
 * reads named columns), so an existing file or a missing path is a table; without it a missing path
 * is read as the folder it was meant to be (its reader explains what is missing).
 */
export function pathKind(path: string, table: boolean): PathKind {
  let st;
  try {
    st = statSync(path);
  } catch {
    // explained below, by the reader the path was meant for
  }
  if (st?.isDirectory()) return 'folder';
  if (TABLE_NAME.test(path)) return 'csv';
  if (st) return table ? 'csv' : 'file';
  return table ? 'csv' : 'folder';
}
