import type { ChannelClient } from '../../protocol/channel-client.js';
import type { Logger } from '../../shared/logger.js';
import type { AccountNamer } from '../account-names.js';

/**
 * User numbers by socket owner uid, for the packet path: a look-up never waits. A uid seen for
 * the first time is tagged with user number 0 (unknown) while its account name is resolved
 * and its number asked of the hub; its later connections carry the number.
 */
export class UserNumberCache {
  private readonly numbers = new Map<number, number>();
  private readonly pending = new Set<number>();

  constructor(
    private readonly namer: AccountNamer,
    private readonly hub: ChannelClient,
    private readonly log: Logger,
  ) {}

  numberOf(uid: number): number {
    const number = this.numbers.get(uid);
    if (number !== undefined) return number;
    if (!this.pending.has(uid)) {
      this.pending.add(uid);
      void this.resolve(uid).finally(() => this.pending.delete(uid));
    }
    return 0;
  }

  /** Resolves uids ahead of their first connection (the users logged on at start). */
  async prefetch(uids: readonly number[]): Promise<void> {
    await Promise.all(uids.map((uid) => this.resolve(uid)));
  }

  private async resolve(uid: number): Promise<void> {
    try {
      const account = await this.namer.byUid(uid);
      const answer = await this.hub.request('/api/v1/agent/connector-id/users', {
        accounts: [account],
      });
      if (answer.kind !== 'reply') {
        this.log.warn({ uid, code: answer.code }, 'the hub gave no user number');
        return;
      }
      const users = (answer.body as { users: { account: string; number: number }[] }).users;
      const found = users.find((user) => user.account === account);
      if (found) this.numbers.set(uid, found.number);
    } catch (error) {
      // Retried at the uid's next connection; meanwhile its tags carry user number 0.
      this.log.warn({ uid, err: error }, 'user number look-up failed');
    }
  }
}
