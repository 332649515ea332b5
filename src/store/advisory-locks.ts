/**
 * Every PostgreSQL advisory lock the product takes, in one place so no two uses share a key
 * by accident. Transaction-scoped (`pg_advisory_xact_lock`): released at commit or rollback.
 */
export const advisoryLocks = {
  /** Hubs starting together apply each migration once. */
  migrations: 7_401_221,
  /** Collector activations take turns, so two at once cannot pass the collector limit. */
  collectorLimit: 7_401_222,
  /** Change log writers line up behind one head of the hash chain. */
  changeLogChain: 7_401_223,
  /** Role changes and removals take turns, so two at once cannot leave no administrator. */
  administrators: 7_401_224,
  /** Machine number claims take turns, so one fingerprint never gets two numbers. */
  machineNumberClaims: 7_401_404,
  /** Day partitions are created, filled from the DEFAULT partition and dropped one at a time. */
  partitionChanges: 7_401_501,
  /** Hubs claim scheduled job runs one at a time, so each run happens on one hub only. */
  scheduledJobs: 7_401_502,
  /** Roll-up builds take turns, so two hubs never build the same period at once. */
  rollups: 7_401_503,
} as const;
