// Paths of the editing pages: joining a folder and a name, checking a path a person typed
// before the server does (so the form says what is wrong as they type), and the commit
// message a change gets when none is written.

/** `a/b` + `c/d.txt` → `a/b/c/d.txt` (either side may be empty). */
export function joinPath(dir: string, name: string): string {
  const clean = name.replace(/^\/+/, '');
  return dir ? (clean ? `${dir}/${clean}` : dir) : clean;
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** What is wrong with a repository path, or null when it is fine. */
export function pathProblem(path: string): string | null {
  if (!path) return 'Enter a file name.';
  if (path.startsWith('/')) return 'The path must not start with "/".';
  if (path.endsWith('/')) return 'The name must not end with "/".';
  if (path.length > 4096) return 'The path is too long.';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'The path must not hold control characters.';
  if (path.includes('\\')) return 'The path must not hold "\\".';
  for (const seg of path.split('/')) {
    if (seg === '') return 'The path must not hold "//".';
    if (seg === '.' || seg === '..') return `The path must not hold "${seg}" as a folder.`;
    if (seg.toLowerCase() === '.git') return 'The path must not hold a ".git" folder.';
  }
  return null;
}

/** Gitea's default messages: "Add x", "Update x", "Delete x", "Move a to b", "Update N files". */
export function defaultMessage(ops: Array<{ operation: 'create' | 'update' | 'delete'; path: string; from_path?: string }>): string {
  if (ops.length === 1) {
    const op = ops[0]!;
    if (op.operation === 'create') return `Add ${op.path}`;
    if (op.operation === 'delete') return `Delete ${op.path}`;
    if (op.from_path && op.from_path !== op.path) return `Move ${op.from_path} to ${op.path}`;
    return `Update ${op.path}`;
  }
  if (ops.length > 1 && ops.every((o) => o.operation === 'create')) return `Add ${ops.length} files`;
  if (ops.length > 1 && ops.every((o) => o.operation === 'delete')) return `Delete ${ops.length} files`;
  return `Update ${ops.length} files`;
}
