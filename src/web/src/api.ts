/**
 * The hub's JSON API as plain functions. Every call resolves to an `ApiResult`; expected
 * failures (wrong password, a machine that is gone, the hub being unreachable) are values,
 * so pages decide what to show instead of catching.
 */
import type {
  ActivationTokenSummary,
  ApiErrorBody,
  ChangeLogEntry,
  CollectorSummary,
  ConnectorMachineNumber,
  DashboardOverview,
  NetworkLatency,
  TopApplications,
  WorstMachines,
  ConnectorSettings,
  ConnectorUserNumber,
  MachineBody,
  IssuedActivationToken,
  ListDescription,
  ListPage,
  MachineListBody,
  PersonSummary,
  PolicySummary,
  SavedFilter,
  SessionBody,
} from './api-types';
import { queryString } from './query-string';
import type { SearchBody } from './search-hits';

export type ApiResult<T> =
  { kind: 'ok'; value: T } | { kind: 'error'; status: number; code: string; message: string };

/** Stands in for a status when the request never got an HTTP answer. */
const NO_RESPONSE_STATUS = 0;

const API_ROOT = '/api/v1';

// The hub's CSRF guard refuses cookie-authenticated state changes without this header;
// a cross-site form cannot set it, so its presence shows the request came from this app.
const STATE_CHANGE_HEADERS = { 'X-Strata-Request': '1' };

async function request<T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') Object.assign(headers, STATE_CHANGE_HEADERS);
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(API_ROOT + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return failure(NO_RESPONSE_STATUS, 'network_error', 'The hub cannot be reached.');
  }

  if (!response.ok) return failure(response.status, ...(await readError(response)));
  // 204 carries no body; only calls typed `void` get one.
  if (response.status === 204) return { kind: 'ok', value: undefined as T };
  try {
    return { kind: 'ok', value: (await response.json()) as T };
  } catch {
    return failure(
      response.status,
      'bad_response',
      'The hub sent an answer this page cannot read.',
    );
  }
}

async function readError(response: Response): Promise<[string, string]> {
  try {
    const body = (await response.json()) as Partial<ApiErrorBody>;
    if (typeof body.code === 'string') return [body.code, body.message ?? body.code];
  } catch {
    // A proxy in front of the hub may answer with HTML; fall through to a generic message.
  }
  return ['http_' + response.status, `The hub answered ${response.status}.`];
}

function failure(status: number, code: string, message: string): ApiResult<never> {
  return { kind: 'error', status, code, message };
}

export const api = {
  getSession: () => request<SessionBody>('GET', '/session'),
  signIn: (name: string, password: string) =>
    request<SessionBody>('POST', '/session', { name, password }),
  signOut: () => request<void>('DELETE', '/session'),
  changePassword: (currentPassword: string, newPassword: string) =>
    request<void>('POST', '/session/password', { currentPassword, newPassword }),
  listMachines: () => request<MachineListBody>('GET', '/machines'),
  /** One machine; with a range, its history covers that range (`from`, `to` ISO times). */
  getMachine: (id: string, range?: { from: string; to: string }) =>
    request<MachineBody>('GET', `/machines/${encodeURIComponent(id)}${queryString(range)}`),
  /** A user's CPU and memory over a range, summed over their processes per callback. */
  userHistory: (account: string, range: { from: string; to: string }) =>
    request<{ history: Array<{ at: string; cpuPercent: number; memoryRssBytes: number }> }>(
      'GET',
      `/users/${encodeURIComponent(account)}/history${queryString(range)}`,
    ),
  describeLists: () => request<{ lists: ListDescription[] }>('GET', '/lists'),
  /** One page of a list; `params` are the list API's (q, sort, order, after, filters). */
  listPage: (list: string, params: URLSearchParams) =>
    request<ListPage>('GET', `/lists/${encodeURIComponent(list)}${queryString(params)}`),
  search: (q: string, limit: number) =>
    request<SearchBody>('GET', `/search${queryString({ q, limit: String(limit) })}`),
  listSavedFilters: () => request<{ filters: SavedFilter[] }>('GET', '/saved-filters'),
  saveFilter: (filter: { name: string; list: string; params: Record<string, string> }) =>
    request<SavedFilter>('POST', '/saved-filters', filter),
  deleteSavedFilter: (id: string) => request<void>('DELETE', `/saved-filters/${id}`),
  dashboardOverview: () => request<DashboardOverview>('GET', '/dashboard/overview'),
  worstMachines: () => request<WorstMachines>('GET', '/dashboard/worst-machines?limit=10'),
  topApplications: () =>
    request<TopApplications>('GET', '/dashboard/top-applications?days=7&limit=10'),
  networkLatency: () => request<NetworkLatency>('GET', '/dashboard/network-latency?days=7'),
  listCollectors: () => request<{ collectors: CollectorSummary[] }>('GET', '/collectors'),
  listPeople: () => request<{ people: PersonSummary[] }>('GET', '/people'),
  /** Adds a person; the answer carries the first password, shown once. */
  addPerson: (person: { name: string; role: string }) =>
    request<{ password?: string; [key: string]: unknown }>('POST', '/people', person),
  changeRole: (name: string, role: string) =>
    request<{ name: string; role: string }>('PUT', `/people/${encodeURIComponent(name)}`, {
      role,
    }),
  removePerson: (name: string) => request<void>('DELETE', `/people/${encodeURIComponent(name)}`),
  getRetention: () =>
    request<{ detailDays: number; ceilingBytes: number | null }>('GET', '/settings/retention'),
  changeRetention: (change: { detailDays: number; ceilingBytes: number | null }) =>
    request<{ detailDays: number; ceilingBytes: number | null }>(
      'PUT',
      '/settings/retention',
      change,
    ),
  getTimeZone: () => request<{ timeZone: string }>('GET', '/settings/time-zone'),
  changeTimeZone: (timeZone: string) =>
    request<{ timeZone: string }>('PUT', '/settings/time-zone', { timeZone }),
  listChangeLog: (params: URLSearchParams) =>
    request<{ entries: ChangeLogEntry[] }>('GET', `/change-log${queryString(params)}`),
  listPolicies: () => request<{ policies: PolicySummary[] }>('GET', '/policies'),
  changePolicy: (id: string, settings: PolicySummary['settings']) =>
    request<PolicySummary>('PUT', `/policies/${encodeURIComponent(id)}`, { settings }),
  issueActivationToken: (request_: { kind: string; uses: number; expiresHours: number }) =>
    request<IssuedActivationToken>('POST', '/activation-tokens', request_),
  listActivationTokens: () =>
    request<{ tokens: ActivationTokenSummary[] }>('GET', '/activation-tokens'),
  revokeActivationToken: (id: string) =>
    request<void>('DELETE', `/activation-tokens/${encodeURIComponent(id)}`),
  getConnectorSettings: () => request<ConnectorSettings>('GET', '/connector-id/settings'),
  changeConnectorSettings: (change: Partial<ConnectorSettings>) =>
    request<ConnectorSettings>('PUT', '/connector-id/settings', change),
  listUserNumbers: () => request<{ users: ConnectorUserNumber[] }>('GET', '/connector-id/users'),
  listMachineNumbers: () =>
    request<{ machines: ConnectorMachineNumber[] }>('GET', '/connector-id/machines'),
  /** `action` is reclaim (users and machines), revoke or restore (machines). */
  changeNumber: (kind: 'user' | 'machine', number: number, action: NumberAction) =>
    request<{ number: number; status: string }>(
      'POST',
      `/connector-id/${kind}s/${number}/${action}`,
    ),
};

/** Where a list's export downloads from, with the same filters as the table. */
export function exportUrl(list: string, params: URLSearchParams, format: 'csv' | 'json'): string {
  const query = new URLSearchParams(params);
  query.delete('after');
  query.delete('limit');
  query.set('format', format);
  return `${API_ROOT}/lists/${encodeURIComponent(list)}/export?${query.toString()}`;
}

export type NumberAction = 'reclaim' | 'revoke' | 'restore';
