/**
 * A time shown as "5 minutes ago", with the exact local time on hover and in the markup
 * (`<time datetime>`), so the short form never hides the real value.
 */
import { formatAbsolute, formatRelative, MISSING } from './format';

interface RelativeTimeProps {
  /** ISO 8601, or null when the hub does not know. */
  iso: string | null;
  /** The moment "ago" is measured from; pass the page's last refresh so rows agree. */
  nowMillis: number;
}

export function RelativeTime({ iso, nowMillis }: RelativeTimeProps) {
  if (iso === null) return <span>{MISSING}</span>;
  return (
    <time dateTime={iso} title={formatAbsolute(iso)}>
      {formatRelative(iso, nowMillis)}
    </time>
  );
}
