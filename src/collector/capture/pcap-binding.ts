import { createRequire } from 'node:module';
import { ConfigError } from '../../shared/errors.js';

/** The native session of the `pcap` package (node_pcap), as far as Strata uses it. */
export interface PcapSession {
  /** Opens a live capture; calls `onPacket` during `dispatch` for each packet. */
  open_live(
    device: string,
    filter: string,
    bufferBytes: number,
    snapLength: number,
    dumpFile: string,
    onPacket: () => void,
    monitorMode: boolean,
    bufferTimeoutMillis: number,
    warn: (message: string) => void,
    promiscuous: boolean,
  ): string;
  /** Called by the binding when the capture's file descriptor is readable. */
  read_callback?: () => void;
  start_polling(): void;
  /** Reads what is waiting: each packet into `packet`, its pcap header into `header`. */
  dispatch(packet: Buffer, header: Buffer): number;
  stats(): { ps_recv: number; ps_drop: number; ps_ifdrop: number };
  close(): void;
}

const howToEnable =
  'live capture needs libpcap and the optional `pcap` package built against it: ' +
  "apt-get install libpcap-dev (or your system's libpcap headers), then npm ci again in " +
  "Strata's folder, which builds it; until then, --capture-file reads files";

/**
 * Loads the binding of the optional `pcap` package. It is optional at install so that
 * `npm ci` succeeds on machines without libpcap's headers; live capture then says how to
 * enable it. The package's JavaScript wrapper is not used: it makes an object and emits an
 * event per packet, and Strata reads the native session's buffers directly.
 * Not yet: Windows and macOS capture (the binding builds there, but this is untested).
 */
export function loadPcapBinding(): { PcapSession: new () => PcapSession } {
  try {
    const require = createRequire(import.meta.url);
    return require('pcap/build/Release/pcap_binding.node') as {
      PcapSession: new () => PcapSession;
    };
  } catch (error) {
    throw new ConfigError(`${howToEnable} (${(error as Error).message.split('\n')[0]})`);
  }
}
