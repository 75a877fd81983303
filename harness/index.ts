/**
 * shipgate's public API: what a target profile and a suite import.
 * Profiles use `defineTarget` and `env`; suites use `defineSuite`, the target handle and findings.
 */
export { defineTarget } from './profile/define.ts';
export { env } from './profile/env.ts';
export type { TargetInput, TargetProfile, ResourceProfile, HttpMethod } from './profile/schema.ts';
export type { AdapterInput, AdapterPrepareContext, AdaptersProfile, AdapterEndpointProfile, GoldenDocument, IndexedDocument, AddedDocument, RefreshPlan, SearchProfile, HealthProfile, ConfigProfile } from './profile/schema.ts';
export { launchedService } from './profile/operations-consistency.ts';
export type { Principal, PrincipalInput, IdentityContext } from './identities/principal.ts';
export type { Tenant, Caller } from './identities/tenants.ts';
export { normaliseForTenancy } from './access/model.ts';
export { operationAccess, blockAccess, operationsOf, expectationFor, listMayShow, isPrivateLevel, describeLevel, type OperationAccess, type Relation, type Expectation, type ItemFacts, type Visibility } from './access/model.ts';
export { getPath, withPath } from './access/body-paths.ts';
export { differenceFromMissing } from './access/same-answer.ts';
export { GONE_FOR_EVERYONE, stillSees, afterRemoveWords, judgeRemovedAnswer, type RemovedVerdict } from './access/removed.ts';
export type { AccessLevel, AfterRemoveProfile, Denial, ForgeKind, ForgeInput, ServerOwnedField, VisibilityProfile } from './profile/access-schema.ts';
export type { Transport, RevocationHook, RevocationTarget } from './profile/identities-schema.ts';
export { withCredentials, describeTransport, credentialHeader } from './http/credentials.ts';
export { TOKEN_VARIANTS, DEFAULT_CLOCK_SKEW_SECONDS, expiredAges, describeAge, isJwt, withAlgNone, withBadSignature, withTamperedClaims, decodeClaims, strangerToken, type TokenVariant } from './identities/tokens.ts';
export { tenantsAvailable } from './identities/tenants.ts';
export { retryAfterMs } from './identities/retry-after.ts';
export type { ProfileHttp } from './http/profile-http.ts';
export type { HttpResult, SendOptions } from './http/client.ts';
export { formatRoute, parseRoute, fillPath, templateParams, type Route } from './http/route.ts';
export { profileRoutes, type NamedRoute, type RoutePlace, type RouteRequest } from './inventory/profile-routes.ts';
export type { RouteInventory, TokenRoute, CallableRoute, UnclassifiedOperation } from './inventory/route-inventory.ts';
export { fillRoute, routeParameters, type RouteParameter } from './inventory/request-path.ts';
export type { ApiDescription, ApiOperation, ApiParameter, ApiAuth } from './openapi/operations.ts';
export { isJsonMediaType } from './openapi/operations.ts';
export type { Exchange } from './http/exchange.ts';
export { defineSuite, type Suite, type SuiteSpec } from './suites/define.ts';
export type { CheckContext } from './check/check.ts';
export { useTarget, type Target } from './check/target.ts';
export { fail, FindingError, type Finding, type Evidence, type Severity, type ReportSection } from './findings/finding.ts';
export { findingRaiser, precondition, type FindingTable, type RaiseDetails } from './findings/raise.ts';
export { fieldChanges, describeChanges, changedPaths, changesEvidence, type FieldChange } from './findings/changes.ts';
export { isJsonObject } from './http/json-object.ts';
export { registerSecret } from './http/redact.ts';
export { sampleFrom, drawFromGen, type Sample } from './generate/sample.ts';
export { leakedFrom, createdBy, noteCreated, type ResourceApi, type ResourceItem, type ResourceCall, type CreateOptions } from './resources/resource-api.ts';
export { containsToken } from './generate/sample.ts';
export { cleanUp, trackForCleanup, type Removal } from './resources/cleanup.ts';
export { walkList, type ListRoute } from './resources/list-walk.ts';
export { runFlow, unique, type FlowOutcome, type FlowRunOptions } from './smoke/run-flow.ts';
export { stepWords, type Step } from './smoke/steps.ts';
export { verifyProvider, type PactRun, type VerifiedInteraction } from './pact/verify-provider.ts';
export type { InteractionVerdict, PactMismatch } from './pact/results.ts';
export type { InteractionRecord, StateSetup, StateRemoval } from './pact/provider-proxy.ts';
export type { PactProfile, PactStateContext, PactStateHook } from './profile/pact-schema.ts';
export type { Removal as SmokeRemoval } from './smoke/cleanup-registry.ts';
export type { SmokeFlow, SmokeFlowContext, SmokeTenant, SmokeTenantContext, SmokeProfile } from './profile/smoke-schema.ts';
export { INTERNAL_SHAPES, findInternals, type InternalShape, type InternalsFound } from './errors/internals.ts';
export { malformedIds, generatedIds, generatedIdArbitrary, isWellFormedText, showId, type MalformedId } from './errors/malformed-ids.ts';
export { malformedBodies, generatedBodies, textsOf, type MalformedBody } from './errors/malformed-bodies.ts';
export { schemaBodyCases, schemaParameterCases, parameterValues, bodySites, MAX_PLACES, type SchemaCase, type SchemaBodyCases } from './errors/schema-requests.ts';
export { derivedSeed } from './generate/property.ts';
export { LaunchError, type RunningProcess } from './provision/processes.ts';
export { cannotLaunch, launchExtraInstance } from './check/launch.ts';
export { HttpClient } from './http/client.ts';
export { validateProfile, loadProfile, ProfileError, type ProfileProblem } from './profile/load.ts';
export type { RunReport, SuiteResult, SuiteStatus, TestRecord, TargetSummary } from './report/model.ts';
export type { DefectSpec } from './selftest/catalog.ts';
export * from './database/index.ts';
export { runToCompletion } from './provision/processes.ts';
export { profileHttp } from './http/profile-http.ts';
export { startProviderDouble, type ProviderDouble, type ProviderDoubleOptions } from './provider-double/server.ts';
export { ProviderDoubleControl, ProviderDoubleError, type ScriptHandle } from './provider-double/control.ts';
export type { RecordedCall, CallFilter } from './provider-double/calls.ts';
export type { ScriptInput, Behaviour, Matcher } from './provider-double/scripts.ts';
export { MALFORMED_SHAPES, malformedSites, wrongValue, type MalformedShape, type MalformedCase, type MalformedSite } from './json-schema/type-breaks.ts';
export { nonJsonText, truncatedJson, hugePayload } from './provider-double/malformed.ts';
export { CONSTRAINT_BREAKS, constraintSites, type ConstraintBreak } from './json-schema/constraint-breaks.ts';
export { TEXT_HAZARDS, textHazardSites, quoteControls, type TextHazard } from './json-schema/text-hazards.ts';
export { STRUCTURE_BREAKS, structureSites, NESTING_DEPTH, type StructureBreak } from './json-schema/structure-breaks.ts';
export { embed } from './provider-double/embedding-function.ts';
export { validArbitrary, exampleOf, limitsExample, LIMITS_ITEMS_CAP } from './json-schema/instances.ts';
export type { JsonSchema } from './json-schema/schema.ts';
export { parseQrels, parseRun, parseQueries, formatRun, TrecFormatError, type Qrels, type Run, type RunEntry } from './search-metrics/trec-files.ts';
export { measureQuery, evaluateRun, rankRun, measureLabel, trecEvalName, MEASURE_NAMES, ZERO_MEASURES, type QueryMeasures, type Evaluation, type MeasureName } from './search-metrics/measures.ts';
export { compareToBaseline, toBaseline, formatBaseline, missingMeasures, type Baseline, type BaselineMeasures, type Regression, type MeasureDrop } from './search-metrics/baseline.ts';
export { compareBytes, formatFixed4, roundLikeTrecEval, isTrecId } from './search-metrics/trec-conventions.ts';
export { formatTrecEvalOutput, trecEvalCommand } from './search-metrics/trec-eval-output.ts';
export { multipartBody, type MultipartPart } from './http/multipart.ts';
export { runBurst, BurstArmError, type BurstRequest, type BurstOptions } from './concurrency/burst.ts';
export { History, acknowledged, type Operation as BurstOperation, type BurstIdentity } from './concurrency/history.ts';
export { checkExactlyOnce, type Outcome, type ExactlyOnceViolation } from './concurrency/exactly-once.ts';
export { checkLostUpdates, type LostUpdate } from './concurrency/lost-update.ts';
export { checkUniqueness, type UniquenessViolation } from './concurrency/uniqueness.ts';
export { burstPlan, type BurstPlan, type PlannedRequest, type PlanShape } from './concurrency/plan.ts';
export { tenantIdentities } from './concurrency/identities.ts';
export { burstSection, timeoutFor } from './concurrency/report.ts';
export {
  assertMayInjectFaults,
  awaitGroupGone,
  freezeGroups,
  groupAlive,
  isSameProcess,
  processStartTime,
  signalGroup,
  signalProcess,
  UnsafeFaultError,
  type Frozen,
  type ProcessRef,
} from './provision/signals.ts';
export { startPlainInstance } from './provision/processes.ts';
export { pollUntil, DeadlineError } from './provision/poll.ts';
export type { ExportState, KeyedRequest, FirstLoginIds } from './profile/concurrency-capabilities.ts';
export { ExportsApi, type QueuedExport, type ExportObservation, type Producer, type Witnessed } from './exports/exports-api.ts';
export { FilesWitness, FilesWitnessError, type FilesSeen } from './exports/files-witness.ts';
export type { ManifestItem, ExportPrepareContext } from './profile/concurrency-capabilities.ts';
export { hashValue, canonicalText, jsonbText, stripNulls, digest, sameHash, explainHash, type CanonicalForm, type HashRecipe, type HashAlgorithm, type HashEncoding } from './exports/canonical-hash.ts';
export { sendStreamed, type StreamedOutcome, type StreamedRequest } from './http/streamed-request.ts';
export { SAMPLE_FILES, REFUSED_SAMPLES, SIGNED_TYPES, PADDABLE_TYPES, fixtureBytes, sampleOf, padTo } from './uploads/samples.ts';
export type { UploadsProfile } from './profile/uploads-schema.ts';
export { findChromium, CHROMIUM_FLAGS, INSTALL_HINT, type FoundBrowser } from './browser/chromium.ts';
export { BrowserSession, type PageOrigin, type PageCookie, type OpenPage } from './browser/browser-session.ts';
export { unknownOrigins, corsGrant, judgeGrant, type UnknownOrigin, type CorsGrant, type GrantProblem } from './cors/origins.ts';
export type { CorsPages } from './cors/pages.ts';
export type { CorsProfile, CorsRoute } from './profile/cors-schema.ts';
export { FaultControl, FaultControlError, type DatabaseProxy } from './faults/control.ts';
export { FaultProxy, FAULT_MODES, type FaultMode, type FaultProxyStats, type FaultProxyOptions } from './faults/fault-proxy.ts';
export type { ChartHistogram } from './findings/finding.ts';
export type { LoadProfile } from './profile/load-schema.ts';
export { compileLoadPlan, loadRoutes, loadThresholds, type CompiledLoad } from './load/compile.ts';
export { runLoadPlan, chooseExecutor, findK6, LoadRunError, type ExecutorResult, type ExecutorName } from './load/executor.ts';
export { evaluateThresholds, formatMeasured, parseThreshold, LOAD_METRICS, type Threshold, type ThresholdVerdict } from './load/thresholds.ts';
export { requestAt, totalDurationMs, weightedSchedule, type LoadPlan, type LoadRoutePlan, type LoadIdentity } from './load/plan.ts';
export { histogramRows, type LatencyHistogram } from './load/histogram.ts';
export { describeDuration, parseDuration } from './load/duration.ts';
export type { LoadSummary, SummaryMetric } from './load/summary.ts';
