// HTML the server's sanitizer produced (server/markup): a README or markdown file. Nothing else
// goes through innerHTML. Clicks on links to our own pages navigate with the router instead of
// reloading the app; links to the API (raw files, media) and other sites behave as links do.
import { useRouter } from '@tanstack/react-router';
import type { MouseEvent } from 'react';
import { cx } from '../../components/ui';
import m from './Markup.module.css';

export function RenderedHtml({ html, className, testId }: { html: string; className?: string; testId?: string }) {
  const router = useRouter();
  const onClick = (e: MouseEvent<HTMLDivElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element).closest?.('a');
    if (!a || !e.currentTarget.contains(a)) return;
    if ((a.target && a.target !== '_self') || a.hasAttribute('download') || !a.getAttribute('href')) return;
    let url: URL;
    try {
      url = new URL(a.href, window.location.href);
    } catch {
      return;
    }
    if (url.origin !== window.location.origin) return;
    // server resources, not pages of the app
    if (/^\/(api|avatars|assets|fonts)\//.test(url.pathname) || /\.git(\/|$)/.test(url.pathname)) return;
    // an anchor on this page: the browser scrolls to it
    if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) return;
    e.preventDefault();
    void router.navigate({ href: url.pathname + url.search + url.hash });
  };
  return <div className={cx(m.markdown, className)} onClick={onClick} data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
