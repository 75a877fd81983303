/**
 * shipgate's public API: what a target profile and a suite import.
 * Profiles use `defineTarget` and `env`; suites use `defineSuite`, the target handle and findings.
 */
export { defineTarget } from './profile/define.ts';
export { env } from './profile/env.ts';
export type { TargetInput, TargetProfile, ResourceProfile, HttpMethod } from './profile/schema.ts';
export type { Principal, IdentityContext } from './identities/principal.ts';
export type { Tenant } from './identities/tenants.ts';
export { TOKEN_VARIANTS, isJwt, withAlgNone, withBadSignature, withTamperedClaims, decodeClaims, type TokenVariant } from './identities/tokens.ts';
export type { ProfileHttp } from './http/profile-http.ts';
export type { HttpResult, SendOptions } from './http/client.ts';
export { formatRoute, parseRoute, fillPath, type Route } from './http/route.ts';
export type { Exchange } from './http/exchange.ts';
export { defineSuite, type Suite, type SuiteSpec } from './suites/define.ts';
export type { CheckContext } from './check/check.ts';
export { useTarget, type Target } from './check/target.ts';
export { fail, FindingError, type Finding, type Evidence, type Severity, type ReportSection } from './findings/finding.ts';
export { sampleFrom, drawFromGen, type Sample } from './generate/sample.ts';
export { leakedFrom, type ResourceApi, type ResourceItem, type ResourceCall } from './resources/resource-api.ts';
export { startHttpInstance, LaunchError } from './provision/processes.ts';
export { HttpClient } from './http/client.ts';
export { multipartBody, type MultipartPart } from './http/multipart.ts';
export { runBurst, BurstArmError, type BurstRequest, type BurstOptions } from './concurrency/burst.ts';
export { History, acknowledged, type Operation, type BurstIdentity } from './concurrency/history.ts';
export { checkExactlyOnce, type Outcome, type ExactlyOnceViolation } from './concurrency/exactly-once.ts';
export { checkLostUpdates, type LostUpdate } from './concurrency/lost-update.ts';
export { checkUniqueness, type UniquenessViolation } from './concurrency/uniqueness.ts';
export { burstPlan, type BurstPlan, type PlannedRequest, type PlanShape } from './concurrency/plan.ts';
export { tenantIdentities } from './concurrency/identities.ts';
export { burstSection, timeoutFor } from './concurrency/report.ts';
export { assertMayInjectFaults, awaitGroupGone, freezeGroups, groupAlive, signalGroup, UnsafeFaultError } from './provision/signals.ts';
export { startPlainInstance, type RunningProcess } from './provision/processes.ts';
export { pollUntil, DeadlineError } from './provision/poll.ts';
export type { ExportState, KeyedRequest, FirstLoginIds } from './profile/concurrency-capabilities.ts';
export { ExportsApi, type QueuedExport, type ExportObservation } from './exports/exports-api.ts';
