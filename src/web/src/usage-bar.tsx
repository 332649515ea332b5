/**
 * A horizontal bar for how much of something is in use (CPU, memory, a disk), under the
 * number it shows. The bar is decoration; the text carries the value for screen readers.
 */

/** At or above these shares the bar turns amber, then red. */
const WARN_PERCENT = 75;
const CRITICAL_PERCENT = 90;

interface UsageBarProps {
  /** Share in use, 0 to 100; null draws an empty track. */
  percent: number | null;
  /** What to print beside the bar, such as "3.2 / 15.5 GiB" or "12.0 %". */
  text: string;
}

export function UsageBar({ percent, text }: UsageBarProps) {
  // Clamped so that a used figure larger than its total still stays inside the track.
  const width = percent === null ? 0 : Math.min(100, Math.max(0, percent));

  return (
    <span className="usage">
      <span className="usage-text">{text}</span>
      <span className="usage-track" aria-hidden="true">
        <span className={`usage-fill usage-${levelOf(percent)}`} style={{ width: `${width}%` }} />
      </span>
    </span>
  );
}

function levelOf(percent: number | null): 'none' | 'ok' | 'warn' | 'critical' {
  if (percent === null) return 'none';
  if (percent >= CRITICAL_PERCENT) return 'critical';
  return percent >= WARN_PERCENT ? 'warn' : 'ok';
}
