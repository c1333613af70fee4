// Migration 0030_profile_media: what a profile and a post show besides text. An avatar is the
// re-encoded image (never the uploaded bytes); a profile's links and its pinned repositories (in
// the order their owner chose, gone with the repository); a post's images, re-encoded too.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ dialect }: MigrationContext): Migration {
  const bytes = dialect === 'postgres' ? 'bytea' : 'blob';
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('user_avatars')
        .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('image', bytes, (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('profile_links')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('url', 'varchar(500)', (c) => c.notNull())
        .addPrimaryKeyConstraint('profile_links_pk', ['user_id', 'position'])
        .execute();
      await db.schema
        .createTable('pinned_repos')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('pinned_repos_pk', ['user_id', 'repo_id'])
        .execute();
      await db.schema
        .createTable('post_images')
        .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('image', bytes, (c) => c.notNull())
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('post_images_pk', ['post_id', 'position'])
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['post_images', 'pinned_repos', 'profile_links', 'user_avatars']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
