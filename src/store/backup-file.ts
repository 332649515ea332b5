import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { ConfigError } from '../shared/errors.js';
import type { Store, Transaction } from './store.js';
import { readSnapshot, type TableProgress } from './store-copy.js';
import {
  copyTableOut,
  schemaVersion,
  startLoading,
  storeTables,
  type TableShape,
} from './table-copy.js';

/**
 * A whole-store backup in one gzip'd text file, written and read as a stream:
 *
 *   strata-backup {"format":1,"schemaVersion":16,"siteId":...,"createdAt":...,"store":...}
 *   table <name> <column>,<column>,...
 *   <rows in COPY text format>
 *   \.
 *   ... one section per table, in load order ...
 *   manifest {<the header fields>,"tables":[{"name","rows"}],"sha256":"<hex>"}
 *
 * The SHA-256 covers every byte before the manifest line. COPY text escapes line breaks inside
 * values, so a line is a row and a line of `\.` alone can only be a section's end.
 */

/** The layout written by this version; a reader refuses any other. */
export const backupFormat = 1;
const magic = 'strata-backup ';
const endOfTable = '\\.';
/** Rows handed to one COPY while loading: up to about 4 MiB of text. */
const loadChunkChars = 4 * 1024 * 1024;

export interface BackupHeader {
  format: number;
  schemaVersion: number;
  siteId: string | null;
  createdAt: string;
  store: 'embedded' | 'postgres';
}

export interface BackupManifest extends BackupHeader {
  tables: Array<{ name: string; rows: number }>;
  sha256: string;
}

/** Why a file is not restored: it touches nothing when it says so. */
export class BackupRefused extends ConfigError {}

/**
 * Writes the whole store to `sink` as a gzip'd backup, from one snapshot; returns its
 * manifest. The sink is ended when the backup is complete, destroyed when it fails.
 */
export async function writeBackup(
  store: Store,
  sink: Writable,
  progress: TableProgress = () => undefined,
): Promise<BackupManifest> {
  const gzip = createGzip();
  const delivered = pipeline(gzip, sink);
  delivered.catch(() => undefined); // awaited below; a failure also surfaces in write()
  const hash = createHash('sha256');
  const write = async (text: string, hashed = true) => {
    if (hashed) hash.update(text);
    if (gzip.destroyed) throw new Error('the backup was abandoned by its reader');
    if (!gzip.write(text)) await drained(gzip);
  };

  try {
    const manifest = await readSnapshot(store, async (tx) => {
      const header = await backupHeader(store, tx);
      await write(`${magic}${JSON.stringify(header)}\n`);
      const tables: BackupManifest['tables'] = [];
      for (const table of await storeTables(tx)) {
        await write(`table ${table.name} ${table.columns.join(',')}\n`);
        const rows = await copyTableOut(tx, table, (text) => write(text));
        await write(`${endOfTable}\n`);
        tables.push({ name: table.name, rows });
        progress(table.name, rows);
      }
      return { ...header, tables, sha256: hash.digest('hex') };
    });
    await write(`manifest ${JSON.stringify(manifest)}\n`, false);
    gzip.end();
    await delivered;
    return manifest;
  } catch (error) {
    gzip.destroy();
    sink.destroy();
    throw error;
  }
}

async function backupHeader(store: Store, tx: Transaction): Promise<BackupHeader> {
  const [site] = await tx.query<{ value: { siteId: string } }>(
    "SELECT value FROM hub_settings WHERE key = 'site'",
  );
  return {
    format: backupFormat,
    schemaVersion: await schemaVersion(tx),
    siteId: site?.value.siteId ?? null,
    createdAt: new Date().toISOString(),
    store: store.kind,
  };
}

// Waits for room in the stream, or fails when it closes first (a reader that went away).
async function drained(stream: Writable): Promise<void> {
  const closed = once(stream, 'close').then(() => {
    throw new Error('the backup was abandoned by its reader');
  });
  closed.catch(() => undefined);
  await Promise.race([once(stream, 'drain'), closed]);
}

/** The lines of a backup file, decompressed as they are read. */
async function* backupLines(file: string): AsyncGenerator<string> {
  const source = createReadStream(file);
  const input = source.pipe(createGunzip());
  const lines = createInterface({ input, crlfDelay: Infinity });
  // Stream errors (a missing file, broken gzip) must end the loop, not hang it.
  const failure = new Promise<never>((_, reject) => {
    source.on('error', reject);
    input.on('error', reject);
  });
  failure.catch(() => undefined);
  const iterator = lines[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), failure]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    lines.close();
    input.destroy();
    source.destroy();
  }
}

/**
 * Reads a whole backup once and checks it: layout, format, checksum and every table's row
 * count. Returns the manifest; throws BackupRefused saying what is wrong.
 */
export async function checkBackup(file: string): Promise<BackupManifest> {
  const hash = createHash('sha256');
  const counted: Array<{ name: string; rows: number }> = [];
  let manifest: BackupManifest | null = null;
  let current: { name: string; rows: number } | null = null;
  let first = true;
  try {
    for await (const line of backupLines(file)) {
      if (manifest) throw new BackupRefused(`${file} has data after its manifest: damaged`);
      if (first) {
        if (!line.startsWith(magic)) throw new BackupRefused(`${file} is not a Strata backup`);
        const header = JSON.parse(line.slice(magic.length)) as BackupHeader;
        if (header.format !== backupFormat) {
          throw new BackupRefused(
            `${file} is a backup of format ${header.format}; this Strata reads format ` +
              `${backupFormat}`,
          );
        }
        first = false;
      } else if (!current && line.startsWith('manifest ')) {
        manifest = JSON.parse(line.slice('manifest '.length)) as BackupManifest;
        continue;
      } else if (!current) {
        const [word, name] = line.split(' ');
        if (word !== 'table' || !name) throw new BackupRefused(`${file} is damaged`);
        current = { name, rows: 0 };
      } else if (line === endOfTable) {
        counted.push(current);
        current = null;
      } else current.rows++;
      hash.update(`${line}\n`);
    }
  } catch (error) {
    if (error instanceof BackupRefused) throw error;
    throw new BackupRefused(`${file} cannot be read: ${damage(error)}`);
  }
  if (first) throw new BackupRefused(`${file} is empty`);
  if (!manifest) throw new BackupRefused(`${file} is cut short (no manifest at its end)`);
  if (hash.digest('hex') !== manifest.sha256) {
    throw new BackupRefused(`${file} is damaged: its checksum does not match its contents`);
  }
  const expected = JSON.stringify(manifest.tables);
  if (JSON.stringify(counted) !== expected) {
    throw new BackupRefused(`${file} is damaged: its tables do not match its manifest`);
  }
  return manifest;
}

function damage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code?.startsWith('Z_')) return 'it is damaged (not valid gzip)';
  if (error instanceof SyntaxError) return 'it is damaged (a header is not JSON)';
  return (error as Error).message;
}

/**
 * Loads the rows of a checked backup into the store through `tx`, table by table; each table
 * must exist in the store with every column the backup names.
 */
export async function loadBackup(
  file: string,
  tx: Transaction,
  progress: TableProgress = () => undefined,
): Promise<void> {
  const shapes = new Map((await storeTables(tx)).map((table) => [table.name, table]));
  let table: TableShape | null = null;
  let chunk: string[] = [];
  let chunkChars = 0;
  let rows = 0;
  const flush = async () => {
    if (chunk.length === 0 || !table) return;
    await tx.copyFrom(table.name, table.columns, chunk.join(''));
    chunk = [];
    chunkChars = 0;
  };

  for await (const line of backupLines(file)) {
    if (line.startsWith(magic) || line.startsWith('manifest ')) continue;
    if (!table) {
      const [, name, columns] = line.split(' ');
      const there = shapes.get(name ?? '');
      const wanted = (columns ?? '').split(',').filter(Boolean);
      const missing = wanted.filter((column) => !there?.columns.includes(column));
      if (!there || missing.length > 0) {
        throw new BackupRefused(`this store has no place for ${name}: ${missing.join(', ')}`);
      }
      table = { name: there.name, columns: wanted, sources: there.sources };
      await startLoading(tx, table);
      rows = 0;
    } else if (line === endOfTable) {
      await flush();
      progress(table.name, rows);
      table = null;
    } else {
      chunk.push(`${line}\n`);
      chunkChars += line.length + 1;
      rows++;
      if (chunkChars >= loadChunkChars) await flush();
    }
  }
}
