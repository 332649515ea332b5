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
  /** For a logoff, how long the session lasted; null when its logon was not seen. */
  sessionMillis?: number | null;
  /** For a logon, the parts of its delay the platform exposes, in the order they happen. */
  phases?: LogonPhase[];
}

/** One step of a logon; docs/agent-metrics.md says which each platform exposes. */
export interface LogonPhase {
  phase: 'authentication' | 'session_start' | 'shell_ready';
  millis: number;
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
// Sessions may last for months; ten years keeps the store's bigint column far from overflow.
const sessionOrNull = {
  anyOf: [{ type: 'integer', minimum: 0, maximum: 315_360_000_000 }, { type: 'null' }],
};
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
        sessionMillis: sessionOrNull,
        phases: {
          type: 'array',
          maxItems: 8,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['phase', 'millis'],
            properties: {
              phase: { type: 'string', enum: ['authentication', 'session_start', 'shell_ready'] },
              millis: { type: 'integer', minimum: 0, maximum: 86_400_000 },
            },
          },
        },
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
