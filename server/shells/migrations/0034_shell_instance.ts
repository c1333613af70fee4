// Migration 0034_shell_instance: which of the forge's instances runs a shell (run/instance-id), so
// that an instance starting again marks only its own shells stopped, and a stop asked of another
// instance reaches the one with the terminal. Shells from before have none (one instance then).
import type { Kysely, Migration } from 'kysely';

export default function migration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('shells').addColumn('instance', 'varchar(64)').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.alterTable('shells').dropColumn('instance').execute();
    },
  };
}
