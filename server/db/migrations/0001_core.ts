// Migration 0001_core.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from './context.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'users')
        .addColumn('name', 'varchar(40)', (c) => c.notNull())
        .addColumn('lower_name', 'varchar(40)', (c) => c.notNull().unique())
        .addColumn('full_name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('email', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('type', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('password_hash', 'varchar(255)')
        .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_active', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('prohibit_login', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'bigint')
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('website', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('visibility', 'varchar(16)', (c) => c.notNull().defaultTo('public'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('last_login_at', 'bigint')
        .execute();

      await id(db, 'emails')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('email', 'varchar(255)', (c) => c.notNull())
        .addColumn('lower_email', 'varchar(255)', (c) => c.notNull().unique())
        .addColumn('is_primary', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('is_activated', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
      await db.schema.createIndex('emails_user_id').on('emails').column('user_id').execute();

      await db.schema
        .createTable('sessions')
        .addColumn('sid', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();
      await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();

      await id(db, 'access_tokens')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('token_last_eight', 'varchar(8)', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addUniqueConstraint('access_tokens_user_name', ['user_id', 'name'])
        .execute();

      await id(db, 'ssh_keys')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('fingerprint', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('content', 'text', (c) => c.notNull())
        .addColumn('key_type', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .execute();
      await db.schema.createIndex('ssh_keys_user_id').on('ssh_keys').column('user_id').execute();

      await db.schema
        .createTable('org_members')
        .addColumn('org_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('org_members_pk', ['org_id', 'user_id'])
        .execute();
      await db.schema.createIndex('org_members_user_id').on('org_members').column('user_id').execute();

      await id(db, 'repositories')
        .addColumn('owner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('lower_name', 'varchar(100)', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('website', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        .addColumn('visibility', 'varchar(16)', (c) => c.notNull())
        .addColumn('default_branch', 'varchar(255)', (c) => c.notNull())
        .addColumn('is_empty', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('fork_id', 'integer', (c) => c.references('repositories.id').onDelete('set null'))
        .addColumn('num_forks', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('num_stars', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('num_watches', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('repositories_owner_name', ['owner_id', 'lower_name'])
        .execute();
      await db.schema.createIndex('repositories_fork_id').on('repositories').column('fork_id').execute();
      await db.schema.createIndex('repositories_updated_at').on('repositories').column('updated_at').execute();

      await db.schema
        .createTable('collaborations')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('role', 'varchar(16)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('collaborations_pk', ['repo_id', 'user_id'])
        .execute();
      await db.schema.createIndex('collaborations_user_id').on('collaborations').column('user_id').execute();

      for (const table of ['stars', 'watches']) {
        await db.schema
          .createTable(table)
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint(`${table}_pk`, ['user_id', 'repo_id'])
          .execute();
        await db.schema.createIndex(`${table}_repo_id`).on(table).column('repo_id').execute();
      }

      await db.schema
        .createTable('settings')
        .addColumn('key', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await id(db, 'audit_log')
        .addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('action', 'varchar(64)', (c) => c.notNull())
        .addColumn('target_type', 'varchar(32)', (c) => c.notNull())
        .addColumn('target_id', 'integer')
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('ip', 'varchar(64)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_log_created_at').on('audit_log').column('created_at').execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['audit_log', 'settings', 'watches', 'stars', 'collaborations', 'repositories', 'org_members', 'ssh_keys', 'access_tokens', 'sessions', 'emails', 'users']) {
        await db.schema.dropTable(t).ifExists().execute();
      }
    },
  };
}
