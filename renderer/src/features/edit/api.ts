// Web editing: one commit of many file operations (Gitea's POST …/contents), its diff before
// it is written (POST …/edits/preview) and the size limits an upload is checked against. The
// commit goes through XMLHttpRequest so an upload can show how much of its body has been sent.
import { useQuery } from '@tanstack/react-query';
import { ApiError, apiGet, apiSend, apiUrl, encodePath } from '../../api/client';
import { getCsrfToken, setCsrfToken } from '../../app/boot';
import type { ChangedFile } from '../pulls/types';
import { repoPath } from '../repos/api';

/** One operation of a commit (Gitea's ChangeFileOperation, with Gitssy's folder and move extensions). */
export interface FileOperation {
  operation: 'create' | 'update' | 'delete';
  path: string;
  /** base64; absent for a delete, and for a move that keeps the bytes */
  content?: string;
  /** the blob (or, for a folder, the tree) being replaced, moved or deleted */
  sha?: string;
  from_path?: string;
}

export interface CommitTarget {
  branch: string;
  new_branch?: string;
  /** The tip of `branch` the editor opened at: a branch that moved since makes the commit fail with 409. */
  last_commit_id?: string;
}

export interface ChangeBody extends CommitTarget {
  files: FileOperation[];
  message?: string;
}

export interface FileCommitResponse {
  sha: string;
  url: string;
  html_url: string;
  message: string;
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
  parents: { sha: string; url: string }[];
  tree: { sha: string; url: string };
}

export interface ChangeResult {
  files: unknown[];
  commit: FileCommitResponse;
}

export interface Preview {
  branch: string;
  base_commit: string | null;
  files: ChangedFile[];
  additions: number;
  deletions: number;
  truncated: boolean;
}

export interface EditLimits {
  /** 0: no cap */
  max_push_bytes: number;
  max_file_bytes: number;
  /** what one commit may add in all (the push cap, or what a JSON body carries) */
  max_total_bytes?: number;
  max_files: number;
}

/** The diff the change would make; nothing is written. */
export function previewChange(owner: string, repo: string, body: ChangeBody): Promise<Preview> {
  return apiSend<Preview>('POST', `${repoPath(owner, repo)}/edits/preview`, body);
}

export function getEditLimits(owner: string, repo: string): Promise<EditLimits> {
  return apiGet<EditLimits>(`${repoPath(owner, repo)}/edits/limits`);
}

export function useEditLimits(owner: string, repo: string) {
  return useQuery({ queryKey: ['edit-limits', owner.toLowerCase(), repo.toLowerCase()], queryFn: () => getEditLimits(owner, repo), staleTime: 5 * 60_000 });
}

export interface BranchState {
  name: string;
  commit: { id: string };
  protected: boolean;
  user_can_push: boolean;
}

/** A branch's tip now, and whether the viewer may commit to it directly. */
export function getBranchState(owner: string, repo: string, branch: string): Promise<BranchState> {
  return apiGet<BranchState>(`${repoPath(owner, repo)}/branches/${encodePath(branch)}`);
}

export function useBranchState(owner: string, repo: string, branch: string, enabled: boolean) {
  return useQuery({ queryKey: ['edit-branch', owner.toLowerCase(), repo.toLowerCase(), branch], queryFn: () => getBranchState(owner, repo, branch), enabled, retry: false });
}

/** Progress of a request body on its way up: bytes sent of the total. */
export type OnProgress = (sent: number, total: number) => void;

/**
 * Writes the change as one commit. Like apiSend (the CSRF token, one retry with a fresh token
 * when the session changed, errors as ApiError with the server's message), but reporting upload
 * progress and cancellable.
 */
export async function commitChange(owner: string, repo: string, body: ChangeBody, opts: { onProgress?: OnProgress; signal?: AbortSignal } = {}): Promise<ChangeResult> {
  const json = JSON.stringify(body);
  for (let attempt = 0; ; attempt++) {
    const token = await getCsrfToken();
    const res = await xhrPost(apiUrl(`${repoPath(owner, repo)}/contents`), json, token, opts);
    if (res.status >= 200 && res.status < 300) return JSON.parse(res.text) as ChangeResult;
    const err = failure(res.status, res.text);
    if (attempt === 0 && res.status === 403 && err.code === 'csrf') {
      setCsrfToken(null);
      continue;
    }
    throw err;
  }
}

function failure(status: number, text: string): ApiError {
  let message = `${status} ${status === 0 ? 'the connection failed' : 'error'}`;
  let code: string | undefined;
  try {
    const b = JSON.parse(text) as { message?: string; code?: string };
    if (b.message) message = b.message;
    code = b.code;
  } catch {
    // not JSON: keep the status
  }
  if (status === 503 && !code) code = 'maintenance';
  return new ApiError(status, message, code);
}

function xhrPost(url: string, body: string, token: string | null, opts: { onProgress?: OnProgress; signal?: AbortSignal }): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', 'application/json');
    xhr.setRequestHeader('Accept', 'application/json');
    if (token) xhr.setRequestHeader('X-CSRF-Token', token);
    if (opts.onProgress) {
      const report = opts.onProgress;
      xhr.upload.onprogress = (e) => report(e.loaded, e.lengthComputable ? e.total : body.length);
      xhr.upload.onload = () => report(body.length, body.length);
    }
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => reject(new ApiError(0, 'The upload failed: the connection to the server broke.'));
    xhr.onabort = () => reject(new DOMException('cancelled', 'AbortError'));
    if (opts.signal) {
      if (opts.signal.aborted) return reject(new DOMException('cancelled', 'AbortError'));
      opts.signal.addEventListener('abort', () => xhr.abort(), { once: true });
    }
    xhr.send(body);
  });
}

// ---- content encoding ---------------------------------------------------------------------

/** Bytes as base64, in slices (String.fromCharCode takes only so many arguments). */
export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function textToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

export async function fileToBase64(file: Blob): Promise<string> {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()));
}

/** How many bytes a string is in UTF-8. */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
