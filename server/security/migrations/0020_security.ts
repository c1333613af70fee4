// Migration 0020_security: secret-scanning findings per repository (one per secret and file,
// suppressible with a reason), the scans that produce them (full rescans and per-push scans,
// with their progress), and each repository's security settings.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      await id(db, 'security_scans')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('kind', 'varchar(8)', (c) => c.notNull())
        .addColumn('state', 'varchar(8)', (c) => c.notNull())
        .addColumn('event_id', 'integer', (c) => c.unique())
        .addColumn('requested_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('phase', 'varchar(16)', (c) => c.notNull().defaultTo(''))
        .addColumn('commits', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('blobs_total', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('blobs_done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('bytes_scanned', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('findings_new', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('finished_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('security_scans_repo').on('security_scans').columns(['repo_id', 'kind', 'id']).execute();
      await db.schema.createIndex('security_scans_requested_by').on('security_scans').column('requested_by').execute();

      await id(db, 'security_findings')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('rule_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('fingerprint', 'varchar(64)', (c) => c.notNull())
        .addColumn('path', 'text', (c) => c.notNull())
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('commit_sha', 'varchar(64)', (c) => c.notNull())
        .addColumn('author_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('author_email', 'varchar(255)', (c) => c.notNull())
        .addColumn('committed_at', 'bigint', (c) => c.notNull())
        .addColumn('blob_sha', 'varchar(64)', (c) => c.notNull())
        .addColumn('secret_preview', 'varchar(64)')
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('suppressed_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('suppress_reason', 'text')
        .addColumn('suppressed_at', 'bigint')
        .addColumn('scan_id', 'integer', (c) => c.references('security_scans.id').onDelete('set null'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('security_findings_fingerprint', ['repo_id', 'fingerprint'])
        .execute();
      await db.schema.createIndex('security_findings_repo_state').on('security_findings').columns(['repo_id', 'state', 'id']).execute();
      await db.schema.createIndex('security_findings_suppressed_by').on('security_findings').column('suppressed_by').execute();
      await db.schema.createIndex('security_findings_scan').on('security_findings').column('scan_id').execute();

      await db.schema
        .createTable('security_repo_settings')
        .addColumn('repo_id', 'integer', (c) => c.primaryKey().references('repositories.id').onDelete('cascade'))
        .addColumn('refuse_private_keys', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('scanned_tips', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['security_repo_settings', 'security_findings', 'security_scans']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
