/**
 * What the hub says of each list (columns, filter fields, sort fields), asked once per page
 * load and shared by every inspector on screen.
 */
import { api, type ApiResult } from './api';
import type { ListDescription } from './api-types';

let catalog: Promise<ApiResult<{ lists: ListDescription[] }>> | null = null;

/** The description of `list`, or null when the hub does not describe it. */
export async function describeList(list: string): Promise<ListDescription | null> {
  catalog ??= api.describeLists();
  const result = await catalog;
  // A failed answer is not kept, so the next inspector asks again.
  if (result.kind === 'error') {
    catalog = null;
    return null;
  }
  return result.value.lists.find((entry) => entry.list === list) ?? null;
}

/** A list's filter fields as key and label. */
export function filterFields(
  description: ListDescription | null,
): { key: string; label: string }[] {
  return (description?.filters ?? []).map((filter) =>
    typeof filter === 'string'
      ? { key: filter, label: filter }
      : { key: filter.key, label: filter.label ?? filter.key },
  );
}
