// Direct messages (our own shapes; Gitea has none). Only between mutual followers; a thread is
// visible to its members alone (anyone else gets 404).
//   GET  /messages/threads                          your threads, latest conversation first
//   POST /messages/threads {participants, title?}   201 a new thread; 200 the pair's existing one
//   GET  /messages/threads/{id}                     a thread, its members and their read positions
//   GET  /messages/threads/{id}/messages            oldest first; ?before=<id>&limit= for earlier
//   POST /messages/threads/{id}/messages {body}     201 the message (live to every member: `message`)
//   POST /messages/threads/{id}/read {message_id?}  how far you have read (default: all of it)
//   POST /messages/threads/{id}/typing              tells the others you are typing (`message.typing`)
//   GET  /messages/unread                           {count}
//   GET  /messages/search?q=                        messages in your own threads holding q
//   GET|PATCH /messages/settings {read_receipts}    whether the others see how far you have read
import type { Request } from 'express';
import { z } from 'zod';
import type { UserRow } from '../db/schema.js';
import { requireUser, userJson, type ApiRouter } from '../http/index.js';
import { NotFound } from '../lib/errors.js';
import type { Services } from '../services.js';
import { GROUP_MAX, MESSAGE_MAX, type MessageService, type ThreadView } from './messages.js';

const newThread = z.strictObject({
  participants: z
    .array(z.string().max(100))
    .min(1)
    .max(GROUP_MAX * 2),
  title: z.string().max(1000).optional(),
});
const newMessage = z.strictObject({ body: z.string().max(MESSAGE_MAX * 4) });
const readBody = z.strictObject({ message_id: z.number().int().positive().optional() });
const pageQuery = z.object({ before: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(100).default(50) });
const searchQuery = z.object({ q: z.string().max(200) });
const settingsBody = z.strictObject({ read_receipts: z.boolean() });

const idOf = (v: string | undefined) => {
  const n = Number(v);
  if (!/^\d{1,15}$/.test(v ?? '') || n < 1) throw NotFound('message thread not found');
  return n;
};

export function registerMessageRoutes(api: ApiRouter, s: Services, messages: MessageService): void {
  const threadJson = async (req: Request, me: UserRow, v: ThreadView) => ({
    id: v.thread.id,
    kind: v.thread.kind,
    title: v.thread.title,
    members: v.members.map((u) => userJson(s, req, u)),
    last_message: v.lastMessage ? await messages.messageJson(v.lastMessage) : null,
    unread: v.unread,
    updated_at: new Date(v.thread.updated_at).toISOString(),
    html_url: `/messages/${v.thread.id}`,
  });

  api.route(
    { method: 'get', path: '/messages/threads', tag: 'user', summary: 'Gitssy: your message threads, the latest conversation first', auth: 'user', responses: { 200: 'threads' } },
    async ({ req }) => {
      const me = requireUser(req);
      return { body: await Promise.all((await messages.threads(me)).map((v) => threadJson(req, me, v))) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/messages/threads',
      tag: 'user',
      summary: 'Gitssy: a thread with one mutual follower (made once per pair) or a group of them',
      auth: 'user',
      body: newThread,
      responses: {
        200: 'the existing thread with that person',
        201: 'a new thread',
        403: 'someone named is not a mutual follower, or a block stands between you',
        404: 'no such user',
        422: 'nobody named',
      },
    },
    async ({ req, body }) => {
      const me = requireUser(req);
      const { thread, created } = await messages.open(me, body.participants, body.title ?? '');
      return { status: created ? 201 : 200, body: await threadJson(req, me, { thread, members: await messages.members(thread.id), lastMessage: null, unread: 0 }) };
    },
  );
  api.route(
    {
      method: 'get',
      path: '/messages/threads/:id',
      tag: 'user',
      summary: 'Gitssy: a thread with its members and how far each has read',
      auth: 'user',
      responses: { 200: 'the thread', 404: 'no such thread of yours' },
    },
    async ({ req, params }) => {
      const me = requireUser(req);
      const view = await messages.view(me, idOf(params.id));
      return { body: { ...(await threadJson(req, me, view)), read: await messages.readPositions(view.thread) } };
    },
  );
  api.route(
    {
      method: 'get',
      path: '/messages/threads/:id/messages',
      tag: 'user',
      summary: "Gitssy: a thread's messages, oldest first (the newest page; ?before=<id> for earlier ones)",
      auth: 'user',
      query: pageQuery,
      responses: { 200: 'messages', 404: 'no such thread of yours' },
    },
    async ({ req, params, query }) => {
      const me = requireUser(req);
      const thread = await messages.thread(me, idOf(params.id));
      const rows = await messages.messages(thread.id, { before: query.before, limit: query.limit });
      return { body: await Promise.all(rows.map((m) => messages.messageJson(m))) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/messages/threads/:id/messages',
      tag: 'user',
      summary: 'Gitssy: write a message (markdown); every member gets it live',
      auth: 'user',
      body: newMessage,
      responses: { 201: 'the message', 403: 'no longer mutual followers, or a block', 404: 'no such thread of yours', 422: 'empty or too long' },
    },
    async ({ req, params, body }) => {
      const me = requireUser(req);
      const thread = await messages.thread(me, idOf(params.id));
      const m = await messages.send(me, thread, body.body);
      return { status: 201, body: await messages.messageJson(m, me) };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/messages/threads/:id/read',
      tag: 'user',
      summary: 'Gitssy: mark a thread read (up to message_id)',
      auth: 'user',
      body: readBody,
      responses: { 200: '{last_read_id}', 404: 'no such thread of yours' },
    },
    async ({ req, params, body }) => {
      const me = requireUser(req);
      const thread = await messages.thread(me, idOf(params.id));
      return { body: { last_read_id: await messages.markRead(me, thread, body.message_id) } };
    },
  );
  api.route(
    {
      method: 'post',
      path: '/messages/threads/:id/typing',
      tag: 'user',
      summary: "Gitssy: tell the thread's other members you are typing",
      auth: 'user',
      responses: { 204: 'told', 404: 'no such thread of yours' },
    },
    async ({ req, params }) => {
      await messages.typing(requireUser(req), idOf(params.id));
    },
  );
  api.route({ method: 'get', path: '/messages/unread', tag: 'user', summary: "Gitssy: how many messages you haven't read", auth: 'user', responses: { 200: '{count}' } }, async ({ req }) => ({
    body: { count: await messages.unreadCount(requireUser(req).id) },
  }));
  api.route(
    {
      method: 'get',
      path: '/messages/search',
      tag: 'user',
      summary: 'Gitssy: messages in your own threads that hold q, newest first',
      auth: 'user',
      query: searchQuery,
      responses: { 200: 'messages', 422: 'q too short' },
    },
    async ({ req, query }) => {
      const rows = await messages.search(requireUser(req), query.q);
      return { body: await Promise.all(rows.map((m) => messages.messageJson(m))) };
    },
  );
  api.route({ method: 'get', path: '/messages/settings', tag: 'user', summary: 'Gitssy: your messenger settings', auth: 'user', responses: { 200: '{read_receipts}' } }, async ({ req }) => ({
    body: { read_receipts: await messages.readReceipts(requireUser(req).id) },
  }));
  api.route(
    {
      method: 'patch',
      path: '/messages/settings',
      tag: 'user',
      summary: 'Gitssy: share how far you have read (read receipts), or not',
      auth: 'user',
      body: settingsBody,
      responses: { 200: '{read_receipts}' },
    },
    async ({ req, body }) => {
      const me = requireUser(req);
      await messages.setReadReceipts(me.id, body.read_receipts);
      return { body: { read_receipts: body.read_receipts } };
    },
  );
}
