/** A saved inspector filter as the hub's API shows it; the web UI reads the same shape. */
export interface SavedFilter {
  id: string;
  name: string;
  /** The list it was saved from, or null; it applies to any list. */
  list: string | null;
  /** Query parameters as the list API takes them, such as `{ q: 'excel', sort: 'cpu' }`. */
  params: Record<string, string>;
  createdAt: string;
}
