import { isAbsolute, relative, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../cli/package-info.ts';
import { EMBEDDED_SYSTEMS, embeddedConfigPath } from '../embedded/systems.ts';
import { isSecretName, maskUrlPassword } from '../profile/secret-fields.ts';

export interface ReplayInput {
  /** The profile file. */
  configPath: string;
  /** The embedded system's name when the run was one of shipgate's (`--embedded name` replays it from anywhere). */
  embedded?: string;
  reportsDir: string;
  seed: number;
  runs: number;
  iterations: number;
  /** Variables that made this run what it was (see `replayEnvironment`). */
  env: Record<string, string>;
}

const JWT_SHAPE = /eyJ[\w-]{4,}\.[\w-]{4,}\./;

/** A word the shell takes as it is, else single-quoted. */
export function shellWord(value: string): string {
  if (value === '') return "''";
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A value that would give a secret away in a command line: a secret's name, a URL with a password, a token. */
function isSecretValue(name: string, value: string): boolean {
  return isSecretName(name) || maskUrlPassword(value) !== value || JWT_SHAPE.test(value);
}

/**
 * The variables a replay needs, with their values as this run had them: an embedded system's
 * defect switch (from the run's overrides, else this environment), and the variables the profile
 * read with `env()`. Secrets are never among them (a replay runs where they are set anyway).
 */
export function replayEnvironment(o: { configPath: string; overrides?: Record<string, string>; profileVariables?: Iterable<string> }): Record<string, string> {
  const out: Record<string, string> = {};
  const take = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '' && !isSecretValue(name, value)) out[name] = value;
  };
  const system = EMBEDDED_SYSTEMS.find((s) => resolve(o.configPath) === embeddedConfigPath(PACKAGE_ROOT, s));
  if (system) {
    const switched = o.overrides?.[system.defectsEnv] ?? process.env[system.defectsEnv];
    take(system.defectsEnv, switched);
    // A run with the switch cleared (selftest's clean run) clears it in the replay too.
    if (switched === '' && process.env[system.defectsEnv]) out[system.defectsEnv] = '';
  }
  for (const name of o.profileVariables ?? []) take(name, o.overrides?.[name] ?? process.env[name]);
  for (const [name, value] of Object.entries(o.overrides ?? {})) if (!(name in out)) take(name, value);
  return out;
}

/** A path as the user can type it where they stand: relative to the working directory, or absolute when it is outside it. */
function pathFromHere(path: string): string {
  const abs = resolve(path);
  const rel = relative(process.cwd(), abs);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/** `REFERENCE_DEFECTS=x npx shipgate verify --config c --reports r --seed n --runs r --iterations i`: everything a replay needs. */
export function replayCommand(i: ReplayInput): string {
  const env = Object.entries(i.env).map(([k, v]) => `${k}=${shellWord(v)} `);
  const target = i.embedded ? `--embedded ${shellWord(i.embedded)}` : `--config ${shellWord(pathFromHere(i.configPath))}`;
  return `${env.join('')}npx shipgate verify ${target} --reports ${shellWord(pathFromHere(i.reportsDir))} --seed ${i.seed} --runs ${i.runs} --iterations ${i.iterations}`;
}
