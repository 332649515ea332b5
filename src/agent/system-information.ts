/**
 * systeminformation, loaded the first time a source needs it. On Linux the agent reads what it
 * needs from /proc and /sys itself, so the library's code, over half of the agent bundle, is
 * never evaluated there and costs no memory; it serves the other platforms, and Linux machines
 * that hide /proc, utmp or the processor's name.
 */
type SystemInformation = typeof import('systeminformation');

let loading: Promise<SystemInformation> | null = null;

export function loadSystemInformation(): Promise<SystemInformation> {
  loading ??= import('systeminformation');
  return loading;
}
