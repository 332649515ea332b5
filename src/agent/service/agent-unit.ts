/**
 * The systemd unit that runs the agent as a service: restarted when it fails, hardened where
 * that costs the agent nothing it needs. It stays root, because it reads every process's
 * entries under /proc and, for Connector ID, opens the netfilter queue and sets iptables rules.
 */

/** The unit's file name; `systemctl status strata-agent` names it. */
export const agentUnitName = 'strata-agent.service';

/**
 * V8 flags for the service, each measured with `npm run bench:agent` (see the README): a 1 MiB
 * young generation (default 16 MiB a half), garbage collection on the main thread alone, and
 * no optimising compiler, whose code and work areas cost more memory than the agent's few hot
 * loops gain (the CPU share did not rise). Together about 8 MB less resident memory. Lite
 * mode (which implies no optimising compiler) allocates feedback for a function only once it
 * has run a while and interprets regular expressions, about 1.7 MiB less again; it also
 * leaves out WebAssembly, which the agent never uses (`--no-expose-wasm` says so, sparing a
 * warning at each start).
 */
export const serviceNodeFlags = [
  '--max-semi-space-size=1',
  '--single-threaded-gc',
  '--lite-mode',
  '--no-expose-wasm',
];

export interface AgentUnitOptions {
  /** The Node.js executable, absolute. */
  nodePath: string;
  /** The installed agent bundle, absolute. */
  bundlePath: string;
  /** The agent's base data folder (it keeps its files in `agent/` below), absolute. */
  dataDir: string;
  /** The root-only file holding STRATA_HUB_URL and STRATA_ACTIVATION_TOKEN, absolute. */
  envFile: string;
}

// Capabilities the agent and the tools it runs need, even as root; everything else is dropped.
const capabilities = [
  'CAP_SYS_PTRACE', // /proc/PID/exe, io and fd of other users' processes
  'CAP_DAC_READ_SEARCH', // reading files users own: browser spool batches, /proc entries
  'CAP_DAC_OVERRIDE', // removing those batches; writing the data folder whatever its owner
  'CAP_FOWNER', // the browser spool's sticky mode
  'CAP_NET_ADMIN', // the netfilter queue and iptables rules (Connector ID)
  'CAP_NET_RAW', // iptables itself
];

/** The unit's text; the paths must be plain (see `plainPathPattern`), as systemd reads them. */
export function agentUnitText(options: AgentUnitOptions): string {
  const command = [options.nodePath, ...serviceNodeFlags, options.bundlePath, 'agent']
    .concat(['--data-dir', options.dataDir])
    .join(' ');
  const stateDirectory = options.dataDir.match(/^\/var\/lib\/([^/].*)$/)?.[1];
  return [
    '# Written by `strata agent install`; `strata agent uninstall` removes it.',
    '[Unit]',
    "Description=Strata agent: measures this machine and its users' experience",
    'After=network-online.target',
    'Wants=network-online.target',
    // Five failed starts in ten minutes stop the restarts, so a broken agent does not churn.
    'StartLimitIntervalSec=10min',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=exec',
    `ExecStart=${command}`,
    // The leading dash: the file is optional once the agent is activated.
    `EnvironmentFile=-${options.envFile}`,
    'Restart=on-failure',
    'RestartSec=30s',
    // Exit 2 is a configuration error (not activated, a bad setting): restarting cannot help.
    'RestartPreventExitStatus=2',
    'TimeoutStopSec=30s',
    'KillMode=mixed',
    'User=root',
    'UMask=0077',
    ...(stateDirectory ? [`StateDirectory=${stateDirectory}`, 'StateDirectoryMode=0700'] : []),
    // The agent measures people's experience; under contention their work goes first.
    'CPUWeight=20',
    'IOWeight=20',
    `CapabilityBoundingSet=${capabilities.join(' ')}`,
    'NoNewPrivileges=yes',
    // Not strict: iptables-legacy takes its lock in /run, and the browser spool is /run/strata.
    'ProtectSystem=full',
    'ProtectHome=read-only',
    'PrivateTmp=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'RestrictSUIDSGID=yes',
    'RestrictRealtime=yes',
    'RestrictNamespaces=yes',
    'LockPersonality=yes',
    'SystemCallArchitectures=native',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    // Left out on purpose: MemoryDenyWriteExecute (V8 compiles to machine code at run time),
    // ProtectProc and ProcSubset (the agent reads every process), PrivateDevices (nvidia-smi
    // opens /dev/nvidia*), PrivateNetwork and IPAddressDeny (it calls back to the hub).
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** Absolute paths systemd takes as they are: no spaces, quotes or `%` specifiers. */
export const plainPathPattern = /^\/[\w+=:,./@-]*$/;
