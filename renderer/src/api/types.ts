// Shapes the API returns that many parts of the UI share (and the boot data carries). Nothing
// here imports anything, so the base modules (api/client, app/boot) can use it without
// reaching into a feature.

/** A user or organization as the API returns it (Gitea's User shape). */
export interface User {
  id: number;
  login: string;
  username: string;
  full_name: string;
  email: string;
  avatar_url: string;
  html_url: string;
  is_admin: boolean;
  created: string;
  last_login: string | null;
  active: boolean;
  prohibit_login: boolean;
  /** Gitea's field: an administrator set the password and the user must choose a new one (the user and admins see it) */
  must_change_password?: boolean;
  website: string;
  description: string;
  location?: string;
  /** Gitssy: shown on the profile */
  pronouns?: string;
  followers_count?: number;
  following_count?: number;
  visibility: 'public' | 'limited' | 'private';
  /** Gitssy (GitHub's field): a user or an organization */
  type?: 'User' | 'Organization';
}
