import { stringify } from 'csv-stringify/sync';
import type { Queryable } from '../../store/store.js';
import type { ListDefinition } from './list-definitions.js';
import type { ListRequest } from './list-parameters.js';
import { readListPage } from './list-query.js';

/** Rows read from the store at a time while exporting: 5,000. */
export const exportChunkRows = 5_000;

export type ExportFormat = 'csv' | 'json' | 'ndjson';

export const exportFormats: Record<ExportFormat, { type: string; extension: string }> = {
  csv: { type: 'text/csv; charset=utf-8', extension: 'csv' },
  json: { type: 'application/json; charset=utf-8', extension: 'json' },
  ndjson: { type: 'application/x-ndjson; charset=utf-8', extension: 'ndjson' },
};

/** How far an export got: rows written, and whether it reached the end. */
export interface ExportProgress {
  rows: number;
  completed: boolean;
}

/**
 * The whole list in `format`, as text chunks: the store is paged through with the list's own
 * keyset, a chunk at a time, so memory holds one chunk whatever the list's length. The
 * consumer pulls; when it stops (the client went away), no further chunk is read.
 */
export async function* exportList(
  db: Queryable,
  list: ListDefinition,
  request: ListRequest,
  format: ExportFormat,
  progress: ExportProgress,
): AsyncGenerator<string> {
  // Every column, the link ids too: an export is for other programs as much as for people.
  const columns = list.columns.map((column) => column.key);
  let after = request.after;
  let first = true;
  if (format === 'json') yield '[';
  for (;;) {
    const page = await readListPage(
      db,
      list,
      { ...request, limit: exportChunkRows, ...(after ? { after } : {}) },
      { count: false },
    );
    if (page.rows.length > 0 || (first && format === 'csv'))
      yield formatRows(page.rows, columns, format, first);
    progress.rows += page.rows.length;
    first = false;
    if (!page.nextCursor) break;
    after = cursorValues(page.nextCursor);
  }
  if (format === 'json') yield progress.rows > 0 ? '\n]\n' : ']\n';
  progress.completed = true;
}

function formatRows(
  rows: Array<Record<string, unknown>>,
  columns: string[],
  format: ExportFormat,
  first: boolean,
): string {
  if (format === 'csv') {
    return stringify(rows.map(inertForSpreadsheets), {
      header: first,
      columns,
      record_delimiter: '\r\n',
    });
  }
  const lines = rows.map((row) => JSON.stringify(row));
  if (format === 'ndjson') return `${lines.join('\n')}\n`;
  return `${first ? '\n' : ',\n'}${lines.join(',\n')}`;
}

/**
 * Text that a spreadsheet would take for a formula (it starts with =, +, -, @, a tab or a
 * carriage return) gets a leading apostrophe in CSV: process names and command lines are
 * chosen by whoever runs a program on a monitored machine, and `=HYPERLINK(...)` must stay
 * text when an administrator opens the export. Numbers stay numbers; JSON is left as is.
 */
export function inertForSpreadsheets(row: Record<string, unknown>): Record<string, unknown> {
  let safe: Record<string, unknown> | null = null;
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(value)) {
      safe ??= { ...row };
      safe[key] = `'${value}`;
    }
  }
  return safe ?? row;
}

function cursorValues(cursor: string): Array<string | null> {
  return (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v: string[] }).v;
}
