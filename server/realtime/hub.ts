// What features hold to reach browsers: live events to a user, a repository's watchers or the
// administrators. The hub exists in every service graph (the CLI's too, where nothing is
// connected and events go nowhere); the serving app attaches the socket.io server to it.
import type { RepoFacts } from '../access/index.js';
import type { CredentialsRevoked } from '../users/index.js';
import type { Realtime, RealtimeEvents } from './realtime.js';

export class RealtimeHub {
  private rt: Realtime | null = null;

  attach(rt: Realtime | null): void {
    this.rt = rt;
  }

  get attached(): Realtime | null {
    return this.rt;
  }

  toUser<K extends keyof RealtimeEvents>(userId: number, event: K, payload: RealtimeEvents[K]): void {
    this.rt?.toUser(userId, event, payload);
  }

  toAdmins<K extends keyof RealtimeEvents>(event: K, payload: RealtimeEvents[K]): void {
    this.rt?.toAdmins(event, payload);
  }

  async toRepo<K extends keyof RealtimeEvents>(repo: RepoFacts, event: K, payload: RealtimeEvents[K]): Promise<void> {
    await this.rt?.toRepo(repo, event, payload);
  }

  revoke(r: CredentialsRevoked): void {
    this.rt?.revoke(r);
  }

  async recheckRepo(repoId: number): Promise<void> {
    await this.rt?.recheckRepo(repoId);
  }
}
