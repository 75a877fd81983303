import type { Lint } from '../lint.ts';
import { anonSecurityDefinerFunctionExecutable } from './anon-security-definer-function-executable.ts';
import { functionSearchPathMutable } from './function-search-path-mutable.ts';
import { materializedViewInApi } from './materialized-view-in-api.ts';
import { policyExistsRlsDisabled } from './policy-exists-rls-disabled.ts';
import { rlsDisabledInPublic } from './rls-disabled-in-public.ts';
import { rlsEnabledNoPolicy } from './rls-enabled-no-policy.ts';
import { rlsPolicyAlwaysTrue } from './rls-policy-always-true.ts';
import { securityDefinerSearchPathNotEmpty } from './security-definer-search-path-not-empty.ts';
import { securityDefinerFunctionUnclassified } from './security-definer-function-unclassified.ts';
import { securityDefinerView } from './security-definer-view.ts';
import { tenantColumnUnindexed } from './tenant-column-unindexed.ts';

/** Every lint the advisor runs, in report order: row-level security, functions, views, tenancy. */
export const LINTS: readonly Lint[] = [
  rlsDisabledInPublic,
  policyExistsRlsDisabled,
  rlsEnabledNoPolicy,
  rlsPolicyAlwaysTrue,
  functionSearchPathMutable,
  securityDefinerSearchPathNotEmpty,
  anonSecurityDefinerFunctionExecutable,
  securityDefinerFunctionUnclassified,
  securityDefinerView,
  materializedViewInApi,
  tenantColumnUnindexed,
];
