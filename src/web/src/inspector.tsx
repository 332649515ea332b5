/**
 * The one table every list uses: search and field filters, sorting by clicking (or pressing
 * Enter on) a column header, server-side pages by cursor, cells formatted by column type,
 * export of the filtered list, and saved filters. All of it lives in the address.
 */
import { useState, type FormEvent } from 'react';
import { api, exportUrl } from './api';
import { LoadError } from './api-state';
import type { ApiResult } from './api';
import type { ListColumn, ListPage } from './api-types';
import { cellLink } from './drill-links';
import { formatCell, viewerTimeZone } from './format';
import { filterFields, useListDescription } from './list-catalog';
import { apiParams, readInspectorState, stateChange, type InspectorState } from './inspector-state';
import { SavedFilterBar } from './saved-filter-bar';
import { rangeQuery, type TimeRange } from './time-range';
import { navigate, withParams, type Route } from './use-hash-route';
import { useApiCall } from './use-api-call';

/** Rows per page; the hub pages on its side, so a big site never sends a whole list. */
export const PAGE_SIZE = 50;

/** Number columns that identify rather than count (`pid`, `remotePort`). */
const IDENTIFIER_KEY = /(^pid|port)$/i;

/** Stands in for a page until the list's description is in; never shown as an error. */
const waiting: ApiResult<ListPage> = {
  kind: 'ok',
  value: { list: '', columns: [], rows: [], nextCursor: null, total: null },
};

interface InspectorProps {
  list: string;
  /** What the table is called, for its caption and for screen readers. */
  title: string;
  route: Route;
  /** Parameter prefix when several inspectors share a page, such as `conn.`; '' for one. */
  prefix?: string;
  /** Filters the page sets (a detail page's machine or user), not shown as removable. */
  fixed?: Record<string, string>;
  range?: TimeRange;
  onSessionLost: () => void;
}

export function Inspector(props: InspectorProps) {
  const { list, title, route, prefix = '', fixed = {}, range, onSessionLost } = props;
  const state = readInspectorState(route.params, prefix);
  const { ready, description } = useListDescription(list);
  const params = apiParams(state, fixed);
  // Lists of things (machines, users) take no time range; the hub refuses one.
  if (range !== undefined && description?.timeRange !== false) {
    const { from, to } = rangeQuery(range);
    params.set('from', from);
    params.set('to', to);
  }
  const exportParams = new URLSearchParams(params);
  params.set('limit', String(PAGE_SIZE));

  // The page waits for the description, which says whether the list takes a time range.
  const key = ready ? `${list}?${params.toString()}` : '';
  const page = useApiCall(
    async () => (ready ? api.listPage(list, params) : waiting),
    key,
    onSessionLost,
  );

  const go = (next: Partial<InspectorState>) => {
    const merged = { ...state, after: '', ...next };
    const flat: Record<string, string> = { ...merged.filters, q: merged.q, after: merged.after };
    if (merged.sort !== '') Object.assign(flat, { sort: merged.sort, order: merged.order });
    navigate(withParams(route, stateChange(route.params, prefix, flat)));
  };

  const headingId = `${prefix || 'main'}-${list}-heading`.replace(/\W/g, '-');
  const shown = ready ? page.value : null;
  const columns = shown?.columns.length ? shown.columns : (description?.columns ?? []);
  // With no sort chosen the hub uses the list's default; the header shows which that is.
  const sorting =
    state.sort === '' && description !== null
      ? { ...state, sort: description.defaultSort.field, order: description.defaultSort.order }
      : state;
  const hasTimes = columns.some((column) => column.type === 'time');

  return (
    <section className="inspector" aria-labelledby={headingId}>
      <div className="inspector-bar">
        <h2 id={headingId}>{title}</h2>
        <SearchForm key={state.q} q={state.q} title={title} onSearch={(q) => go({ q })} />
        <FilterForm
          fields={filterFields(description).filter((field) => !(field.key in fixed))}
          title={title}
          onAdd={(field, value) => go({ filters: { ...state.filters, [field]: value } })}
        />
        <span className="exports">
          <a href={exportUrl(list, exportParams, 'csv')} download>
            Export CSV
          </a>
          <a href={exportUrl(list, exportParams, 'json')} download>
            Export JSON
          </a>
        </span>
      </div>
      <ActiveFilters state={state} onChange={go} />
      <SavedFilterBar
        list={list}
        state={state}
        onApply={(saved) => go(saved)}
        onSessionLost={onSessionLost}
      />
      <LoadError call={page} what={title} />
      <ResultTable
        list={list}
        title={title}
        columns={columns}
        page={shown}
        loading={page.loading || !ready}
        state={sorting}
        sortable={description?.sorts ?? null}
        onSort={(sort, order) => go({ sort, order })}
      />
      <div className="inspector-footer">
        {hasTimes && <span>Times in {viewerTimeZone}.</span>}
        <Pager
          page={shown}
          loading={page.loading}
          after={state.after}
          onFirst={() => go({})}
          onNext={(after) => go({ after })}
        />
      </div>
    </section>
  );
}

function SearchForm(props: { q: string; title: string; onSearch: (q: string) => void }) {
  const [text, setText] = useState(props.q);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSearch(text.trim());
  };
  return (
    <form role="search" className="inline-form" onSubmit={submit}>
      <input
        type="search"
        aria-label={`Search ${props.title}`}
        placeholder="Search…"
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <button type="submit">Search</button>
    </form>
  );
}

interface FilterFormProps {
  fields: { key: string; label: string }[];
  title: string;
  onAdd: (field: string, value: string) => void;
}

function FilterForm({ fields, title, onAdd }: FilterFormProps) {
  const [field, setField] = useState('');
  const [value, setValue] = useState('');
  if (fields.length === 0) return null;
  const chosen = field || fields[0]!.key;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim() === '') return;
    onAdd(chosen, value.trim());
    setValue('');
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`Filter ${title}`}>
      <select aria-label="Filter field" value={chosen} onChange={(e) => setField(e.target.value)}>
        {fields.map((entry) => (
          <option key={entry.key} value={entry.key}>
            {entry.label}
          </option>
        ))}
      </select>
      <input
        aria-label="Filter value"
        placeholder="value"
        value={value}
        onChange={(event) => setValue(event.target.value)}
      />
      <button type="submit">Add filter</button>
    </form>
  );
}

function ActiveFilters(props: {
  state: InspectorState;
  onChange: (next: Partial<InspectorState>) => void;
}) {
  const { state, onChange } = props;
  const entries = Object.entries(state.filters);
  if (entries.length === 0 && state.q === '') return null;
  const without = (key: string) => Object.fromEntries(entries.filter(([other]) => other !== key));
  return (
    <ul className="active-filters" aria-label="Active filters">
      {state.q !== '' && (
        <li>
          search “{state.q}”{' '}
          <button type="button" aria-label="Remove search" onClick={() => onChange({ q: '' })}>
            ×
          </button>
        </li>
      )}
      {entries.map(([key, value]) => (
        <li key={key}>
          {key} = {value}{' '}
          <button
            type="button"
            aria-label={`Remove filter ${key}`}
            onClick={() => onChange({ filters: without(key) })}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

interface ResultTableProps {
  list: string;
  title: string;
  columns: ListColumn[];
  page: ListPage | null;
  loading: boolean;
  state: InspectorState;
  /** Fields the hub sorts by; null when unknown, and then every header offers to sort. */
  sortable: string[] | null;
  onSort: (sort: string, order: 'asc' | 'desc') => void;
}

function ResultTable(props: ResultTableProps) {
  const { list, title, columns, page, loading, state, sortable, onSort } = props;
  if (page === null) {
    return loading ? (
      <p role="status" className="empty-state">
        Loading {title.toLowerCase()}…
      </p>
    ) : null;
  }
  if (page.rows.length === 0) {
    return (
      <p className="empty-state">
        {state.q !== '' || Object.keys(state.filters).length > 0
          ? `No ${title.toLowerCase()} match these filters.`
          : `No ${title.toLowerCase()} in this time range.`}
      </p>
    );
  }
  return (
    <div className="table-scroll">
      <table
        aria-label={title}
        aria-busy={loading}
        className={loading ? 'data-table loading' : 'data-table'}
      >
        <thead>
          <tr>
            {columns.map((column) => (
              <SortHeader
                key={column.key}
                column={column}
                state={state}
                canSort={sortable === null || sortable.includes(column.key)}
                onSort={onSort}
              />
            ))}
          </tr>
        </thead>
        <tbody>
          {page.rows.map((row, index) => (
            <tr key={index}>
              {columns.map((column) => (
                <Cell key={column.key} list={list} column={column} row={row} />
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SortHeader(props: {
  column: ListColumn;
  state: InspectorState;
  canSort: boolean;
  onSort: (sort: string, order: 'asc' | 'desc') => void;
}) {
  const { column, state, canSort, onSort } = props;
  const sorted = state.sort === column.key;
  const ariaSort = sorted ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none';
  const next = sorted && state.order === 'asc' ? 'desc' : 'asc';
  const numeric = column.type !== 'text' && column.type !== 'time';
  if (!canSort) {
    return (
      <th scope="col" className={numeric ? 'num' : undefined}>
        {column.label}
      </th>
    );
  }
  return (
    <th scope="col" aria-sort={ariaSort} className={numeric ? 'num' : undefined}>
      {/* A button, so the header sorts from the keyboard (Tab, then Enter or Space) too. */}
      <button type="button" className="sort-button" onClick={() => onSort(column.key, next)}>
        {column.label}
        <span aria-hidden="true">{sorted ? (state.order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}

function Cell({
  list,
  column,
  row,
}: {
  list: string;
  column: ListColumn;
  row: Record<string, unknown>;
}) {
  // Process ids and ports are names more than amounts: no thousands separator.
  const type = column.type === 'number' && IDENTIFIER_KEY.test(column.key) ? 'text' : column.type;
  const text = formatCell(type, row[column.key]);
  const link = cellLink(list, column, row);
  const numeric = column.type !== 'text' && column.type !== 'time';
  return (
    // Long text (command lines) is cut to one line; the whole of it is in the tooltip.
    <td className={numeric ? 'num' : undefined} title={text.length > 40 ? text : undefined}>
      {link === null ? text : <a href={link}>{text}</a>}
    </td>
  );
}

interface PagerProps {
  page: ListPage | null;
  loading: boolean;
  after: string;
  onFirst: () => void;
  onNext: (cursor: string) => void;
}

function Pager({ page, loading, after, onFirst, onNext }: PagerProps) {
  if (page === null) return null;
  const total = page.total === null || page.total === undefined ? null : page.total;
  return (
    <span className="pager">
      {total !== null && <span>{new Intl.NumberFormat('en').format(total)} in all</span>}
      <button type="button" onClick={onFirst} disabled={after === '' || loading}>
        First page
      </button>
      <button
        type="button"
        onClick={() => page.nextCursor !== null && onNext(page.nextCursor)}
        disabled={page.nextCursor === null || loading}
      >
        Next page
      </button>
    </span>
  );
}
