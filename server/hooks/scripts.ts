// The server-owned git hooks every repository points at (core.hooksPath). They are bash, so a
// push pays a few milliseconds for them rather than a runtime's start-up, and they only carry
// the ref updates to the server's internal endpoint: all policy lives in the server.
import { chmod, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const HOOK_NAMES = ['pre-receive', 'post-receive'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

function script(hook: HookName): string {
  const unreachable =
    hook === 'pre-receive'
      ? `  echo "Gitssy: push refused: the server could not check it (internal endpoint unreachable). Try again in a moment." >&2\n  exit 1`
      : `  echo "Gitssy: the push landed, but the server could not record it now; it will on its next start." >&2\n  exit 0`;
  return `#!/usr/bin/env bash
# Gitssy ${hook} hook, written by the server at every start: local changes are overwritten.
# It passes the ref updates to the server's internal endpoint and prints the answer.
set -u
if [ -z "\${GITSSY_INTERNAL_PORT:-}" ] || [ -z "\${GITSSY_INTERNAL_SECRET:-}" ]; then
  echo "Gitssy: push refused: this repository accepts pushes only through the Gitssy server (HTTP or SSH)." >&2
  exit 1
fi
LC_ALL=C
# the ref updates: a push's few lines with bash's own read (no process started for them); past
# 16 KiB (bash reads a pipe a byte at a time) the rest through cat
IFS= read -r -d '' -N 16384 input || true
if [ "\${#input}" -ge 16384 ]; then
  rest=$(cat; printf x)
  input+=\${rest%x}
fi
if ! exec 3<>"/dev/tcp/127.0.0.1/\${GITSSY_INTERNAL_PORT}"; then
${unreachable}
fi
printf 'POST /hooks/${hook} HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\nX-Gitssy-Secret: %s\\r\\nX-Gitssy-Repo: %s\\r\\nX-Gitssy-Wiki: %s\\r\\nX-Gitssy-Pusher: %s\\r\\nX-Gitssy-Transport: %s\\r\\nX-Gitssy-Quarantine: %s\\r\\nX-Gitssy-Push: %s\\r\\nContent-Type: text/plain\\r\\nContent-Length: %d\\r\\n\\r\\n%s' \\
  "$GITSSY_INTERNAL_SECRET" "\${GITSSY_REPO_ID:-}" "\${GITSSY_WIKI:-}" "\${GITSSY_PUSHER_ID:-}" "\${GITSSY_TRANSPORT:-}" "\${GIT_QUARANTINE_PATH:-}" "\${GITSSY_PUSH_ID:-}" "\${#input}" "$input" >&3
status=000
IFS=' ' read -r _ status _ <&3
while IFS= read -r line <&3; do
  line=\${line%$'\\r'}
  [ -z "$line" ] && break
done
while IFS= read -r line <&3 || [ -n "$line" ]; do
  printf '%s\\n' "$line" >&2
done
exec 3<&-
if [ "$status" != 200 ]; then
${hook === 'pre-receive' ? '  exit 1' : '  exit 0'}
fi
exit 0
`;
}

/** Writes our hooks and removes anything else from the folder. */
export async function installHooks(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const entry of await readdir(dir)) {
    if (!(HOOK_NAMES as readonly string[]).includes(entry)) await rm(path.join(dir, entry), { recursive: true, force: true });
  }
  for (const hook of HOOK_NAMES) {
    const file = path.join(dir, hook);
    const tmp = `${file}.tmp`;
    await writeFile(tmp, script(hook), { mode: 0o755 });
    await chmod(tmp, 0o755);
    await rename(tmp, file);
  }
}
