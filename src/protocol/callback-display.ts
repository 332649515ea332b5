/**
 * Remote display sessions a callback may carry: the RDP, Citrix, PCoIP and Blast connections
 * that clients hold open to the machine at the sample, with the kernel's figures for each.
 */

/** Most display sessions one callback may carry. */
export const maxDisplaySessions = 1_000;

export type DisplayProtocol = 'rdp' | 'ica' | 'cgp' | 'pcoip' | 'blast';

/** One client's display connection to this machine, as the machine's own stack sees it. */
export interface DisplaySession {
  protocol: DisplayProtocol;
  transport: 'tcp' | 'udp';
  serverPort: number;
  clientAddress: string;
  clientPort: number;
  /** The server process that owns the socket, when the platform says. */
  process: string;
  pid: number | null;
  /** The kernel's smoothed round-trip time and its variation, milliseconds. */
  rttMillis: number | null;
  rttVariationMillis: number | null;
  minRttMillis: number | null;
  /** Bytes the client acknowledged, and bytes it sent, over the connection's life. */
  bytesSent: number | null;
  bytesReceived: number | null;
  /** Segments sent again over the connection's life. */
  retransmittedSegments: number | null;
  /** The kernel's latest estimate of the rate data reaches the client, bits per second. */
  deliveryRateBitsPerSecond: number | null;
}

/** The optional display sessions a callback may carry. */
export interface CallbackDisplay {
  displaySessions?: DisplaySession[];
}

const figure = { anyOf: [{ type: 'number', minimum: 0 }, { type: 'null' }] };
const port = { type: 'integer', minimum: 0, maximum: 65_535 };

/** JSON schema properties for `CallbackDisplay`, merged into the callback's schema. */
export const callbackDisplayProperties = {
  displaySessions: {
    type: 'array',
    maxItems: maxDisplaySessions,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['protocol', 'transport', 'serverPort', 'clientAddress', 'clientPort'],
      properties: {
        protocol: { type: 'string', enum: ['rdp', 'ica', 'cgp', 'pcoip', 'blast'] },
        transport: { type: 'string', enum: ['tcp', 'udp'] },
        serverPort: port,
        clientAddress: { type: 'string', maxLength: 64 },
        clientPort: port,
        process: { type: 'string', maxLength: 256 },
        pid: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
        rttMillis: figure,
        rttVariationMillis: figure,
        minRttMillis: figure,
        bytesSent: figure,
        bytesReceived: figure,
        retransmittedSegments: figure,
        deliveryRateBitsPerSecond: figure,
      },
    },
  },
} as const;
