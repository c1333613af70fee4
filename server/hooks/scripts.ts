// The server-owned git hook every repository points at (core.hooksPath): pre-receive, in bash, so
// a push pays a few milliseconds for it rather than a runtime's start-up. It only carries the
// ref updates to the server's internal endpoint: all policy lives in the server. There is no
// post-receive: the transport that ran receive-pack records the push when git exits (it reads
// git's report on the way to the client), which saves a second process and round trip per push.
import { constants } from 'node:fs';
import { access, chmod, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const HOOK_NAMES = ['pre-receive'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/**
 * bash's own path for the hook's first line, which saves starting `env` on every push; `env
 * bash` where no usable path is found, and on Windows, where Git for Windows resolves it.
 */
async function bashPath(): Promise<string | null> {
  if (process.platform === 'win32') return null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, 'bash');
    if (/\s/.test(candidate)) continue;
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function script(hook: HookName, bash: string | null): string {
  return `#!${bash ?? '/usr/bin/env bash'}
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
  echo "Gitssy: push refused: the server could not check it (internal endpoint unreachable). Try again in a moment." >&2
  exit 1
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
  exit 1
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
  const bash = await bashPath();
  for (const hook of HOOK_NAMES) {
    const file = path.join(dir, hook);
    const tmp = `${file}.tmp`;
    await writeFile(tmp, script(hook, bash), { mode: 0o755 });
    await chmod(tmp, 0o755);
    await rename(tmp, file);
  }
}
