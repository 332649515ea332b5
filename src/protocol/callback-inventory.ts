/**
 * What the machine is built of and what is installed on it, beside the sample. Both are
 * optional so that callbacks from agents that do not report them stay valid. The package list
 * is large and changes rarely, so an agent sends it only when its hash differs from the last
 * one it sent; the hash itself travels in every callback that carries software facts.
 */

/** Most installed packages one callback may carry; a desktop has a few thousand,
 * and 20,000 stays well inside the hub's message limit. */
export const maxPackagesPerCallback = 20_000;
/** Most PCI adapters of one kind one callback may carry. */
const maxAdapters = 64;

/** A PCI adapter: a graphics adapter or a network card. */
export interface PciAdapter {
  /** PCI address, `0000:00:02.0`. */
  slot: string;
  /** Four hex digits each, as `lspci -n` prints them. */
  vendorId: string;
  deviceId: string;
  /** The kernel driver bound to it; empty when none is. */
  driver: string;
}

/** The machine's make, age and adapters, and whether it runs under a hypervisor. */
export interface HardwareInfo {
  manufacturer: string;
  model: string;
  /** Needs root on Linux; empty when unreadable. */
  serial: string;
  /** Firmware (BIOS) release date, YYYY-MM-DD; null when the firmware does not say. */
  biosDate: string | null;
  /** Whole days from the BIOS date to the sample: the usual stand-in for a machine's age. */
  biosAgeDays: number | null;
  /** true on a virtual machine, false on bare metal, null when it cannot be told. */
  isVirtual: boolean | null;
  /** `kvm`, `vmware`, `microsoft`, `xen`, ...; empty on bare metal or when unknown. */
  hypervisor: string;
  /** `docker`, `lxc`, `podman`, ... when the agent runs inside a container. */
  container: string;
  graphics: PciAdapter[];
  networkCards: PciAdapter[];
}

/** One installed package. */
export interface InstalledPackage {
  name: string;
  version: string;
  architecture: string;
  /** When it was last installed or upgraded; null when the package database does not say. */
  installedAt: string | null; // ISO 8601
}

/** The operating system's patch level and, when it changed, every installed package. */
export interface SoftwareInventory {
  /** `dpkg`, `rpm`, or empty when no package database was found. */
  source: string;
  /** Patch level finer than the OS release: Debian's point release, the kernel build. */
  patchLevel: string;
  packageCount: number;
  /** SHA-256 (hex) over the sorted package list; equal hashes mean equal lists. */
  packagesHash: string;
  /** Present only when `packagesHash` differs from the last one this agent sent. */
  packages?: InstalledPackage[];
}

/** The optional inventory a callback may carry. */
export interface CallbackInventory {
  hardware?: HardwareInfo;
  software?: SoftwareInventory;
}

const shortText = { type: 'string', maxLength: 256 };
const hex = { type: 'string', maxLength: 16 };
const adapters = {
  type: 'array',
  maxItems: maxAdapters,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['slot', 'vendorId', 'deviceId', 'driver'],
    properties: { slot: shortText, vendorId: hex, deviceId: hex, driver: shortText },
  },
};

/** JSON schema properties for `CallbackInventory`, merged into the callback's schema. */
export const callbackInventoryProperties = {
  hardware: {
    type: 'object',
    additionalProperties: false,
    required: [
      'manufacturer',
      'model',
      'serial',
      'biosDate',
      'biosAgeDays',
      'isVirtual',
      'hypervisor',
      'container',
      'graphics',
      'networkCards',
    ],
    properties: {
      manufacturer: shortText,
      model: shortText,
      serial: shortText,
      biosDate: { anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }] },
      biosAgeDays: { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] },
      isVirtual: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
      hypervisor: shortText,
      container: shortText,
      graphics: adapters,
      networkCards: adapters,
    },
  },
  software: {
    type: 'object',
    additionalProperties: false,
    required: ['source', 'patchLevel', 'packageCount', 'packagesHash'],
    properties: {
      source: { type: 'string', maxLength: 16 },
      patchLevel: shortText,
      packageCount: { type: 'integer', minimum: 0 },
      packagesHash: { type: 'string', maxLength: 64 },
      packages: {
        type: 'array',
        maxItems: maxPackagesPerCallback,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'version', 'architecture', 'installedAt'],
          properties: {
            name: shortText,
            version: shortText,
            architecture: { type: 'string', maxLength: 32 },
            installedAt: { anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
          },
        },
      },
    },
  },
} as const;
