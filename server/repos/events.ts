// Durable events the repositories feature produces (see server/events): the audit log,
// notifications and realtime rooms consume them from the outbox.
import type { CollaboratorRole } from './repos.js';

export interface RepoCreatedEvent {
  repoId: number;
  actorId: number | null;
  fullName: string;
  visibility: string;
  /** The repository this one was forked from. */
  forkOf: number | null;
  ip: string | null;
}

export interface RepoDeletedEvent {
  repoId: number;
  actorId: number | null;
  fullName: string;
  ip: string | null;
}

/** A collaborator was added, had their role changed, or was removed (`role: null`). */
export interface RepoCollaboratorEvent {
  repoId: number;
  actorId: number | null;
  userId: number;
  role: CollaboratorRole | null;
  /** The role before: null when this made them a collaborator. */
  previous: CollaboratorRole | null;
  ip: string | null;
}

/** Who may read the repository may have changed (visibility, rename, transfer). */
export interface RepoAccessChangedEvent {
  repoId: number;
}

declare module '../events/index.js' {
  interface EventMap {
    'repo.created': RepoCreatedEvent;
    'repo.deleted': RepoDeletedEvent;
    'repo.collaborator': RepoCollaboratorEvent;
    'repo.access': RepoAccessChangedEvent;
  }
}
