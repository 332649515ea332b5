/**
 * Loads one API resource whenever `key` changes, keeping the previous value on screen while
 * the next one loads so paging and sorting do not blank the table.
 */
import { useEffect, useState } from 'react';
import type { ApiResult } from './api';

type ApiError = Extract<ApiResult<unknown>, { kind: 'error' }>;

export interface ApiCall<T> {
  /** The value for the current key, or the previous key's while `loading`; null before any. */
  value: T | null;
  loading: boolean;
  error: ApiError | null;
  /** Loads the current key again. */
  reload: () => void;
}

/** Calls `load` now and again each time `key` changes; answers for older keys are dropped. */
export function useApiCall<T>(
  load: () => Promise<ApiResult<T>>,
  key: string,
  onSessionLost?: () => void,
): ApiCall<T> {
  const [value, setValue] = useState<T | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    setLoading(true);
    void load().then((result) => {
      if (!current) return;
      setLoading(false);
      if (result.kind === 'ok') {
        setValue(result.value);
        setError(null);
      } else {
        setError(result);
        if (result.status === 401) onSessionLost?.();
      }
    });
    return () => {
      current = false;
    };
    // `load` is rebuilt on every render; `key` says when it asks for something else.
  }, [key, generation]);

  return { value, loading, error, reload: () => setGeneration((n) => n + 1) };
}
