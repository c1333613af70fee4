// Migration 0015_tasks: a board per repository (created on first use), its columns, each in one
// of the states todo/doing/done, and the cards in them with their order stored as a dense
// position per column. Links point at issue rows, so issues and pull requests both fit.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('task_boards')
        .addColumn('repo_id', 'integer', (c) => c.primaryKey().references('repositories.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await id(db, 'task_columns')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('state', 'varchar(8)', (c) => c.notNull())
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('task_columns_repo').on('task_columns').columns(['repo_id', 'position']).execute();
      await id(db, 'tasks')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        // the service never deletes a column with cards. NO ACTION (not RESTRICT) says so too, and
        // is checked at the end of the statement, so deleting the repository cascades to the
        // columns and the cards together in whatever order the database picks
        .addColumn('column_id', 'integer', (c) => c.notNull().references('task_columns.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('title', 'varchar(255)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('checklist', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('assignee_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('due_date', 'varchar(10)')
        .addColumn('poster_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tasks_column').on('tasks').columns(['column_id', 'position']).execute();
      await db.schema.createIndex('tasks_repo').on('tasks').columns(['repo_id']).execute();
      await db.schema.createIndex('tasks_assignee').on('tasks').columns(['assignee_id']).execute();
      await db.schema
        .createTable('task_links')
        .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('task_links_pk', ['task_id', 'issue_id'])
        .execute();
      await db.schema.createIndex('task_links_issue').on('task_links').columns(['issue_id']).execute();
      await db.schema
        .createTable('task_mentions')
        .addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('event_id', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('task_mentions_pk', ['task_id', 'user_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['task_mentions', 'task_links', 'tasks', 'task_columns', 'task_boards']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
