/**
 * Connector ID: the site's tagging policy, and every user and machine number the hub has
 * issued, with the actions an administrator may take on them. Numbers never leave their owner
 * on their own; reclaiming one here is the only way, and it is written to the change log.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type ApiResult, type NumberAction } from './api';
import type { ConnectorMachineNumber, ConnectorSettings, ConnectorUserNumber } from './api-types';
import { RelativeTime } from './relative-time';
import { machineHash } from './use-hash-route';

interface Loaded {
  settings: ConnectorSettings;
  users: ConnectorUserNumber[];
  machines: ConnectorMachineNumber[];
  loadedAtMillis: number;
}

type Failure = Extract<ApiResult<unknown>, { kind: 'error' }>;

interface ConnectorIdPageProps {
  /** Administrators change settings and numbers; others only read. */
  canChange: boolean;
  onSessionLost: () => void;
}

export function ConnectorIdPage({ canChange, onSessionLost }: ConnectorIdPageProps) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const [settings, users, machines] = await Promise.all([
      api.getConnectorSettings(),
      api.listUserNumbers(),
      api.listMachineNumbers(),
    ]);
    const failed = [settings, users, machines].find((result) => result.kind === 'error');
    if (failed?.kind === 'error') return setFailure(failed);
    if (settings.kind !== 'ok' || users.kind !== 'ok' || machines.kind !== 'ok') return;
    setFailure(null);
    setLoaded({
      settings: settings.value,
      users: users.value.users,
      machines: machines.value.machines,
      loadedAtMillis: Date.now(),
    });
  }, []);

  useEffect(() => void load(), [load]);
  useEffect(() => {
    if (failure?.status === 401) onSessionLost();
  }, [failure, onSessionLost]);

  // Every change goes to the hub, then the page shows what the hub now holds.
  const act = async (change: () => Promise<ApiResult<unknown>>) => {
    setBusy(true);
    const result = await change();
    if (result.kind === 'error') setFailure(result);
    await load();
    setBusy(false);
  };

  return (
    <section aria-labelledby="connector-heading">
      <div className="page-title">
        <h1 id="connector-heading">Connector ID</h1>
        {failure !== null && (
          <p role="alert" className="refresh-status error">
            {failure.message}
          </p>
        )}
      </div>
      {loaded === null ? (
        failure === null && <p className="page-status">Loading…</p>
      ) : (
        <>
          <SettingsPanel
            settings={loaded.settings}
            disabled={!canChange || busy}
            onChange={(change) => void act(() => api.changeConnectorSettings(change))}
          />
          <MachineNumbers
            rows={loaded.machines}
            nowMillis={loaded.loadedAtMillis}
            disabled={!canChange || busy}
            onAction={(number, action) => void act(() => confirmed('machine', number, action))}
          />
          <UserNumbers
            rows={loaded.users}
            nowMillis={loaded.loadedAtMillis}
            disabled={!canChange || busy}
            onReclaim={(number) => void act(() => confirmed('user', number, 'reclaim'))}
          />
        </>
      )}
    </section>
  );
}

const NOT_ASKED: ApiResult<unknown> = { kind: 'ok', value: null };

// Reclaiming frees a number for someone else and old reports stop resolving: ask first.
async function confirmed(kind: 'user' | 'machine', number: number, action: NumberAction) {
  const question =
    action === 'reclaim'
      ? `Reclaim ${kind} number ${number}? Reports that name it will no longer resolve, ` +
        'and the number may be issued again.'
      : null;
  if (question !== null && !window.confirm(question)) return NOT_ASKED;
  return api.changeNumber(kind, number, action);
}

interface SettingsPanelProps {
  settings: ConnectorSettings;
  disabled: boolean;
  onChange: (change: Partial<ConnectorSettings>) => void;
}

const SETTING_LABELS: [keyof ConnectorSettings, string, string][] = [
  ['tagging', 'Tag connections', 'Agents tag outgoing TCP SYNs and UDP datagrams.'],
  ['replayProtection', 'Replay protection', 'Collectors flag a tag seen before.'],
  [
    'sourceUnbound',
    'Tags survive NAT',
    'The tag leaves the source address and port out of its check.',
  ],
];

function SettingsPanel({ settings, disabled, onChange }: SettingsPanelProps) {
  return (
    <div className="panel" role="group" aria-labelledby="connector-settings-heading">
      <h2 id="connector-settings-heading">Policy</h2>
      {SETTING_LABELS.map(([key, label, hint]) => (
        <label key={key} className="check">
          <input
            type="checkbox"
            checked={settings[key]}
            disabled={disabled}
            onChange={(event) => onChange({ [key]: event.target.checked })}
          />
          <span>{label}</span> <span className="hint">{hint}</span>
        </label>
      ))}
    </div>
  );
}

interface MachineNumbersProps {
  rows: ConnectorMachineNumber[];
  nowMillis: number;
  disabled: boolean;
  onAction: (number: number, action: NumberAction) => void;
}

function MachineNumbers({ rows, nowMillis, disabled, onAction }: MachineNumbersProps) {
  return (
    <div className="panel">
      <h2>Machine numbers</h2>
      {rows.length === 0 ? (
        <p className="hint">No machine number is issued yet: agents claim one at start.</p>
      ) : (
        <table className="data-table" aria-label="Machine numbers">
          <thead>
            <tr>
              <th scope="col" className="num">
                Number
              </th>
              <th scope="col">Machine</th>
              <th scope="col">State</th>
              <th scope="col">Issued</th>
              <th scope="col">Last claimed</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.number}>
                <th scope="row" className="num">
                  {row.number}
                </th>
                <td>
                  {row.machine_id === null ? (
                    (row.hostname ?? 'not reported yet')
                  ) : (
                    <a href={machineHash(row.machine_id)}>{row.hostname}</a>
                  )}
                </td>
                <td>{machineState(row)}</td>
                <IssuedAndSeen row={row} nowMillis={nowMillis} />
                <td>
                  <div className="actions">
                    {row.status === 'active' ? (
                      <NumberButton {...{ disabled, onAction, row, action: 'revoke' }} />
                    ) : (
                      <NumberButton {...{ disabled, onAction, row, action: 'restore' }} />
                    )}
                    <NumberButton {...{ disabled, onAction, row, action: 'reclaim' }} />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function machineState(row: ConnectorMachineNumber): string {
  if (row.status === 'revoked') return 'revoked: its tags are flagged';
  if (row.agent_status === 'revoked') return 'agent revoked: its tags are flagged';
  return 'active';
}

interface NumberButtonProps {
  row: { number: number };
  action: NumberAction;
  disabled: boolean;
  onAction: (number: number, action: NumberAction) => void;
}

function NumberButton({ row, action, disabled, onAction }: NumberButtonProps) {
  const label = action[0]!.toUpperCase() + action.slice(1);
  return (
    <button
      type="button"
      disabled={disabled}
      aria-label={`${label} number ${row.number}`}
      onClick={() => onAction(row.number, action)}
    >
      {label}
    </button>
  );
}

interface UserNumbersProps {
  rows: ConnectorUserNumber[];
  nowMillis: number;
  disabled: boolean;
  onReclaim: (number: number) => void;
}

function UserNumbers({ rows, nowMillis, disabled, onReclaim }: UserNumbersProps) {
  return (
    <div className="panel">
      <h2>User numbers</h2>
      {rows.length === 0 ? (
        <p className="hint">No user number is issued yet: agents ask for one per account.</p>
      ) : (
        <table className="data-table" aria-label="User numbers">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col" className="num">
                Number
              </th>
              <th scope="col">Issued</th>
              <th scope="col">Last asked for</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.number}>
                <th scope="row">{row.account}</th>
                <td className="num">{row.number}</td>
                <IssuedAndSeen row={row} nowMillis={nowMillis} />
                <td>
                  <NumberButton
                    row={row}
                    action="reclaim"
                    disabled={disabled}
                    onAction={(number) => onReclaim(number)}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The two time cells every number row has: when it was issued and last used. */
function IssuedAndSeen(props: {
  row: { issued_at: string; last_seen_at: string };
  nowMillis: number;
}) {
  return (
    <>
      <td>
        <RelativeTime iso={props.row.issued_at} nowMillis={props.nowMillis} />
      </td>
      <td>
        <RelativeTime iso={props.row.last_seen_at} nowMillis={props.nowMillis} />
      </td>
    </>
  );
}
