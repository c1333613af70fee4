// Migration 0010_issues: issues and pull requests share one table and one number sequence per
// repository (as in Gitea): an issue row per pull request carries its title, body, state and
// conversation; the pulls feature adds what only a pull request has.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      // the last number handed out per repository; bumped in the transaction that creates the issue
      await db.schema
        .createTable('issue_index')
        .addColumn('repo_id', 'integer', (c) => c.primaryKey().references('repositories.id').onDelete('cascade'))
        .addColumn('max_index', 'integer', (c) => c.notNull())
        .execute();
      await id(db, 'issues')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('index', 'integer', (c) => c.notNull())
        .addColumn('poster_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('title', 'varchar(255)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('is_pull', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_closed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('num_comments', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('closed_at', 'bigint')
        .addUniqueConstraint('issues_repo_index', ['repo_id', 'index'])
        .execute();
      await db.schema.createIndex('issues_repo_state').on('issues').columns(['repo_id', 'is_pull', 'is_closed', 'updated_at']).execute();
      // the timeline: comments, and events as comments of other types (push, merge, close, ...)
      await id(db, 'issue_comments')
        .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addColumn('poster_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('type', 'varchar(32)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        // what a non-comment entry needs (JSON): commits of a push, the merge commit, ...
        .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('issue_comments_issue').on('issue_comments').columns(['issue_id', 'id']).execute();
      await db.schema
        .createTable('issue_assignees')
        .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('issue_assignees_pk', ['issue_id', 'user_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['issue_assignees', 'issue_comments', 'issues', 'issue_index']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
