/**
 * A page that only says something: an address the app does not know, a machine the hub no
 * longer has, or a hub that does not answer. It always offers one way onward.
 */
import type { ReactNode } from 'react';
import { HOME_HASH } from './use-hash-route';

interface NoticePageProps {
  title: string;
  children: ReactNode;
  /** Shown as a button when given; otherwise a link back to the machine list. */
  retry?: () => void;
  /** Marks the text as an alert for screen readers; for failures, not for plain "not found". */
  isError?: boolean;
}

export function NoticePage({ title, children, retry, isError = false }: NoticePageProps) {
  return (
    <section className="notice" aria-labelledby="notice-heading">
      <h1 id="notice-heading">{title}</h1>
      <p role={isError ? 'alert' : undefined} className={isError ? 'error' : undefined}>
        {children}
      </p>
      {retry === undefined ? (
        <p>
          <a href={HOME_HASH}>Go to the machine list</a>
        </p>
      ) : (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </section>
  );
}

/** The route fallback. */
export function unknownPage(path: string): ReactNode {
  return (
    <NoticePage title="Page not found">
      There is no page at <code>#{path}</code>.
    </NoticePage>
  );
}
