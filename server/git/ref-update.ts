// The vocabulary of ref changes, shared by pushes, web writes and everything downstream.

/** The object id git uses for "no such ref" on either side of an update. */
export const ZERO_SHA = '0'.repeat(40);

export interface RefUpdate {
  ref: string;
  oldSha: string;
  newSha: string;
}
