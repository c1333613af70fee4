// The page editor: a title (a new title renames the page), the markdown with a preview rendered
// as the wiki renders pages, and an optional commit message. An edit sends the page's sha it
// started from, so when someone else saved the page meanwhile the server answers 409 and the
// draft stays here to be reapplied, instead of overwriting their change.
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import { Button, FormError, Notice, useTitle } from '../../components/ui';
import { RenderedHtml } from '../code/RenderedHtml';
import { useRepoContext } from '../repo/RepoLayout';
import type { Repo } from '../repos/types';
import { fromBase64, HOME, previewMarkdown, usePages, useSavePage } from './api';
import type { WikiPage } from './types';
import { WikiBar } from './WikiBar';
import s from './Wiki.module.css';

export function WikiNewPage() {
  const repo = useRepoContext();
  const pages = usePages(repo.owner.login, repo.name);
  useTitle(`New page · Wiki · ${repo.full_name}`);
  if (pages.isPending) return null;
  // the first page of a wiki is its Home
  return <WikiEditor repo={repo} page={null} initialTitle={pages.data?.length ? '' : HOME} />;
}

export function WikiEditor({ repo, page, initialTitle = '' }: { repo: Repo; page: WikiPage | null; initialTitle?: string }) {
  const owner = repo.owner.login;
  const navigate = useNavigate();
  const [title, setTitle] = useState(page?.title ?? initialTitle);
  const [content, setContent] = useState(page ? fromBase64(page.content_base64) : '');
  const [message, setMessage] = useState('');
  // the version this edit started from, kept when the page refetches (someone saved meanwhile):
  // sending the newer sha would overwrite their change instead of reporting it
  const [baseSha] = useState(page?.sha);
  const [tab, setTab] = useState<'write' | 'preview'>('write');
  const [preview, setPreview] = useState<{ text: string; html: string } | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const save = useSavePage(owner, repo.name, page ? page.name : null);
  const conflict = save.error instanceof ApiError && save.error.status === 409;

  const showPreview = () => {
    setTab('preview');
    if (preview?.text === content) return;
    setPreviewError(null);
    previewMarkdown(owner, repo.name, content).then(
      (html) => setPreview({ text: content, html: typeof html === 'string' ? html : '' }),
      (e: unknown) => setPreviewError(e instanceof Error ? e.message : String(e)),
    );
  };
  const cancel = () => {
    if (page) void navigate({ to: '/$owner/$repo/wiki/$page', params: { owner, repo: repo.name, page: page.name } });
    else void navigate({ to: '/$owner/$repo/wiki', params: { owner, repo: repo.name } });
  };
  const submit = () => {
    save.mutate({ title, content, message, sha: baseSha }, { onSuccess: (saved) => void navigate({ to: '/$owner/$repo/wiki/$page', params: { owner, repo: repo.name, page: saved.name } }) });
  };
  return (
    <>
      <WikiBar repo={repo} />
      <form
        className={s.editor}
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label>
          Title
          <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} autoFocus={!page} data-testid="wiki-edit-title" />
        </label>
        <div>
          <div className={s.tabs} role="tablist" aria-label="Page content">
            <button type="button" role="tab" aria-selected={tab === 'write'} onClick={() => setTab('write')}>
              Write
            </button>
            <button type="button" role="tab" aria-selected={tab === 'preview'} onClick={showPreview} data-testid="wiki-preview-tab">
              Preview
            </button>
          </div>
          {tab === 'write' ? (
            <textarea aria-label="Page content (markdown)" value={content} onChange={(e) => setContent(e.target.value)} autoFocus={!!page} data-testid="wiki-edit-content" />
          ) : (
            <div className={s.preview} data-testid="wiki-preview">
              {previewError ? (
                <span className="faint">Preview failed: {previewError}</span>
              ) : preview?.text === content ? (
                preview.html ? (
                  <RenderedHtml html={preview.html} />
                ) : (
                  <span className="faint">Nothing to preview.</span>
                )
              ) : (
                <span className="faint">Rendering…</span>
              )}
            </div>
          )}
        </div>
        <label>
          Commit message (optional)
          <input
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            maxLength={1000}
            placeholder={page ? `Update '${page.title}'` : `Add '${title || 'page'}'`}
            data-testid="wiki-edit-message"
          />
        </label>
        {conflict ? (
          <Notice kind="warn">
            <span data-testid="wiki-conflict">{(save.error as ApiError).message}</span> Your text is still here: copy it, reload the page, and apply your change again.
          </Notice>
        ) : (
          <FormError error={save.error} />
        )}
        <div className={s.actions}>
          <Button type="submit" variant="primary" busy={save.isPending} data-testid="wiki-save">
            {page ? 'Save page' : 'Create page'}
          </Button>
          <Button onClick={cancel}>Cancel</Button>
        </div>
      </form>
    </>
  );
}
