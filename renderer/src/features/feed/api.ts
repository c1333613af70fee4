// The home feed and posts: the feed in pages (newest first, each page after the last item you
// have), writing a post or a reply, reactions, and the live events that keep them current.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from '../../api/client';
import type { User } from '../../api/types';
import { REACTIONS, type ReactionContent } from '../../components/Reactions';
import { useSocketEvent } from '../../lib/realtime';

export interface PostReaction {
  content: ReactionContent;
  count: number;
  reacted: boolean;
}

export interface Post {
  id: number;
  user: User | null;
  body: string;
  body_html: string;
  parent_id: number | null;
  replies_count: number;
  reactions: PostReaction[];
  /** Its pictures, as the server re-encoded them. */
  images: { url: string; width: number; height: number }[];
  html_url: string;
  created_at: string;
  updated_at: string;
}

export type FeedKind = 'post' | 'push' | 'issue' | 'pull' | 'merge';

export interface FeedItem {
  id: number;
  kind: FeedKind;
  actor: User | null;
  repo: { full_name: string; html_url: string } | null;
  post: Post | null;
  payload: { refs?: { ref: string; before: string; after: string }[]; total?: number; number?: number; title?: string };
  created_at: string;
}

declare module '../../lib/realtime' {
  interface RealtimeEvents {
    /** Something new at the top of your feed. */
    'feed.item': { id: number };
    /** A post's reaction counts changed. */
    'post.reactions': { id: number; parent_id: number | null; reactions: { content: string; count: number }[] };
  }
}

export const FEED_PAGE = 20;
export const feedKey = ['feed'] as const;
const repliesKey = (id: number) => ['post', id, 'replies'] as const;

export function useFeed(enabled: boolean) {
  return useInfiniteQuery({
    queryKey: feedKey,
    queryFn: ({ pageParam }) => apiGet<FeedItem[]>('/feed', { before: pageParam, limit: FEED_PAGE }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => (last.length === FEED_PAGE ? last[last.length - 1]!.id : undefined),
    enabled,
  });
}

export function useReplies(postId: number, enabled: boolean) {
  return useQuery({ queryKey: repliesKey(postId), queryFn: () => apiGet<Post[]>(`/posts/${postId}/replies`), enabled });
}

export function useCreatePost() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { body: string; parent_id?: number; images?: string[] }) => apiSend<Post>('POST', '/posts', body),
    onSuccess: (post) => {
      if (post.parent_id !== null) {
        void qc.invalidateQueries({ queryKey: repliesKey(post.parent_id) });
        patchPosts(qc, post.parent_id, (p) => ({ ...p, replies_count: p.replies_count + 1 }));
      } else void qc.invalidateQueries({ queryKey: feedKey });
    },
  });
}

/** Applies `change` to post `id` wherever it is cached: in the feed's pages and in reply lists. */
function patchPosts(qc: QueryClient, id: number, change: (p: Post) => Post): void {
  qc.setQueryData<InfiniteData<FeedItem[]>>(feedKey, (data) =>
    data ? { ...data, pages: data.pages.map((page) => page.map((item) => (item.post?.id === id ? { ...item, post: change(item.post) } : item))) } : data,
  );
  for (const [key, list] of qc.getQueriesData<Post[]>({ queryKey: ['post'] })) {
    if (list?.some((p) => p.id === id))
      qc.setQueryData<Post[]>(
        key,
        list.map((p) => (p.id === id ? change(p) : p)),
      );
  }
}

export function useReact() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ post, content, on }: { post: Post; content: ReactionContent; on: boolean }) => apiSend(on ? 'POST' : 'DELETE', `/posts/${post.id}/reactions`, { content }),
    onSuccess: (_r, { post, content, on }) =>
      patchPosts(qc, post.id, (p) => {
        const others = p.reactions.filter((r) => r.content !== content);
        const old = p.reactions.find((r) => r.content === content);
        // the live event brings the exact counts; this keeps the button's own state
        const count = Math.max(0, (old?.count ?? 0) + (on === !!old?.reacted ? 0 : on ? 1 : -1));
        const next = count > 0 ? [...others, { content, count, reacted: on }] : others;
        return { ...p, reactions: next.sort((a, b) => REACTIONS.indexOf(a.content) - REACTIONS.indexOf(b.content)) };
      }),
  });
}

/**
 * Keeps the feed current: new items are counted (shown as a pill, never pushed in under the
 * reader), and reaction counts are applied where the post is shown.
 */
export function useFeedLive(onNew: (id: number) => void): void {
  const qc = useQueryClient();
  useSocketEvent('feed.item', ({ id }) => onNew(id));
  useSocketEvent('post.reactions', ({ id, reactions }) =>
    patchPosts(qc, id, (p) => ({
      ...p,
      reactions: reactions.map((r) => ({ content: r.content as ReactionContent, count: r.count, reacted: p.reactions.find((x) => x.content === r.content)?.reacted ?? false })),
    })),
  );
}
