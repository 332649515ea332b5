import type { PacketSink } from '../network/capture-packet.js';
import { readCaptureFile } from '../network/capture-file-reader.js';

/** Where a network collector's packets come from: a capture file, or an interface (live). */
export interface CaptureSource {
  /** For logs and the hub's status page: `file:PATH` or `live:INTERFACE`. */
  readonly name: string;
  /** Live sources keep the clock moving while the wire is quiet; files carry their own time. */
  readonly live: boolean;
  /** Feeds packets to the sink until the input ends (a file) or `stop` is called. */
  run(sink: PacketSink): Promise<void>;
  stop(): Promise<void>;
  /** Packets the capture itself lost (the kernel's count); 0 for files. */
  drops(): number;
  /** The capture filter in force (BPF syntax, empty for none); live sources only. */
  readonly filter?: string;
  /** Changes the capture filter while running; throws, changing nothing, if it is refused. */
  setFilter?(filter: string): Promise<void>;
}

/** A capture file read once, as fast as the disk gives it (for replays, tests and demos). */
export function fileCaptureSource(path: string): CaptureSource {
  return {
    name: `file:${path}`,
    live: false,
    async run(sink) {
      const summary = await readCaptureFile(path, sink);
      if (summary.stopMessage !== undefined) {
        throw new Error(`${path}: reading stopped early: ${summary.stopMessage}`);
      }
    },
    stop: async () => undefined,
    drops: () => 0,
  };
}

/**
 * Several live interfaces measured as one: each feeds the same sink, in the order its packets
 * arrive. A connection that crosses two of the interfaces is seen on both and counted twice,
 * so give interfaces that carry different traffic (or filters that keep them apart).
 */
export function combinedCaptureSource(sources: CaptureSource[]): CaptureSource {
  if (sources.length === 1) return sources[0]!;
  return {
    name: sources.map((source) => source.name).join(','),
    live: sources.some((source) => source.live),
    async run(sink) {
      await Promise.all(sources.map((source) => source.run(sink)));
    },
    async stop() {
      await Promise.all(sources.map((source) => source.stop()));
    },
    drops: () => sources.reduce((sum, source) => sum + source.drops(), 0),
    get filter() {
      return sources[0]!.filter;
    },
    async setFilter(filter) {
      // Each interface checks the filter in turn; one that refuses stops the change there.
      // Not atomic: interfaces changed before a refusal keep the new filter (the same text
      // on the same kind of link is refused by the first already).
      for (const source of sources) await source.setFilter?.(filter);
    },
  };
}
