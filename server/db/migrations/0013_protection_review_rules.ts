// Migration 0013_protection_review_rules: what a protected branch asks of a pull request before
// it may be merged into it (Gitea's names): approvals, stale approvals, requested changes,
// commit statuses, and who may merge.
import type { Kysely, Migration } from 'kysely';
import type { MigrationContext } from './context.js';

const COLUMNS: [string, 'integer' | 'text', number | string][] = [
  ['required_approvals', 'integer', 0],
  ['dismiss_stale_approvals', 'integer', 0],
  ['block_on_rejected_reviews', 'integer', 0],
  ['enable_status_check', 'integer', 0],
  // JSON array of status contexts that must be success; empty: every status posted for the head
  ['status_check_contexts', 'text', '[]'],
  ['enable_merge_whitelist', 'integer', 0],
  // JSON array of user names who may merge when the whitelist is on
  ['merge_whitelist_usernames', 'text', '[]'],
];

export default function migration(_ctx: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      for (const [name, type, dflt] of COLUMNS) {
        await db.schema
          .alterTable('branch_protections')
          .addColumn(name, type, (c) => c.notNull().defaultTo(dflt))
          .execute();
      }
    },
    async down(db: Kysely<any>) {
      for (const [name] of COLUMNS.reverse()) await db.schema.alterTable('branch_protections').dropColumn(name).execute();
    },
  };
}
