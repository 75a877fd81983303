import type { DefectSpec } from 'shipgate';

/**
 * The defect switches the reference system carries (see shared/design/DEFECTS.md).
 *
 * Each entry says which promise the defect breaks, which suites must catch it, and which
 * finding codes count as "caught". `shipgate selftest` reads this catalog; the reference
 * reads `REFERENCE_DEFECTS` against it. Adding a defect = one entry here + the faulty code path.
 */
export const DEFECTS: readonly DefectSpec[] = [
  {
    id: 'tenant-leak-read',
    promise: "another tenant's resource answers 404, like a missing one",
    mistake: 'reading one document by id uses the service client and does not filter by org',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_FOREIGN_READ'],
  },
  {
    id: 'tenant-leak-list',
    promise: "lists never contain another tenant's items",
    mistake: 'the conversations list query forgets the org filter',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_LIST_LEAK'],
  },
  {
    id: 'tenant-leak-cursor',
    promise: "lists never contain another tenant's items, on any page",
    mistake: 'the documents next-page query reads through the service client and keeps only the keyset condition',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_LIST_LEAK'],
  },
  {
    id: 'tenant-leak-later-page',
    promise: "lists never contain another tenant's items, on any page, however large the pages are",
    mistake:
      "the sources list's next-page query, written for the moderation queue's infinite scroll, reads through the service client with the keyset condition only; pages hold at least 25 sources, so only a list longer than a page reaches it",
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_LIST_LEAK'],
  },
  {
    id: 'tenant-leak-write',
    promise: "another tenant's resource cannot be updated or deleted",
    mistake: 'document update and delete by id do not filter by org',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_FOREIGN_WRITE'],
  },
  {
    id: 'export-download-foreign',
    promise: "another tenant's export cannot be read by its id, on any of its routes",
    mistake: "downloads were moved onto the workers' file lookup (to stream large bundles), which reads by export id through the service client, so any signed-in caller downloads any org's finished export",
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_FOREIGN_READ'],
  },
  {
    id: 'export-delete-foreign',
    promise: "another tenant's export cannot be deleted by its id: the delete answers like a missing id and the export stays",
    mistake: "the export delete reuses the retention sweep's statement, which runs as the service client and names the export by id alone, so any signed-in caller deletes any org's settled export",
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_FOREIGN_WRITE'],
  },
  {
    id: 'tenant-from-body',
    promise: 'the tenant comes from the credentials, never from the request body',
    mistake: 'document create honours an org_id in the body (for an import tool) and writes through the service client',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['FIELD_OWNERSHIP_FORGED'],
  },
  {
    id: 'tenant-from-header',
    promise: 'the tenant comes from the credentials, never from a header',
    mistake: "the support console's x-org-id switch checks only that the caller is an admin (of its own org), so any org's admin acts in any other org",
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_OVERRIDE'],
  },
  {
    id: 'error-leaks-stack',
    promise: 'a malformed body answers 4xx, never 5xx, and no error answer carries a stack or driver messages',
    mistake:
      'the document update route opts out of the NUL guard, so PostgreSQL refuses text with U+0000, and the error handler, left in its debugging form, answers that 500 with the driver message and the stack',
    caughtBy: ['error-hygiene'],
    findingCodes: ['ERROR_SERVER_ERROR', 'ERROR_LEAKS_INTERNALS'],
  },
  {
    id: 'claim-time-driver-message',
    promise: 'no error answer of any route, a capability route as much as a resource, carries driver messages',
    mistake:
      'the job claim (a route no resource holds) takes any text as its scheduled time, lets PostgreSQL read it, and answers a time it cannot read with a 400 carrying the database\'s own message',
    caughtBy: ['error-hygiene'],
    findingCodes: ['ERROR_LEAKS_INTERNALS'],
  },
  {
    id: 'existence-leak',
    promise: "another tenant's resource is indistinguishable from a missing one",
    mistake: 'a foreign source answers 403 "not yours" instead of the 404 of a missing id',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_EXISTENCE_LEAK'],
  },
  {
    id: 'header-presence-leak',
    promise: "another tenant's resource is indistinguishable from a missing one, headers included",
    mistake:
      "conversation reads look the version tag (ETag) up by id alone through the service client, for conditional GETs, and set it before the org-scoped read: a foreign conversation's 404 carries an ETag, a missing one's does not",
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_EXISTENCE_LEAK'],
  },
  {
    id: 'removed-item-readable',
    promise: 'a removed item answers every caller like an id that never existed, and nothing under it is reachable',
    mistake:
      "conversation delete became a soft delete (a deleted_at stamp, so support can undo it); the list learned to hide trashed conversations, but the read by id, the update and the messages routes were not told, so the owner's org still reads, renames and appends to a conversation it deleted",
    caughtBy: ['tenant-isolation'],
    findingCodes: ['REMOVED_ITEM_SERVED'],
  },
  {
    id: 'bulk-ownership',
    promise: 'a bulk action checks ownership of every id and changes nothing if one is foreign',
    mistake: 'bulk-approve checks ownership of the first id only',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_BULK_FOREIGN'],
  },
  {
    id: 'role-check-missing',
    promise: 'an action a role may not take answers 403 and changes nothing',
    mistake: 'bulk-approve lacks the admin check that single approve has, so a member can approve sources',
    caughtBy: ['roles'],
    findingCodes: ['ROLE_DENIAL_MISSING'],
  },
  {
    id: 'expired-token',
    promise: 'an expired token is refused with 401',
    mistake: 'the signature is verified but `exp` is never checked',
    caughtBy: ['auth'],
    findingCodes: ['AUTH_EXPIRED_TOKEN_ACCEPTED'],
  },
  {
    id: 'expiry-leeway',
    promise: 'a token expired for longer than the allowed clock skew is refused with 401',
    mistake: 'exp is checked with a clock tolerance of 15 minutes, chosen to silence refused logins when the clocks drifted, so a token lives a quarter of an hour past its exp',
    caughtBy: ['auth'],
    findingCodes: ['AUTH_EXPIRED_TOKEN_ACCEPTED'],
  },
  {
    id: 'not-before-ignored',
    promise: 'a token used before its nbf (by more than the allowed clock skew) is refused with 401',
    mistake: 'a hand-written verifier kept from a library migration checks the signature, the audience and exp, but never nbf, so a token minted for a later start works at once',
    caughtBy: ['auth'],
    findingCodes: ['AUTH_NOT_YET_VALID_ACCEPTED'],
  },
  {
    id: 'revoked-token',
    promise: 'a revoked token is refused with 401',
    mistake: 'revocations are kept in a process-local cache, so other instances still accept the token',
    caughtBy: ['auth'],
    findingCodes: ['AUTH_REVOKED_TOKEN_ACCEPTED'],
  },
  {
    id: 'export-poll-skips-revocation',
    promise: 'a revoked token is refused with 401 on every route, also one that only a capability block (exports) names',
    mistake: 'the export status route, polled every second, verifies the token but skips the revocation lookup "to save a query per poll"',
    caughtBy: ['auth'],
    findingCodes: ['AUTH_REVOKED_TOKEN_ACCEPTED'],
  },
  {
    id: 'wrong-audience',
    promise: 'a token minted for another audience is refused with 401',
    mistake: 'the token is verified without an expected audience',
    caughtBy: ['auth'],
    findingCodes: ['AUTH_WRONG_AUDIENCE_ACCEPTED'],
  },
  {
    id: 'auth-bypass-in-prod',
    promise: 'AUTH_DISABLED is refused at start-up in production',
    mistake: 'the production guard looks for a Cloud Run variable (K_SERVICE) instead of NODE_ENV',
    caughtBy: ['auth'],
    findingCodes: ['AUTH_BYPASS_IN_PRODUCTION'],
  },
  {
    id: 'rls-disabled',
    promise: 'RLS is enabled on every tenant table',
    mistake: 'RLS was switched off on messages to debug an insert and never switched back on (migrations/defects/rls-disabled.sql)',
    caughtBy: ['rls', 'db-advisor'],
    findingCodes: ['RLS_SELECT_LEAK', 'rls_disabled_in_public'],
  },
  {
    id: 'rls-permissive',
    promise: "policies scope every write to the caller's org",
    mistake: 'the UPDATE policy on sources was opened up to USING (true) WITH CHECK (true) (migrations/defects/rls-permissive.sql)',
    caughtBy: ['rls', 'db-advisor'],
    findingCodes: ['RLS_UPDATE_FOREIGN', 'rls_policy_always_true'],
  },
  {
    id: 'rls-update-steal',
    promise: "an UPDATE by one org's user reaches none of another org's rows",
    mistake:
      "sources_update checks the org in WITH CHECK only and has USING (org_id IS NOT NULL), so UPDATE sources SET org_id = <own org> moves every org's sources into the caller's (migrations/defects/rls-update-steal.sql)",
    caughtBy: ['rls'],
    findingCodes: ['RLS_UPDATE_FOREIGN'],
  },
  {
    id: 'rls-null-claim',
    promise: "a signed-in user without a tenant claim reads no tenant's rows",
    mistake: 'tasks_select lets a session with no org claim through ("for system jobs"): OR auth.org_id() IS NULL (migrations/defects/rls-null-claim.sql)',
    caughtBy: ['rls'],
    findingCodes: ['RLS_TENANTLESS_ACCESS'],
  },
  {
    id: 'secdef-search-path',
    promise: "every SECURITY DEFINER function has SET search_path = ''",
    mistake: 'sync_user was re-created with CREATE OR REPLACE without its SET search_path clause (migrations/defects/secdef-search-path.sql)',
    caughtBy: ['db-advisor', 'migrations'],
    findingCodes: ['function_search_path_mutable', 'MIGRATIONS_ADVISOR_FINDINGS'],
  },
  {
    id: 'secdef-public-execute',
    promise: 'EXECUTE on every SECURITY DEFINER function is revoked from PUBLIC',
    mistake: 'sync_user was dropped and created again, re-granted to the API roles, but the REVOKE FROM PUBLIC was not repeated (migrations/defects/secdef-public-execute.sql)',
    caughtBy: ['db-advisor'],
    findingCodes: ['anon_security_definer_function_executable'],
  },
  {
    id: 'rpc-foreign-tenant',
    promise: "a function the API roles may execute refuses to act on another tenant's rows",
    mistake:
      "rename_org's check became \"is the caller an admin\" (of its own org) when the admin console learned to rename orgs in one place, so any org's admin renames any other org by calling the function with its id (migrations/defects/rpc-foreign-tenant.sql)",
    caughtBy: ['rls'],
    findingCodes: ['RLS_RPC_FOREIGN'],
  },
  {
    id: 'security-definer-view',
    promise: "a view the API roles read applies the caller's RLS",
    mistake: 'a document_titles view was added without security_invoker, so it reads documents with its owner\'s rights (migrations/defects/security-definer-view.sql)',
    caughtBy: ['rls', 'db-advisor'],
    findingCodes: ['RLS_SELECT_LEAK', 'security_definer_view'],
  },
  {
    id: 'tenant-index-missing',
    promise: 'every tenant table has an index led by its tenant column',
    mistake: 'an "unused indexes" clean-up dropped the org_id index of messages (migrations/defects/tenant-index-missing.sql)',
    caughtBy: ['db-advisor'],
    findingCodes: ['tenant_column_unindexed'],
  },
  {
    id: 'migration-unrecorded',
    promise: 'migrations are recorded and re-runnable',
    mistake: 'the runner records only the newest migration of a run, but looks for pending ones file by file, so a second run re-applies the others',
    caughtBy: ['migrations'],
    findingCodes: ['MIGRATIONS_NOT_RECORDED', 'MIGRATIONS_RERUN_CHANGED'],
    // The migration runner itself reads this switch (reference/db/migrations.ts).
    changesSetup: true,
  },
  {
    id: 'migration-not-idempotent',
    promise: 'running the migrations again changes nothing',
    mistake: 'a repeatable data-fix migration inserts its row instead of upserting it (migrations/defects/migration-not-idempotent.sql)',
    caughtBy: ['migrations'],
    findingCodes: ['MIGRATIONS_RERUN_CHANGED'],
  },
  {
    id: 'adapter-unvalidated',
    promise: 'malformed provider output gives a schema-valid fallback answer, never a 5xx or an invalid answer',
    mistake: 'the provider JSON is trusted because strict structured output was requested; it is never checked against its contract',
    caughtBy: ['adapter-contracts'],
    findingCodes: ['ADAPTER_SERVER_ERROR', 'ADAPTER_RESPONSE_INVALID', 'ADAPTER_FALLBACK_NOT_MARKED'],
  },
  {
    id: 'adapter-partial-write',
    promise: 'a failed provider call writes nothing: no partial or invalid rows',
    mistake: 'capture and plan write each part of the provider answer as they read it, in separate transactions, before the rest is validated',
    caughtBy: ['adapter-contracts'],
    findingCodes: ['ADAPTER_PARTIAL_WRITE'],
  },
  {
    id: 'partial-batch-write',
    promise: 'a failed provider call writes nothing, also when it is one of several and the ones before it succeeded',
    mistake: "sync writes each batch's vectors as soon as they arrive (\"so a long sync's progress survives a provider hiccup\"), so when a later batch fails the earlier batches stay embedded behind a fallback answer",
    caughtBy: ['adapter-contracts'],
    findingCodes: ['ADAPTER_PARTIAL_WRITE'],
  },
  {
    id: 'adapter-no-timeout',
    promise: 'a slow or hung provider gets a fallback answer within the endpoint budget, not a wait without end',
    mistake: "the provider timeout is never applied, so the client library's 10-minute default is the only bound",
    caughtBy: ['adapter-contracts'],
    findingCodes: ['ADAPTER_NO_TIMEOUT', 'ADAPTER_HANG'],
  },
  {
    id: 'adapter-range-unchecked',
    promise: 'provider output that breaks its contract (a value out of range, too long, not its format or enum) gives a schema-valid fallback answer, never a 5xx or an invalid answer',
    mistake: 'the answer is checked against the JSON schema sent with the request by a small checker that knows JSON types and required keys, but no ranges, lengths, formats or enums',
    caughtBy: ['adapter-contracts'],
    findingCodes: ['ADAPTER_SERVER_ERROR', 'ADAPTER_RESPONSE_INVALID', 'ADAPTER_FALLBACK_NOT_MARKED'],
  },
  {
    id: 'search-cross-tenant',
    promise: "search never returns another tenant's document",
    mistake: "the vector leg of hybrid search has no org filter and runs through the service client, so other tenants' embeddings match",
    caughtBy: ['search-quality'],
    findingCodes: ['SEARCH_CROSS_TENANT'],
  },
  {
    id: 'search-fallback-cross-tenant',
    promise: "search never returns another tenant's document, also when it falls back to full text because embeddings fail",
    mistake: "when the query cannot be embedded, the full-text fallback borrows the indexer's text query, which runs as the service and has no org filter",
    caughtBy: ['search-quality', 'adapter-contracts'],
    findingCodes: ['SEARCH_CROSS_TENANT', 'ADAPTER_FOREIGN_DOCUMENT'],
  },
  {
    id: 'search-degraded',
    promise: 'the expected documents of the golden queries are in the top k, and quality does not drop below the baseline',
    mistake: "reciprocal-rank fusion adds up each leg's raw score where its rank belongs, so weak matches outrank strong ones",
    caughtBy: ['search-quality'],
    findingCodes: ['SEARCH_EXPECTED_NOT_IN_TOP_K', 'SEARCH_QUALITY_DROPPED', 'SEARCH_QUERY_DROPPED'],
  },
  {
    id: 'index-partial',
    promise: 'after refresh (the sync, repeated while it has work), every document is searchable',
    mistake:
      "the sync was rewritten as an incremental one that pages through the documents created since the last sync, taking the newest embedding's time as that point: it embeds one page, answers completed with nothing pending, and every older document looks synced from then on",
    caughtBy: ['search-quality'],
    findingCodes: ['SEARCH_INDEX_INCOMPLETE'],
  },
  {
    id: 'claim-race',
    promise: 'of any number of concurrent claims of one job run, exactly one wins',
    mistake: 'try_claim is SELECT then INSERT, and job runs have no unique key',
    caughtBy: ['job-dedup'],
    findingCodes: ['JOB_CLAIM_DUPLICATE', 'JOB_RUNS_DUPLICATE'],
  },
  {
    id: 'claim-last-run-only',
    promise: 'every run of a job (each scheduled time) is claimed by exactly one claim and recorded by the system',
    mistake:
      'job runs keep one row per job, its latest run (unique on org and job), and a claim compare-and-sets the time forward: a later run overwrites an earlier one that was told it won, and an earlier run claimed after a later one never wins (migrations/defects/claim-last-run-only.sql)',
    caughtBy: ['job-dedup'],
    findingCodes: ['JOB_RUN_NOT_RECORDED', 'JOB_CLAIM_NONE'],
  },
  {
    id: 'jsonb-overwrite',
    promise: 'concurrent merges of different keys into one JSONB document all survive',
    mistake: 'the merge reads the document, merges in the app and writes the whole document back',
    caughtBy: ['jsonb-merge'],
    findingCodes: ['JSONB_LOST_UPDATE'],
  },
  {
    id: 'jsonb-nested-overwrite',
    promise: 'concurrent merges of different keys into one JSONB document all survive, whatever the shape of their values',
    mistake:
      'a patch with an object value is deep-merged in the app (so a nested preference keeps its other sub-keys) and the whole document written back, while flat patches are merged in the database',
    caughtBy: ['jsonb-merge'],
    findingCodes: ['JSONB_LOST_UPDATE'],
  },
  {
    id: 'idempotency-race',
    promise: 'concurrent identical requests with one Idempotency-Key create one record and all return it',
    mistake: 'the idempotency key is looked up, then the record inserted, with no unique index on the key',
    caughtBy: ['idempotency'],
    findingCodes: ['IDEMPOTENCY_DUPLICATE_RECORD'],
  },
  {
    id: 'sync-user-duplicate',
    promise: 'concurrent first logins of one user create one user and one org',
    mistake: 'sync-user looks the user up, then inserts org and user from the app, with no unique subject',
    caughtBy: ['idempotency'],
    findingCodes: ['FIRST_LOGIN_DUPLICATE'],
  },
  {
    id: 'orphan-records',
    promise: 'concurrent first logins of one user leave one user and one org, and nothing a losing login made',
    mistake:
      'sync_user no longer drops the org a losing first login created ("the nightly job sweeps orphan orgs"): every answer names the winner\'s user and org, the losers\' orgs stay behind (migrations/defects/orphan-records.sql)',
    caughtBy: ['idempotency'],
    findingCodes: ['FIRST_LOGIN_ORPHANS'],
  },
  {
    id: 'idempotency-reservation-left',
    promise: "a burst of requests with idempotency keys adds exactly one record per key to the tenant's records, none that no answer names",
    mistake:
      'a keyed upload first reserves a row ("upload in progress", no key) so slow uploads show in the list, and only the request that creates the record removes its reservation: replays and losing duplicates leave theirs behind',
    caughtBy: ['idempotency'],
    findingCodes: ['IDEMPOTENCY_ORPHAN_RECORDS'],
  },
  {
    id: 'idempotency-cache-unscoped',
    promise: "a tenant that sends another tenant's Idempotency-Key gets a record of its own, never the other tenant's",
    mistake: 'a per-instance replay cache in front of the database answers a repeated key from memory, keyed by the Idempotency-Key alone instead of org and key',
    caughtBy: ['idempotency'],
    findingCodes: ['IDEMPOTENCY_CROSS_TENANT'],
  },
  {
    id: 'cors-reflect',
    promise: 'CORS grants only the allowed origins (ALLOWED_ORIGINS): never an unknown origin, with credentials or without',
    mistake: "preview deployments get a new origin each time, so the allowlist check was replaced by echoing the request's Origin (the cors middleware's origin: true), credentials still allowed",
    caughtBy: ['cors'],
    findingCodes: ['CORS_REFLECTS_ORIGIN', 'CORS_DISALLOWED_ORIGIN_READ'],
  },
  {
    id: 'cors-wildcard-credentials',
    promise: 'CORS never answers * with credentials, and an allowed origin can call the API with its credentials',
    mistake: 'a public embed widget needed any site to read, so the allowlist became *, and the credentials header the web app needs was kept beside it',
    caughtBy: ['cors'],
    findingCodes: ['CORS_WILDCARD_WITH_CREDENTIALS', 'CORS_ALLOWED_ORIGIN_BLOCKED'],
  },
  {
    id: 'upload-no-limit',
    promise: 'evidence uploads are limited to their size limit (413 above it), refused before the body is consumed',
    mistake: "the size limit is left to the reverse proxy in front of production (client_max_body_size), so the app sets none: no Content-Length guard and an unbounded multipart file part",
    caughtBy: ['uploads'],
    findingCodes: ['UPLOAD_OVER_LIMIT_ACCEPTED'],
  },
  {
    id: 'upload-type-spoof',
    promise: "an upload whose bytes are not of its declared (allowed) type is refused with 415",
    mistake: 'the magic-number check was dropped as redundant with the allowlist, so the content type the client declares is believed',
    caughtBy: ['uploads'],
    findingCodes: ['UPLOAD_TYPE_SPOOF_ACCEPTED'],
  },
  {
    id: 'preference-read-foreign',
    promise: "another tenant naming a tenant's preference document sees none of its data",
    mistake: "the preferences read was moved onto the settings-sync worker's lookup (it warms a cache for every org), which runs as the service client and names the document by hub alone, so another org naming the same hub reads this org's preferences",
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_FOREIGN_READ'],
  },
  {
    id: 'preference-write-foreign',
    promise: "another tenant naming a tenant's preference document changes none of its data",
    mistake:
      'the merge was moved into the settings-sync batch, which runs as the service client: it updates the document by hub name alone and inserts the caller\'s own only when nothing was updated, so another org naming the same hub writes into this org\'s preferences',
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_FOREIGN_WRITE'],
  },
  {
    id: 'job-run-foreign',
    promise: "another tenant naming a tenant's job sees none of its runs",
    mistake: "the run history shares the operators' scheduler dashboard query, which runs as the service client and names runs by job id alone, so another org using the same job name sees this org's runs",
    caughtBy: ['tenant-isolation'],
    findingCodes: ['TENANT_FOREIGN_READ'],
  },
  {
    id: 'upload-delete-foreign',
    promise: "another tenant cannot delete an upload: its delete answers like a missing id and the upload stays",
    mistake: "the evidence delete reuses the retention job's clean-up, which runs as the service client and looks the row up by id alone, so any signed-in caller deletes any org's evidence",
    caughtBy: ['uploads'],
    findingCodes: ['UPLOAD_FOREIGN_WRITE'],
  },
  {
    id: 'upload-delete-forbidden',
    promise: "another tenant's delete of an upload answers like a missing id, so nobody learns which ids exist",
    mistake: "for a clearer error, the evidence delete first looks the id up in every org through the service client and answers 403 for another org's evidence (nothing is deleted, but a 403 and a 404 tell existing ids from missing ones)",
    caughtBy: ['uploads'],
    findingCodes: ['UPLOAD_FOREIGN_WRITE_DENIAL'],
  },
  {
    id: 'upload-update-foreign',
    promise: "another tenant cannot change an upload: its change answers like a missing id and changes nothing",
    mistake: "the evidence description change was moved onto the service client with the admin tool that fixes typos in any org's evidence, and kept its id-only WHERE, so any signed-in caller renames any org's evidence",
    caughtBy: ['uploads'],
    findingCodes: ['UPLOAD_FOREIGN_WRITE'],
  },
  {
    id: 'export-coalesce-after-insert',
    promise: "a burst of export requests adds exactly the exports the answers name to the tenant's exports",
    mistake:
      '"one export of a kind at a time": a request is answered with the tenant\'s oldest unfinished export of that kind, but its own export was inserted first and stays queued, named by no answer',
    caughtBy: ['export-dedup'],
    findingCodes: ['EXPORT_ORPHANS'],
  },
  {
    id: 'export-double-claim',
    promise: 'any number of workers and API instances never produce two exports for one job',
    mistake:
      'the worker reads the oldest queued export, then marks it preparing with no row lock and no status check, and completes it by id alone (trusting its claim), so two workers both take it and both produce it',
    caughtBy: ['export-dedup'],
    findingCodes: ['EXPORT_DUPLICATE'],
  },
  {
    id: 'export-double-claim-ledger-once',
    promise: 'any number of workers and API instances never produce two exports for one job',
    mistake:
      'as export-double-claim, and a unique index on the ledger\'s export id with ON CONFLICT DO NOTHING keeps one ledger event per export: the second bundle is stored, the ledger hides it (migrations/defects/export-double-claim-ledger-once.sql)',
    caughtBy: ['export-dedup'],
    findingCodes: ['EXPORT_DUPLICATE'],
  },
  {
    id: 'hash-mismatch',
    promise: "an export's ledger event records the hash of its data in canonical JSON (RFC 8785), as its manifest and the database compute it",
    mistake:
      'the ledger event still takes the hash of JSON.stringify(bundle), keys in the order the code wrote them, left over from before the manifest moved to canonical JSON',
    caughtBy: ['exports'],
    findingCodes: ['EXPORT_LEDGER_HASH_MISMATCH'],
  },
  {
    id: 'completion-unfenced',
    promise: 'a worker that stalled past its lease and resumes never produces the export a second time',
    mistake:
      'completion marks the export ready by id alone; the only guard is the lost-lease flag the heartbeat sets, which a worker resuming from a stall checks before its first heartbeat after the stall has answered',
    caughtBy: ['worker-crash'],
    findingCodes: ['EXPORT_DUPLICATE_AFTER_STALL'],
  },
  {
    id: 'no-stuck-recovery',
    promise: 'an export whose worker died goes back to the queue after its lease and finishes once',
    mistake: 'only a restarted worker re-queues the exports held under its own id, so a dead worker\'s export stays preparing forever',
    caughtBy: ['worker-crash'],
    findingCodes: ['EXPORT_STUCK_AFTER_CRASH', 'EXPORT_STUCK_AFTER_STALL'],
  },
  {
    id: 'recovery-on-start-only',
    promise: 'an export whose worker died goes back to the queue after its lease and finishes once, while the other workers keep running',
    mistake: 'expired leases are recovered when a worker starts, never by a running one: a dead worker\'s export waits for the next deploy or restart',
    caughtBy: ['worker-crash'],
    findingCodes: ['EXPORT_STUCK_AFTER_CRASH', 'EXPORT_STUCK_AFTER_STALL'],
  },
  {
    id: 'pact-breaking-rename',
    promise: "an answer keeps the fields its consumers' pacts rely on: a rename is a new version, never an edit",
    mistake: "today's plan is reshaped for the dashboard and its items are renamed today_plan, the planner's own word for them; every other plan answer still says items",
    caughtBy: ['pact'],
    findingCodes: ['PACT_MISMATCH'],
  },
  {
    id: 'readiness-hangs',
    promise: 'readiness answers 503 within its 2 s timeout when the database stops answering',
    mistake: 'readiness runs SELECT 1 on the pool with no timeout of its own ("the pool has a 5 s connection timeout"), so a query on a connection the database stopped answering waits forever',
    caughtBy: ['health'],
    findingCodes: ['READINESS_HANGS'],
  },
  {
    id: 'liveness-touches-db',
    promise: 'liveness never touches the database and answers 200 while the database does not',
    mistake: 'liveness pings the database "so a process whose pool is wedged gets restarted", so a database outage hangs it',
    caughtBy: ['health'],
    findingCodes: ['LIVENESS_TOUCHES_DATABASE', 'LIVENESS_FAILS_WITHOUT_DATABASE'],
  },
  {
    id: 'readiness-no-cache',
    promise: 'readiness reuses a success for 5 s: probes inside that window cost at most one database round trip',
    mistake: "the cache was ported from the seed's time.monotonic() (seconds) to performance.now() (milliseconds) with the TTL left at 5, so a success is trusted for 5 ms and every probe queries the database",
    caughtBy: ['health'],
    findingCodes: ['READINESS_NOT_CACHED'],
  },
  {
    id: 'env-missing-silent',
    promise: 'without a required variable the service refuses to start, naming it',
    mistake: 'JWT_SECRET falls back to a development secret when unset outside production "so the server starts without a .env", and every test and staging deploy runs with that published secret',
    caughtBy: ['config'],
    findingCodes: ['CONFIG_MISSING_STARTED'],
  },
  {
    id: 'jwt-default-secret',
    promise: 'in production a weak JWT secret (too short, or a published default) is refused at start-up',
    mistake: "the secret check counts characters only, so the Supabase CLI's published 55-character development secret passes in production",
    caughtBy: ['config'],
    findingCodes: ['CONFIG_WEAK_SECRET_ACCEPTED'],
  },
];

export const DEFECT_IDS: ReadonlySet<string> = new Set(DEFECTS.map((d) => d.id));

export class UnknownDefectError extends Error {
  constructor(readonly unknown: string[]) {
    super(
      `REFERENCE_DEFECTS names unknown defect(s): ${unknown.join(', ')}. ` +
        `Known: ${[...DEFECT_IDS].join(', ')}`,
    );
  }
}

/** Parses a `REFERENCE_DEFECTS=a,b` value; unknown ids are an error, never ignored. */
export function parseDefects(value: string | undefined): ReadonlySet<string> {
  const ids = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !DEFECT_IDS.has(id));
  if (unknown.length > 0) throw new UnknownDefectError(unknown);
  return new Set(ids);
}
