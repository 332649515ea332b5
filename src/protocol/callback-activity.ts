/**
 * What happened on the machine between two callbacks, beside the sample itself: its network
 * connections, logons and logoffs, and application events. Each list is optional, so
 * callbacks from agents that do not report them yet stay valid.
 */

/** Most connections one callback may carry; agents send the busiest first. */
export const maxConnectionsPerCallback = 4_096;
/** Most logon and application events one callback may carry. */
export const maxEventsPerCallback = 5_000;

/** One open network connection at sampling time, as the machine's own stack sees it. */
export interface ConnectionSample {
  protocol: 'tcp' | 'udp';
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Lowercase socket state (`established`, `syn_sent`, ...); empty for UDP. */
  state: string;
  /** Owning process, when the platform says. */
  pid: number | null;
  /** Fully-qualified owner, as for processes; empty when the platform does not say. */
  account: string;
}

/** A logon or logoff since the previous callback. */
export interface LogonEvent {
  account: string;
  event: 'logon' | 'logoff';
  at: string; // ISO 8601
  terminal: string;
  from: string;
  /** For a logon, how long it took until the session was usable; null when unknown. */
  durationMillis: number | null;
}

/** An application starting, settling, hanging or ending since the previous callback. */
export interface ApplicationEvent {
  event: 'started' | 'loaded' | 'not_responding' | 'exited';
  at: string; // ISO 8601
  /** The executable's name, which groups processes into an application. */
  application: string;
  pid: number | null;
  account: string;
  /** Load time for `loaded`, time stuck for `not_responding`; null otherwise. */
  durationMillis: number | null;
}

/** The optional lists a callback may carry beside the sample. */
export interface CallbackActivity {
  connections?: ConnectionSample[];
  logons?: LogonEvent[];
  applicationEvents?: ApplicationEvent[];
}

const shortText = { type: 'string', maxLength: 256 };
const port = { type: 'integer', minimum: 0, maximum: 65_535 };
const pidOrNull = { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] };
// At most 24 hours, so every duration fits the store's integer column.
const durationOrNull = {
  anyOf: [{ type: 'integer', minimum: 0, maximum: 86_400_000 }, { type: 'null' }],
};
const moment = { type: 'string', format: 'date-time' };
const account = { type: 'string', maxLength: 512 };

/** JSON schema properties for `CallbackActivity`, merged into the callback's schema. */
export const callbackActivityProperties = {
  connections: {
    type: 'array',
    maxItems: maxConnectionsPerCallback,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['protocol', 'localAddress', 'localPort', 'remoteAddress', 'remotePort', 'state'],
      properties: {
        protocol: { type: 'string', enum: ['tcp', 'udp'] },
        localAddress: shortText,
        localPort: port,
        remoteAddress: shortText,
        remotePort: port,
        state: { type: 'string', maxLength: 32 },
        pid: pidOrNull,
        account,
      },
    },
  },
  logons: {
    type: 'array',
    maxItems: maxEventsPerCallback,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['account', 'event', 'at', 'terminal', 'from', 'durationMillis'],
      properties: {
        account: { type: 'string', minLength: 1, maxLength: 512 },
        event: { type: 'string', enum: ['logon', 'logoff'] },
        at: moment,
        terminal: shortText,
        from: shortText,
        durationMillis: durationOrNull,
      },
    },
  },
  applicationEvents: {
    type: 'array',
    maxItems: maxEventsPerCallback,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['event', 'at', 'application', 'pid', 'account', 'durationMillis'],
      properties: {
        event: { type: 'string', enum: ['started', 'loaded', 'not_responding', 'exited'] },
        at: moment,
        application: shortText,
        pid: pidOrNull,
        account,
        durationMillis: durationOrNull,
      },
    },
  },
} as const;
