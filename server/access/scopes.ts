// Personal access token scopes, named as Gitea names them. `write:x` implies `read:x`; `all`
// implies everything the user may do.

export const SCOPE_CATEGORIES = ['activitypub', 'admin', 'issue', 'misc', 'notification', 'organization', 'package', 'repository', 'user'] as const;
export type ScopeCategory = (typeof SCOPE_CATEGORIES)[number];
export type Scope = 'all' | `${'read' | 'write'}:${ScopeCategory}`;

export const ALL_SCOPES: readonly Scope[] = ['all', ...SCOPE_CATEGORIES.flatMap((c) => [`read:${c}`, `write:${c}`] as Scope[])];

export function isScope(value: string): value is Scope {
  return (ALL_SCOPES as readonly string[]).includes(value);
}

/** Parses "read:repository,write:user" (or an array); throws with the offending name. */
export function parseScopes(input: string | readonly string[]): Scope[] {
  const parts = (typeof input === 'string' ? input.split(',') : input).map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return ['all'];
  const out = new Set<Scope>();
  for (const p of parts) {
    if (!isScope(p)) throw new Error(`unknown scope "${p}"; valid scopes: ${ALL_SCOPES.join(', ')}`);
    out.add(p);
  }
  return out.has('all') ? ['all'] : [...out].sort();
}

/** Does this scope set allow the given access? `null` means unrestricted (password or session). */
export function scopeAllows(scopes: readonly Scope[] | null, mode: 'read' | 'write', category: ScopeCategory): boolean {
  if (scopes === null || scopes.includes('all')) return true;
  if (scopes.includes(`write:${category}`)) return true;
  return mode === 'read' && scopes.includes(`read:${category}`);
}
