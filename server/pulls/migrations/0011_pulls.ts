// Migration 0011_pulls: what a pull request adds to its issue row (head and base, mergeability,
// the merge), its reviews and review requests, line comments, and per-user "viewed" files.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'pull_requests')
        .addColumn('issue_id', 'integer', (c) => c.notNull().unique().references('issues.id').onDelete('cascade'))
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('index', 'integer', (c) => c.notNull())
        // null once the head's repository is deleted (the PR keeps refs/pull/<n>/head)
        .addColumn('head_repo_id', 'integer', (c) => c.references('repositories.id').onDelete('set null'))
        .addColumn('head_branch', 'varchar(255)', (c) => c.notNull())
        .addColumn('head_sha', 'varchar(64)', (c) => c.notNull())
        .addColumn('base_branch', 'varchar(255)', (c) => c.notNull())
        .addColumn('merge_base', 'varchar(64)', (c) => c.notNull())
        // checking | mergeable | conflict | empty | unsupported | error
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('status_message', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('conflicted_files', 'text', (c) => c.notNull().defaultTo('[]'))
        // the base and head tips the status was computed for
        .addColumn('checked_base_sha', 'varchar(64)')
        .addColumn('checked_head_sha', 'varchar(64)')
        .addColumn('is_draft', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('has_merged', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('merged_at', 'bigint')
        .addColumn('merged_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('merge_commit_sha', 'varchar(64)')
        .addColumn('merge_style', 'varchar(32)')
        // a merge computed and about to move the base: if the server dies after the ref moved,
        // the next push event of the base finds this sha there and completes the merge
        .addColumn('pending_merge', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('pull_requests_repo_index', ['repo_id', 'index'])
        .execute();
      await db.schema.createIndex('pull_requests_head').on('pull_requests').columns(['head_repo_id', 'head_branch']).execute();
      await db.schema.createIndex('pull_requests_base').on('pull_requests').columns(['repo_id', 'base_branch']).execute();

      await id(db, 'pull_reviews')
        .addColumn('pull_id', 'integer', (c) => c.notNull().references('pull_requests.id').onDelete('cascade'))
        .addColumn('reviewer_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        // PENDING | COMMENT | APPROVED | REQUEST_CHANGES
        .addColumn('state', 'varchar(32)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('commit_id', 'varchar(64)', (c) => c.notNull())
        // the reviewer could write to the base repository when they reviewed: their review counts
        .addColumn('official', 'integer', (c) => c.notNull().defaultTo(0))
        // an approval made before a later push, under "dismiss stale approvals"
        .addColumn('stale', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('dismissed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('submitted_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pull_reviews_pull').on('pull_reviews').columns(['pull_id', 'reviewer_id']).execute();

      await db.schema
        .createTable('pull_review_requests')
        .addColumn('pull_id', 'integer', (c) => c.notNull().references('pull_requests.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('requested_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('pull_review_requests_pk', ['pull_id', 'user_id'])
        .execute();

      await id(db, 'pull_line_comments')
        .addColumn('pull_id', 'integer', (c) => c.notNull().references('pull_requests.id').onDelete('cascade'))
        .addColumn('review_id', 'integer', (c) => c.references('pull_reviews.id').onDelete('cascade'))
        .addColumn('poster_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('path', 'text', (c) => c.notNull())
        // LEFT: the old side (a line of the base), RIGHT: the new side (a line of the head)
        .addColumn('side', 'varchar(8)', (c) => c.notNull())
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('start_line', 'integer')
        // the head (and merge base) the line was on: the comment stays attached to that diff
        .addColumn('commit_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('base_commit_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('line_text', 'text', (c) => c.notNull())
        .addColumn('diff_hunk', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('reply_to', 'integer')
        .addColumn('outdated', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('resolved_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('resolved_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('pull_line_comments_pull').on('pull_line_comments').columns(['pull_id', 'path']).execute();

      await db.schema
        .createTable('pull_viewed_files')
        .addColumn('pull_id', 'integer', (c) => c.notNull().references('pull_requests.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('path', 'text', (c) => c.notNull())
        // the file's blob in the head when it was marked: a later change un-marks it
        .addColumn('blob_sha', 'varchar(64)', (c) => c.notNull())
        .addPrimaryKeyConstraint('pull_viewed_files_pk', ['pull_id', 'user_id', 'path'])
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['pull_viewed_files', 'pull_line_comments', 'pull_review_requests', 'pull_reviews', 'pull_requests']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
