// Users and organizations as the API returns them. User lives in api/types (the boot data
// carries one); it is re-exported here for the features.
export type { User } from '../../api/types';

/** An organization as /orgs and /user/orgs return it (Gitea's Organization shape). */
export interface Org {
  id: number;
  name: string;
  username: string;
  full_name: string;
  description: string;
  website: string;
  visibility: 'public' | 'limited' | 'private';
}
