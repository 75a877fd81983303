import type pg from 'pg';
import { APP_ROLE } from './pool.ts';

/** The tables the API reads and writes; schema_migrations is left out on purpose. */
const APP_TABLES = ['users', 'folders', 'articles', 'comments', 'revoked_tokens'];

/**
 * Creates the API's NOLOGIN role and grants it only row access. Roles are cluster-wide, so
 * another database (or a concurrent run) may have made it already: that is not an error.
 * Re-run on every migrate: a GRANT that is already held changes nothing.
 */
export async function ensureAppRole(client: pg.Client): Promise<void> {
  await client.query(`
    DO $$
    BEGIN
      CREATE ROLE ${APP_ROLE} NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$;
    DO $$
    BEGIN
      -- A non-superuser login must be a member to SET ROLE (a superuser always may).
      IF NOT pg_has_role(current_user, '${APP_ROLE}', 'MEMBER') THEN
        EXECUTE format('GRANT ${APP_ROLE} TO %I', current_user);
      END IF;
    END $$;
    GRANT USAGE ON SCHEMA public TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ${APP_TABLES.map((t) => `public.${t}`).join(', ')} TO ${APP_ROLE};
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE};
  `);
}
