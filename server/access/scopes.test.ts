import { describe, expect, it } from 'vitest';
import { parseScopes, scopeAllows } from './scopes.js';

describe('scopes', () => {
  it('parses Gitea scope names and collapses to all', () => {
    expect(parseScopes('write:repository, read:user')).toEqual(['read:user', 'write:repository']);
    expect(parseScopes('all,read:user')).toEqual(['all']);
    expect(parseScopes('')).toEqual(['all']);
  });
  it('rejects unknown scopes by name', () => {
    expect(() => parseScopes('read:repository,sudo')).toThrow(/unknown scope "sudo"/);
  });
  it('treats write as implying read', () => {
    expect(scopeAllows(['write:repository'], 'read', 'repository')).toBe(true);
    expect(scopeAllows(['read:repository'], 'write', 'repository')).toBe(false);
    expect(scopeAllows(null, 'write', 'admin')).toBe(true);
  });
});
