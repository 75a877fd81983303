/** The database part of shipgate's public API: what the rls, db-advisor and migrations suites use. */
export { databaseSettings, type DatabaseSettings } from './settings.ts';
export { connectDatabase, DatabaseConnectError, formatStep, inRolledBackTransaction, DEFAULT_PROBE_TIMEOUTS, quoteIdent, quoteQualified, type ProbeTimeouts, type SqlStep } from './session.ts';
export { Catalog, type Relation, type Column, type Reachable } from './catalog.ts';
export { discoverTenantRelations, unclassifiedRelations, type TenantRelation, type TenantDiscovery, type Unclassified } from './tenant-relations.ts';
export { ImpersonationError, anonActor, type Actor, type ActorKind } from './impersonation.ts';
export { SynthesisError } from './row-factory.ts';
export { probe, ProbePreconditionError, stealNotApplicable, type Operation, type PreexistingRows, type ProbeEnv, type ProbeResult, type Verdict } from './rls-probes.ts';
export { LINTS } from './advisor/lints/index.ts';
export { LEVEL_RANK, type Lint, type LintFinding, type LintLevel } from './advisor/lint.ts';
export { resolveApiRoles, describeMissingRoles, type ApiRoles } from './api-roles.ts';
export { runAdvisor, type AdvisorInput, type AdvisorResult, type Examined } from './advisor/run-advisor.ts';
export { triage, type AcceptedFinding, type Triage } from './advisor/accept.ts';
export { catalogFingerprint, diffLines, rowCounts } from './fingerprint.ts';
export { createScratchDatabase, type ScratchDatabase } from './scratch-database.ts';
export { migrationInvocation, DATABASE_VARIABLES, URL_PLACEHOLDER, type MigrationInvocation } from './migration-command.ts';
export { rowsOutlivingProbes, type RollbackCheck } from './rollback-check.ts';
export { probeRpc, functionsNamed, type CatalogFunction, type RpcProbeResult, type RpcSpec, type RpcVerdict } from './rpc-probes.ts';
export { MIGRATION_TOOLS, MIGRATION_TOOL_NAMES, judgeRecords, migrationEntries, names as recordNames, leadingVersion, resolveRecords, type MigrationRecords, type MigrationEntry, type MigrationTool, type RecordsVerdict } from './migration-records.ts';
