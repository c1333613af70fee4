// Migration 0025_user_profile: what a profile shows besides the name and the bio (location,
// pronouns), and the follower counts kept with the user as Gitea keeps them (num_followers,
// num_following; the social feature changes them in the transaction that changes a follow).
import type { Kysely, Migration } from 'kysely';

export default function migration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('users')
        .addColumn('location', 'varchar(100)', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .alterTable('users')
        .addColumn('pronouns', 'varchar(50)', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .alterTable('users')
        .addColumn('num_followers', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('users')
        .addColumn('num_following', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const c of ['num_following', 'num_followers', 'pronouns', 'location']) await db.schema.alterTable('users').dropColumn(c).execute();
    },
  };
}
