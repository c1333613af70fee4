// Placeholder: star / watch / fork with counts come with the repository home page work.
import type { Repo } from '../repos/types';

export function RepoHeaderActions(_props: { repo: Repo }) {
  return null;
}
