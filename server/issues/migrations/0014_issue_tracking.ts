// Migration 0014_issue_tracking: what turns the shared issue rows into an issue tracker —
// labels (per repository or per organization), milestones, reactions, pins, locks, confidential
// issues, who an issue mentions, which commits referenced it, and full-text search (FTS5 on
// SQLite, a tsvector with a GIN index on PostgreSQL).
import { sql, type Kysely, type Migration } from 'kysely';
import type { MigrationContext } from '../../db/migrations/index.js';

export default function migration({ id, dialect }: MigrationContext): Migration {
  return {
    async up(db: Kysely<any>) {
      // a label belongs to a repository or to an organization (then every repository of it may use it)
      await id(db, 'labels')
        .addColumn('repo_id', 'integer', (c) => c.references('repositories.id').onDelete('cascade'))
        .addColumn('org_id', 'integer', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('lower_name', 'varchar(100)', (c) => c.notNull())
        // six hex digits, lower case, without '#'
        .addColumn('color', 'varchar(6)', (c) => c.notNull())
        .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
        // scoped labels (`priority/high`): an issue carries at most one label of an exclusive scope
        .addColumn('exclusive', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('archived_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('labels_repo_name').on('labels').columns(['repo_id', 'lower_name']).unique().where(sql.ref('repo_id'), 'is not', null).execute();
      await db.schema.createIndex('labels_org_name').on('labels').columns(['org_id', 'lower_name']).unique().where(sql.ref('org_id'), 'is not', null).execute();
      await db.schema
        .createTable('issue_labels')
        .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addColumn('label_id', 'integer', (c) => c.notNull().references('labels.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('issue_labels_pk', ['issue_id', 'label_id'])
        .execute();
      await db.schema.createIndex('issue_labels_label').on('issue_labels').columns(['label_id', 'issue_id']).execute();

      await id(db, 'milestones')
        .addColumn('repo_id', 'integer', (c) => c.notNull().references('repositories.id').onDelete('cascade'))
        .addColumn('title', 'varchar(255)', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('is_closed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('due_on', 'bigint')
        .addColumn('closed_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('milestones_repo').on('milestones').columns(['repo_id', 'is_closed']).execute();

      await db.schema
        .alterTable('issues')
        .addColumn('milestone_id', 'integer', (c) => c.references('milestones.id').onDelete('set null'))
        .execute();
      // visible only to its poster, its assignees and people who may write to the repository
      await db.schema
        .alterTable('issues')
        .addColumn('is_confidential', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('issues')
        .addColumn('is_locked', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // 0 = not pinned; pinned issues sort by it
      await db.schema
        .alterTable('issues')
        .addColumn('pin_order', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // the list: one repository's open (or closed) issues newest first, or by last update (id
      // breaks ties, as the list's ORDER BY does), with is_confidential in the index so a page and
      // its count never read the rows themselves
      await db.schema.dropIndex('issues_repo_state').execute();
      await db.schema.createIndex('issues_list_created').on('issues').columns(['repo_id', 'is_pull', 'is_closed', 'created_at', 'id', 'is_confidential']).execute();
      await db.schema.createIndex('issues_list_updated').on('issues').columns(['repo_id', 'is_pull', 'is_closed', 'updated_at', 'id', 'is_confidential']).execute();
      await db.schema.createIndex('issues_confidential').on('issues').columns(['is_confidential', 'poster_id']).execute();
      await db.schema.createIndex('issues_milestone').on('issues').columns(['milestone_id', 'is_closed']).execute();
      await db.schema.createIndex('issues_poster').on('issues').columns(['poster_id', 'updated_at']).execute();
      await db.schema.createIndex('issue_assignees_user').on('issue_assignees').columns(['user_id', 'issue_id']).execute();

      // reactions on an issue (comment_id 0) or on one of its comments
      await id(db, 'reactions')
        .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addColumn('comment_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('content', 'varchar(32)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('reactions_once', ['issue_id', 'comment_id', 'user_id', 'content'])
        .execute();

      // who an issue's text mentions (for the "mentioning me" filter)
      await db.schema
        .createTable('issue_mentions')
        .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('issue_mentions_pk', ['issue_id', 'user_id'])
        .execute();
      await db.schema.createIndex('issue_mentions_user').on('issue_mentions').columns(['user_id', 'issue_id']).execute();

      // a commit that referenced (or closed) an issue, once: the push subscriber's idempotency key
      await db.schema
        .createTable('issue_commit_refs')
        .addColumn('issue_id', 'integer', (c) => c.notNull().references('issues.id').onDelete('cascade'))
        .addColumn('sha', 'varchar(64)', (c) => c.notNull())
        .addColumn('closes', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('issue_commit_refs_pk', ['issue_id', 'sha'])
        .execute();

      if (dialect === 'sqlite') {
        // One FTS5 document per issue: its title, its body and all its comments, as Gitea's
        // indexers do, so a word that is in thousands of comments still costs one posting per
        // issue. Contentless (the text lives in the tables), with contentless_delete so a
        // document is replaced by rowid; triggers keep it in step with every writer (issues,
        // pull requests, comments) without any of them knowing about search. Prefix indexes make
        // `tok*` as cheap as a whole word.
        await sql`CREATE VIRTUAL TABLE issues_fts USING fts5(title, body, comments, content='', contentless_delete=1, prefix='2 3', tokenize='unicode61 remove_diacritics 2')`.execute(db);
        const reindex = (id: string) =>
          sql.raw(`
          DELETE FROM issues_fts WHERE rowid = ${id};
          INSERT INTO issues_fts(rowid, title, body, comments)
            SELECT i.id, i.title, i.body, (SELECT group_concat(c.body, char(10)) FROM issue_comments c WHERE c.issue_id = i.id AND c.type = 'comment')
            FROM issues i WHERE i.id = ${id};`);
        await sql`CREATE TRIGGER issues_fts_ai AFTER INSERT ON issues BEGIN ${reindex('new.id')} END`.execute(db);
        await sql`CREATE TRIGGER issues_fts_au AFTER UPDATE OF title, body ON issues BEGIN ${reindex('new.id')} END`.execute(db);
        await sql`CREATE TRIGGER issues_fts_ad AFTER DELETE ON issues BEGIN DELETE FROM issues_fts WHERE rowid = old.id; END`.execute(db);
        await sql`CREATE TRIGGER issue_comments_fts_ai AFTER INSERT ON issue_comments WHEN new.type = 'comment' BEGIN ${reindex('new.issue_id')} END`.execute(db);
        await sql`CREATE TRIGGER issue_comments_fts_au AFTER UPDATE OF body ON issue_comments WHEN new.type = 'comment' BEGIN ${reindex('new.issue_id')} END`.execute(db);
        await sql`CREATE TRIGGER issue_comments_fts_ad AFTER DELETE ON issue_comments WHEN old.type = 'comment' BEGIN ${reindex('old.issue_id')} END`.execute(db);
        await sql`INSERT INTO issues_fts(rowid, title, body, comments)
          SELECT i.id, i.title, i.body, (SELECT group_concat(c.body, char(10)) FROM issue_comments c WHERE c.issue_id = i.id AND c.type = 'comment') FROM issues i`.execute(db);
      } else {
        // 'simple': no stemming, like FTS5's unicode61 — the same words match on both databases
        await sql`ALTER TABLE issues ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(body, ''))) STORED`.execute(db);
        await sql`CREATE INDEX issues_search ON issues USING gin (search)`.execute(db);
        await sql`ALTER TABLE issue_comments ADD COLUMN search tsvector GENERATED ALWAYS AS (CASE WHEN type = 'comment' THEN to_tsvector('simple', coalesce(body, '')) END) STORED`.execute(db);
        await sql`CREATE INDEX issue_comments_search ON issue_comments USING gin (search)`.execute(db);
      }
    },
    async down(db: Kysely<any>) {
      if (dialect === 'sqlite') {
        for (const t of ['issues_fts_ai', 'issues_fts_ad', 'issues_fts_au', 'issue_comments_fts_ai', 'issue_comments_fts_ad', 'issue_comments_fts_au'])
          await sql`DROP TRIGGER IF EXISTS ${sql.raw(t)}`.execute(db);
        await sql`DROP TABLE IF EXISTS issues_fts`.execute(db);
      }
      for (const t of ['issue_commit_refs', 'issue_mentions', 'reactions', 'issue_labels', 'labels']) await db.schema.dropTable(t).ifExists().execute();
      for (const i of ['issues_list_created', 'issues_list_updated', 'issues_confidential', 'issues_milestone', 'issues_poster', 'issue_assignees_user'])
        await db.schema.dropIndex(i).ifExists().execute();
      await db.schema.createIndex('issues_repo_state').on('issues').columns(['repo_id', 'is_pull', 'is_closed', 'updated_at']).execute();
      for (const c of ['milestone_id', 'is_confidential', 'is_locked', 'pin_order']) await db.schema.alterTable('issues').dropColumn(c).execute();
      await db.schema.dropTable('milestones').ifExists().execute();
    },
  };
}
