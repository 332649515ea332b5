/**
 * What the hub says of each list (columns, filter fields, sort fields), asked once per page
 * load and shared by every inspector on screen.
 */
import { useEffect, useState } from 'react';
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
  return result.value.lists.find((entry) => entry.name === list) ?? null;
}

/** A list's filter fields as key and label. */
export function filterFields(
  description: ListDescription | null,
): { key: string; label: string }[] {
  return (description?.filters ?? []).map((filter) => ({
    key: filter.field,
    label: filter.label ?? filter.field,
  }));
}

/** The description of `list` once asked: `ready` turns true when the answer (or none) is in. */
export function useListDescription(list: string) {
  const [state, setState] = useState<{ ready: boolean; description: ListDescription | null }>({
    ready: false,
    description: null,
  });
  useEffect(() => {
    let current = true;
    void describeList(list).then((description) => {
      if (current) setState({ ready: true, description });
    });
    return () => {
      current = false;
    };
  }, [list]);
  return state;
}
