// How often one person may post, reply, react and send messages: a fixed window per person and
// kind, counted in express-rate-limit's store (the same stores the API's limiters use, so a
// shared store can take over when several instances serve one forge). Going past it is a 429
// that says how long to wait; nothing is written.
import { MemoryStore, type Store } from 'express-rate-limit';
import { TooManyRequests } from '../lib/errors.js';

export type SocialAction = 'post' | 'reply' | 'reaction' | 'message';

/** Per person per minute. */
export const SOCIAL_RATES: Record<SocialAction, { limit: number; what: string }> = {
  post: { limit: 10, what: 'posts' },
  reply: { limit: 30, what: 'replies' },
  reaction: { limit: 60, what: 'reactions' },
  message: { limit: 60, what: 'messages' },
};
const WINDOW_MS = 60_000;

export class SocialRates {
  private readonly stores = new Map<SocialAction, Store>();

  /** `make(action)`: a store per kind (the forge's shared one when scaled out). */
  constructor(make: (action: SocialAction) => Store = () => new MemoryStore()) {
    for (const action of Object.keys(SOCIAL_RATES) as SocialAction[]) {
      const store = make(action);
      store.init?.({ windowMs: WINDOW_MS } as Parameters<NonNullable<Store['init']>>[0]);
      this.stores.set(action, store);
    }
  }

  /** Counts one `action` of `userId`; a 429 when that is one too many this minute. */
  async take(userId: number, action: SocialAction): Promise<void> {
    const { limit, what } = SOCIAL_RATES[action];
    const { totalHits, resetTime } = await this.stores.get(action)!.increment(`user:${userId}`);
    if (totalHits > limit) {
      const wait = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 60;
      throw TooManyRequests(`too many ${what}: at most ${limit} a minute; try again in ${wait} s`);
    }
  }

  shutdown(): void {
    for (const s of this.stores.values()) void s.shutdown?.();
  }
}
