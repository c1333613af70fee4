// The home feed of a signed-in user: a box to post in, then the posts and the activity of the
// people they follow (and their own) and of the repositories they watch, newest first, more as
// they scroll. New items announce themselves live in a pill at the top ("3 new"), never by
// pushing the list down under the reader; reaction counts change in place.
import { Link } from '@tanstack/react-router';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ReactionsBar, isReaction } from '../../components/Reactions';
import { ReportButton } from '../../components/ReportDialog';
import { Avatar, Button, EmptyState, ErrorState, FormError, Loading, Panel, RelativeTime } from '../../components/ui';
import { readAsDataUrl } from '../../lib/files';
import { RenderedHtml } from '../code/RenderedHtml';
import { useCurrentUser, useReadOnly } from '../session/api';
import { useCreatePost, useFeed, useFeedLive, useReact, useReplies, type FeedItem, type Post } from './api';
import s from './Feed.module.css';

const POST_MAX = 10_000;
const IMAGES_MAX = 4;
const IMAGE_MAX_BYTES = 8 * 1024 * 1024;

export function Feed() {
  const feed = useFeed(true);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const top = useRef<HTMLDivElement>(null);
  const shown = new Set(feed.data?.pages.flatMap((p) => p.map((i) => i.id)) ?? []);
  useFeedLive((id) => {
    if (!shown.has(id)) setFresh((f) => new Set(f).add(id));
  });
  const showFresh = () => {
    setFresh(new Set());
    void feed.refetch();
    top.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  };
  // more as the reader nears the end
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !feed.hasNextPage) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !feed.isFetchingNextPage) void feed.fetchNextPage();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [feed.hasNextPage, feed.isFetchingNextPage, feed.fetchNextPage]);

  const items = feed.data?.pages.flat() ?? [];
  return (
    <div className={s.feed} ref={top}>
      <Composer onPosted={() => setFresh(new Set())} />
      {fresh.size > 0 && (
        <button type="button" className={s.fresh} onClick={showFresh} data-testid="feed-new">
          ↑ {fresh.size} new {fresh.size === 1 ? 'item' : 'items'}
        </button>
      )}
      {feed.isPending ? (
        <Loading />
      ) : feed.isError ? (
        <ErrorState error={feed.error} retry={() => void feed.refetch()} />
      ) : items.length === 0 ? (
        <Panel>
          <EmptyState title="Nothing here yet">Follow people from their profiles and watch repositories: what they post and do shows up here.</EmptyState>
        </Panel>
      ) : (
        <ul className={s.items} data-testid="feed">
          {items.map((item) => (
            <li key={item.id} data-testid="feed-item" data-kind={item.kind} data-id={item.id}>
              {item.kind === 'post' && item.post ? <PostCard post={item.post} /> : <Activity item={item} />}
            </li>
          ))}
        </ul>
      )}
      <div ref={sentinel} />
      {feed.isFetchingNextPage && <Loading label="Loading more…" />}
      {feed.hasNextPage && !feed.isFetchingNextPage && (
        <Button onClick={() => void feed.fetchNextPage()} className={s.more}>
          Show more
        </Button>
      )}
    </div>
  );
}

function Composer({ onPosted, parent }: { onPosted?: () => void; parent?: Post }) {
  const [body, setBody] = useState('');
  const [pictures, setPictures] = useState<{ name: string; url: string }[]>([]);
  const [pickError, setPickError] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  const create = useCreatePost();
  const readOnly = useReadOnly();
  const onPick = async (files: FileList | null) => {
    setPickError(null);
    const list = [...(files ?? [])];
    if (picker.current) picker.current.value = '';
    if (pictures.length + list.length > IMAGES_MAX) return setPickError(`A post takes at most ${IMAGES_MAX} pictures.`);
    const tooBig = list.find((f) => f.size > IMAGE_MAX_BYTES);
    if (tooBig) return setPickError(`${tooBig.name} is larger than ${IMAGE_MAX_BYTES / 1024 / 1024} MiB.`);
    const read = await Promise.all(list.map(async (f) => ({ name: f.name, url: await readAsDataUrl(f) })));
    setPictures((p) => [...p, ...read].slice(0, IMAGES_MAX));
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      { body, ...(parent ? { parent_id: parent.id } : {}), ...(pictures.length ? { images: pictures.map((p) => p.url) } : {}) },
      {
        onSuccess: () => {
          setBody('');
          setPictures([]);
          onPosted?.();
        },
      },
    );
  };
  const label = parent ? 'Write a reply' : 'Share something with the people who follow you';
  return (
    <form className={parent ? s.replyForm : s.composer} onSubmit={onSubmit} aria-label={parent ? 'Reply' : 'New post'}>
      <textarea
        aria-label={label}
        placeholder={parent ? 'Reply…' : 'What are you working on? Markdown works; @mention people.'}
        rows={parent ? 2 : 3}
        maxLength={POST_MAX}
        value={body}
        onChange={(e) => setBody(e.target.value)}
        data-testid={parent ? 'reply-body' : 'post-body'}
      />
      {pictures.length > 0 && (
        <ul className={s.picked} aria-label="Pictures to post">
          {pictures.map((p, i) => (
            <li key={`${p.name}-${i}`}>
              <img src={p.url} alt={p.name} />
              <button type="button" aria-label={`Remove ${p.name}`} onClick={() => setPictures(pictures.filter((_, j) => j !== i))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className={s.composerActions}>
        <FormError error={create.error} />
        {pickError && (
          <span className={s.pickError} role="alert">
            {pickError}
          </span>
        )}
        <input
          ref={picker}
          type="file"
          accept="image/png,image/jpeg,image/webp,image/gif"
          multiple
          hidden
          onChange={(e) => void onPick(e.target.files)}
          data-testid={parent ? 'reply-pictures' : 'post-pictures'}
        />
        <Button small onClick={() => picker.current?.click()} disabled={readOnly || pictures.length >= IMAGES_MAX}>
          Add pictures
        </Button>
        <Button
          type="submit"
          variant="primary"
          small={!!parent}
          busy={create.isPending}
          disabled={(!body.trim() && pictures.length === 0) || readOnly}
          data-testid={parent ? 'reply-submit' : 'post-submit'}
        >
          {parent ? 'Reply' : 'Post'}
        </Button>
      </div>
    </form>
  );
}

function Byline({ user, at }: { user: Post['user']; at: string }) {
  return (
    <div className={s.byline}>
      {user ? (
        <Link to="/$owner" params={{ owner: user.login }} className={s.who}>
          <Avatar name={user.login} size={28} />
          <strong>{user.full_name || user.login}</strong>
          {user.full_name && <span className="muted">@{user.login}</span>}
        </Link>
      ) : (
        <span className="muted">someone</span>
      )}
      <span className="faint">
        · <RelativeTime iso={at} />
      </span>
    </div>
  );
}

function PostCard({ post, reply }: { post: Post; reply?: boolean }) {
  const me = useCurrentUser();
  const react = useReact();
  const readOnly = useReadOnly();
  const [open, setOpen] = useState(false);
  const replies = useReplies(post.id, open);
  return (
    <article className={reply ? s.reply : s.post} data-testid={reply ? 'reply' : 'post'} data-post={post.id} id={reply ? `reply-${post.id}` : undefined}>
      <Byline user={post.user} at={post.created_at} />
      <RenderedHtml html={post.body_html} className={s.body} testId="post-html" />
      {post.images.length > 0 && (
        <div className={s.images} data-count={post.images.length}>
          {post.images.map((img) => {
            const src = new URL(img.url, window.location.href).pathname;
            return (
              <a key={img.url} href={src} target="_blank" rel="noopener">
                <img src={src} width={img.width} height={img.height} loading="lazy" alt="" data-testid="post-image" />
              </a>
            );
          })}
        </div>
      )}
      <div className={s.postActions}>
        <ReactionsBar
          reactions={post.reactions.filter((r) => isReaction(r.content)).map((r) => ({ content: r.content, count: r.count, mine: r.reacted }))}
          canReact
          disabled={readOnly || react.isPending}
          onToggle={(content, on) => react.mutate({ post, content, on })}
        />
        {!reply && (
          <button type="button" className={s.repliesToggle} onClick={() => setOpen(!open)} aria-expanded={open} data-testid="replies-toggle">
            {post.replies_count === 0 ? 'Reply' : `${post.replies_count} ${post.replies_count === 1 ? 'reply' : 'replies'}`}
          </button>
        )}
        {me && post.user && post.user.login !== me.login && <ReportButton target={{ kind: 'post', id: post.id }} className={s.repliesToggle} />}
      </div>
      <FormError error={react.error} />
      {open && (
        <div className={s.replies}>
          {replies.isPending ? (
            <Loading />
          ) : replies.isError ? (
            <ErrorState error={replies.error} retry={() => void replies.refetch()} />
          ) : (
            replies.data.map((r) => <PostCard key={r.id} post={r} reply />)
          )}
          <Composer parent={post} />
        </div>
      )}
    </article>
  );
}

const short = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, '');

function Activity({ item }: { item: FeedItem }) {
  const repo = item.repo?.full_name ?? '';
  const [owner = '', name = ''] = repo.split('/');
  const n = item.payload.number;
  let what: React.ReactNode = null;
  if (item.kind === 'push') {
    const refs = item.payload.refs ?? [];
    const more = (item.payload.total ?? refs.length) - refs.length;
    what = (
      <>
        pushed to{' '}
        {refs.map((r, i) => (
          <span key={r.ref}>
            {i > 0 && ', '}
            <Link to="/$owner/$repo/commits/$" params={{ owner, repo: name, _splat: `${r.ref.startsWith('refs/tags/') ? 'tag' : 'branch'}/${short(r.ref)}` }} className={s.ref}>
              {short(r.ref)}
            </Link>
          </span>
        ))}
        {more > 0 && ` and ${more} more`} in
      </>
    );
  } else if (n !== undefined) {
    const label = item.kind === 'issue' ? `opened issue #${n}` : item.kind === 'pull' ? `opened pull request #${n}` : `merged pull request #${n}`;
    what = (
      <>
        <Link to={item.kind === 'issue' ? '/$owner/$repo/issues/$number' : '/$owner/$repo/pulls/$number'} params={{ owner, repo: name, number: String(n) }}>
          {label}
        </Link>{' '}
        in
      </>
    );
  }
  return (
    <div className={s.activity} data-testid="activity">
      <Byline user={item.actor} at={item.created_at} />
      <p className={s.activityText}>
        {what}{' '}
        <Link to="/$owner/$repo" params={{ owner, repo: name }}>
          {repo}
        </Link>
        {item.payload.title && <span className={s.title}>: {item.payload.title}</span>}
      </p>
    </div>
  );
}
