/**
 * Whether this machine is virtual and under which hypervisor, and whether the agent runs in a
 * container. systemd-detect-virt knows the most hypervisors; without it the CPU's hypervisor
 * flag says "virtual" and the firmware's vendor string usually says whose.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Longest wait for systemd-detect-virt, which answers in a few milliseconds when present. */
const detectTimeoutMillis = 2_000;

/** Firmware vendor or product strings that name a hypervisor, checked in order. */
const firmwareHypervisors: Array<[RegExp, string]> = [
  [/qemu|kvm/i, 'kvm'],
  [/vmware/i, 'vmware'],
  [/virtualbox|innotek/i, 'oracle'],
  [/xen/i, 'xen'],
  [/microsoft corporation.*virtual|hyper-v/i, 'microsoft'],
  [/amazon ec2/i, 'amazon'],
  [/google compute/i, 'google'],
  [/parallels/i, 'parallels'],
];

export interface Virtualization {
  isVirtual: boolean | null;
  hypervisor: string;
  container: string;
}

/** What runs this machine; `firmware` is the DMI vendor and product, joined. */
export async function detectVirtualization(
  procRoot: string,
  firmware: string,
  detect: (flag: string) => Promise<string | null> = runDetectVirt,
): Promise<Virtualization> {
  const [vm, container, cpuinfo] = await Promise.all([
    detect('--vm'),
    detect('--container'),
    readFile(join(procRoot, 'cpuinfo'), 'utf8').catch(() => ''),
  ]);
  const flagged = /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo);
  const named = firmwareHypervisors.find(([pattern]) => pattern.test(firmware))?.[1] ?? '';
  const hypervisor = vm && vm !== 'none' ? vm : named;

  let isVirtual: boolean | null = null;
  if (hypervisor || flagged) isVirtual = true;
  // Only a definite answer means bare metal: a missing tool and flag-less /proc say nothing.
  else if (vm === 'none' || (cpuinfo && firmware)) isVirtual = false;
  return {
    isVirtual,
    hypervisor,
    container: container && container !== 'none' ? container : '',
  };
}

// systemd-detect-virt exits 1 with "none" on bare metal, so stdout is read whatever the code.
function runDetectVirt(flag: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('systemd-detect-virt', [flag], { timeout: detectTimeoutMillis }, (error, stdout) => {
      const answer = String(stdout ?? '').trim();
      const missing = (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
      resolve(missing || !answer ? null : answer);
    });
  });
}
