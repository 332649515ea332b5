/** The typed arrays that per-connection state lives in. */
export type NumberColumn = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

/**
 * A part of the per-connection state, kept in typed arrays indexed by connection slot (or by
 * slot * 2 + side for state of one direction). Typed arrays hold numbers without making an
 * object per connection, so the garbage collector has almost nothing to trace or copy however
 * many connections are open.
 */
export interface ColumnGroup {
  /** Makes room for `slots` connections; the new slots hold their initial values. */
  grow(slots: number): void;
  /** Puts a slot back to its initial values and gives back any pooled memory it held. */
  clear(slot: number): void;
}

/** A copy of `column` with room for `length` values; the new ones set to `initial`. */
export function grown<T extends NumberColumn>(column: T, length: number, initial = 0): T {
  const Column = column.constructor as new (length: number) => T;
  const next = new Column(length);
  next.set(column);
  if (initial !== 0) next.fill(initial, column.length);
  return next;
}

/**
 * Extends a column of references (names, attributions) to `length` entries of undefined.
 * Kept dense on purpose: writing past the end of a JS array, or leaving holes, can turn it
 * into a slow dictionary.
 */
export function extended<T>(column: (T | undefined)[], length: number): void {
  while (column.length < length) column.push(undefined);
}

/** A new column of `length` values, all `initial`. */
export function filled<T extends NumberColumn>(
  Column: new (length: number) => T,
  length: number,
  initial: number,
): T {
  const column = new Column(length);
  if (initial !== 0) column.fill(initial);
  return column;
}
