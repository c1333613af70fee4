// A repository as the API returns it (Gitea's Repository shape).
import type { User } from '../users/types';

export interface Permissions {
  admin: boolean;
  push: boolean;
  pull: boolean;
}

export interface Repo {
  id: number;
  owner: User;
  name: string;
  full_name: string;
  description: string;
  empty: boolean;
  private: boolean;
  internal: boolean;
  fork: boolean;
  parent: Repo | null;
  size: number;
  html_url: string;
  ssh_url: string;
  clone_url: string;
  website: string;
  stars_count: number;
  forks_count: number;
  watchers_count: number;
  default_branch: string;
  created_at: string;
  updated_at: string;
  permissions: Permissions;
  visibility: 'public' | 'internal' | 'private';
}
