/** Query strings for API calls and page addresses. */

/** `?a=1&b=2` from parameters, empty values left out; '' when none remain. */
export function queryString(params?: Record<string, string> | URLSearchParams): string {
  const query = new URLSearchParams();
  for (const [key, value] of new URLSearchParams(params ?? {})) {
    if (value !== '') query.set(key, value);
  }
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}
