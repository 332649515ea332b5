/**
 * Loads one API resource and reloads it on a fixed interval, keeping the last good value on
 * screen when a reload fails so a brief hub restart does not blank the page.
 */
import { useEffect, useState } from 'react';
import type { ApiResult } from './api';

type ApiError = Extract<ApiResult<unknown>, { kind: 'error' }>;

export interface Polled<T> {
  /** The last value that loaded, or null before the first success. */
  value: T | null;
  /** The error from the latest attempt, or null when it succeeded. */
  error: ApiError | null;
  /** When `value` was loaded, in milliseconds since the epoch; 0 before the first success. */
  loadedAtMillis: number;
}

/**
 * Calls `load` now and every `intervalMillis` after each call settles. Pass a `key` that
 * changes when `load` would fetch something else (a machine id); the value resets then.
 */
export function usePolledApi<T>(
  load: () => Promise<ApiResult<T>>,
  intervalMillis: number,
  key: string,
): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ value: null, error: null, loadedAtMillis: 0 });

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState({ value: null, error: null, loadedAtMillis: 0 });

    const run = async () => {
      // A tab in the background still polls, but skips the request: nobody is looking, and
      // many open tabs would otherwise multiply the hub's load for nothing.
      if (!document.hidden || timer === undefined) {
        const result = await load();
        if (stopped) return;
        setState((previous) =>
          result.kind === 'ok'
            ? { value: result.value, error: null, loadedAtMillis: Date.now() }
            : { ...previous, error: result },
        );
      }
      if (!stopped) timer = setTimeout(() => void run(), intervalMillis);
    };
    void run();

    return () => {
      stopped = true;
      clearTimeout(timer);
    };
    // `load` is rebuilt on every render; `key` says when it really asks for something else.
  }, [key, intervalMillis]);

  return state;
}
