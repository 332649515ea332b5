/**
 * PostgreSQL's COPY text format: one line per row, fields separated by tabs, `\N` for null,
 * and backslash escapes for the four characters that would break the framing.
 */

/** A value as it goes into one COPY field. */
export type CopyValue = string | number | boolean | null | undefined;

const escapedCharacters = /[\\\t\n\r]/;
const escapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Names that may appear in a COPY statement: plain lowercase identifiers only. */
const identifierPattern = /^[a-z_][a-z0-9_]*$/;

/** One field; null and undefined become `\N`, numbers that are not finite too. */
export function copyField(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // Most text needs no escaping; testing first keeps the common case to one scan.
  return escapedCharacters.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => escapes[c]!) : value;
}

/** One row, with its line end. */
export function copyLine(values: readonly CopyValue[]): string {
  let line = '';
  for (let index = 0; index < values.length; index++) {
    if (index > 0) line += '\t';
    line += copyField(values[index]);
  }
  return `${line}\n`;
}

/** The COPY statement for a table and its columns; refuses names that are not identifiers. */
export function copyStatement(table: string, columns: readonly string[], source: string): string {
  for (const name of [table, ...columns]) {
    if (!identifierPattern.test(name)) throw new Error(`not a plain identifier: ${name}`);
  }
  return `COPY ${table} (${columns.join(', ')}) FROM ${source}`;
}
