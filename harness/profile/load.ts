import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { findMissingEnv } from './env.ts';
import { importProfileModule } from './import-module.ts';
import { describeLoadFailure } from './load-errors.ts';
import { nameHooks } from './hook-result.ts';
import type { z } from 'zod';
import { targetSchema, type TargetProfile } from './schema.ts';
import { withoutSecrets } from './secret-fields.ts';
import { redactor } from '../http/redact.ts';

export interface ProfileProblem {
  /** Dotted path of the field, e.g. `http.baseUrls.0`; empty for the file itself. */
  path: string;
  message: string;
}

/** The profile cannot be used: every problem is listed, each naming its field. */
export class ProfileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ProfileProblem[],
  ) {
    super(
      `the target profile ${file} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.path || '(file)'}: ${p.message.replaceAll('\n', '\n      ')}`).join('\n'),
    );
  }
}

const dotted = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** The value a field was given, fit for a message: a secret field's value is its label and length, never its text. */
function describeReceived(input: unknown, path: readonly PropertyKey[]): string {
  if (input === undefined) return 'nothing';
  if (typeof input === 'function') return 'a function';
  const shown = withoutSecrets(input, path);
  if (typeof shown === 'string' && shown.startsWith('«')) return shown;
  const s = JSON.stringify(shown, (_k, v: unknown) => (typeof v === 'function' ? '<function>' : v));
  // Scrubbed too: a token-shaped value in a field with an innocent name is still a token.
  return redactor.scrub(s === undefined ? String(shown) : s.length > 60 ? `${s.slice(0, 57)}...` : s);
}

type Issue = z.core.$ZodIssue;

/**
 * A union (a route string or a route object, say) that failed reports "Invalid input"; when only
 * one of its branches has the right type for the value, that branch's own problems are the useful
 * ones ("access: expected 'public', ..."), so they replace it.
 */
function unwrapUnions(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((issue) => {
    // A union with a message of its own (the choices, in words) says it best.
    if (issue.code !== 'invalid_union' || issue.message !== 'Invalid input') return [issue];
    const typed = issue.errors.filter((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0));
    if (typed.length !== 1) return [issue];
    return unwrapUnions(typed[0]!).map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as Issue);
  });
}

/** Validates a profile object; throws ProfileError naming every wrong field. */
export function validateProfile(input: unknown, file: string): TargetProfile {
  const missing = findMissingEnv(input).map((m) => ({
    path: dotted(m.path),
    message: `environment variable ${m.name} is not set`,
  }));
  const parsed = targetSchema.safeParse(input, { reportInput: true });
  if (parsed.success && missing.length === 0) {
    // Each hook is wrapped to check its results; from here on it reports under its profile path.
    nameHooks(parsed.data);
    return parsed.data;
  }
  const missingPaths = new Set(missing.map((m) => m.path));
  const problems = [
    ...missing,
    ...(parsed.success ? [] : unwrapUnions(parsed.error.issues))
      .filter((i) => !missingPaths.has(dotted(i.path)))
      .map((i) => {
        const received = 'input' in i && i.code !== 'unrecognized_keys' && i.code !== 'custom' ? ` (got ${describeReceived(i.input, i.path)})` : '';
        return { path: dotted(i.path), message: `${i.message}${received}` };
      }),
  ];
  throw new ProfileError(file, problems);
}

/** Imports a profile module (TypeScript or JavaScript, ES module or not) and validates its default export. */
export async function loadProfile(file: string): Promise<TargetProfile> {
  const absolute = resolve(file);
  if (!existsSync(absolute)) {
    throw new ProfileError(file, [{ path: '', message: `file not found (looked at ${absolute}); pass --config <file>` }]);
  }
  let mod: { default?: unknown };
  try {
    mod = await importProfileModule(absolute);
  } catch (err) {
    throw new ProfileError(file, [{ path: '', message: describeLoadFailure(err, absolute) }]);
  }
  if (mod.default === undefined) {
    throw new ProfileError(file, [{ path: '', message: 'has no default export; export default defineTarget({...})' }]);
  }
  return validateProfile(mod.default, file);
}
