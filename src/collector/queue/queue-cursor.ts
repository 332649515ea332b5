import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How far the store has taken the queue: everything before this is stored. */
export interface QueueCursor {
  segment: number;
  /** Offset just past the last stored record in that segment. */
  offset: number;
}

const cursorFile = 'cursor.json';

/** The saved cursor, or null when there is none or it does not parse. */
export async function loadCursor(dir: string): Promise<QueueCursor | null> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, cursorFile), 'utf8')) as QueueCursor;
    return Number.isSafeInteger(parsed.segment) && Number.isSafeInteger(parsed.offset)
      ? parsed
      : null;
  } catch {
    return null;
  }
}

/**
 * Saves the cursor by rename, without fsync. It is a shortcut, not a guarantee: a cursor that
 * is lost or stale after a power cut only makes the drainer offer stored callbacks again, and
 * the store takes each callback id once. That keeps a sync off the drain path.
 */
export async function saveCursor(dir: string, cursor: QueueCursor): Promise<void> {
  const temporary = join(dir, `${cursorFile}.tmp`);
  await writeFile(temporary, JSON.stringify(cursor), { mode: 0o600 });
  await rename(temporary, join(dir, cursorFile));
}
