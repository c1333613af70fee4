// Migration 0027_posts: posts (a reply names its post: one level deep), reactions on them, and
// the feed: one row per thing a home feed can show (a post, a push, an issue or pull request
// opened, a merge), with who did it and in which repository, in the order it happened.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'posts')
        .addColumn('author_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('parent_id', 'integer', (c) => c.references('posts.id').onDelete('cascade'))
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('num_replies', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('posts_parent').on('posts').columns(['parent_id', 'id']).execute();
      await db.schema.createIndex('posts_author').on('posts').columns(['author_id', 'id']).execute();
      await db.schema
        .createTable('post_reactions')
        .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('content', 'varchar(16)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('post_reactions_pk', ['post_id', 'user_id', 'content'])
        .execute();
      await id(db, 'feed_items')
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('repo_id', 'integer', (c) => c.references('repositories.id').onDelete('cascade'))
        .addColumn('post_id', 'integer', (c) => c.references('posts.id').onDelete('cascade'))
        // an issue or pull request item's number: the feed asks the issue, when it is shown,
        // whether it has become confidential since
        .addColumn('issue_index', 'integer')
        // the event a subscriber made it from: a redelivery finds it there and adds nothing
        .addColumn('event_id', 'integer', (c) => c.unique())
        .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('feed_items_actor').on('feed_items').columns(['actor_id', 'id']).execute();
      await db.schema.createIndex('feed_items_repo').on('feed_items').columns(['repo_id', 'id']).execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['feed_items', 'post_reactions', 'posts']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
