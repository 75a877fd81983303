import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadProfile, ProfileError } from '../profile/load.ts';
import { writeReports } from '../report/write.ts';
import { runSmoke } from '../run/smoke.ts';
import { discoverSuites } from '../suites/registry.ts';
import { EXIT, UsageError } from './exit-codes.ts';
import { seedOption } from './options.ts';
import { PACKAGE_ROOT, VERSION } from './package-info.ts';
import { printSummary } from './summary.ts';

/** The variable that must be `1` for `shipgate smoke` to run: a smoke writes to a live deployment. */
export const SMOKE_ENV = 'RUN_STAGING_SMOKE';

export const SMOKE_USAGE = `${SMOKE_ENV}=1 shipgate smoke [--config file] [--flow name ...] [--reports dir]

Walks the profile's smoke flows (pactum user journeys) on a deployed system, with its real
database, queue and provider: shipgate starts nothing and fakes nothing. Each flow uses unique
payloads and removes what it made, also when it fails. Writes reports/{signoff.json,signoff.md,ctrf.json,junit.xml}.
Runs only when ${SMOKE_ENV}=1 is set, never against a production target.
  --config   target profile (default ./shipgate.config.ts); needs http.baseUrls and a smoke block
  --flow     walk only these flows (repeatable)
  --reports  output folder (default ./reports)
Exit: 0 GO, 1 NO-GO, 2 usage or profile error (or ${SMOKE_ENV} not set), 3 target unreachable.`;

export async function smokeCommand(argv: string[], log: (line: string) => void): Promise<number> {
  if (process.env[SMOKE_ENV] !== '1') {
    throw new UsageError(
      `shipgate smoke walks user journeys on a live deployment (it creates data there, then removes it), so it runs only when ${SMOKE_ENV}=1 is set` +
        `${process.env[SMOKE_ENV] === undefined ? '' : ` (it is '${process.env[SMOKE_ENV]}')`}: run ${SMOKE_ENV}=1 npx shipgate smoke`,
    );
  }
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, flow: { type: 'string', multiple: true }, reports: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const path = resolve(values.config ?? 'shipgate.config.ts');
  if (!existsSync(path)) {
    throw new UsageError(values.config ? `--config ${values.config}: no such file` : 'no ./shipgate.config.ts here: give the profile of the deployment with --config');
  }
  const profile = await loadProfile(path);
  const problems: { path: string; message: string }[] = [];
  if (!profile.smoke) problems.push({ path: 'smoke', message: 'shipgate smoke walks the flows of the smoke block: declare smoke.flows (see the README, "shipgate smoke")' });
  if (profile.kind === 'production') problems.push({ path: 'kind', message: "a smoke run creates (and removes) its own data, and shipgate never writes to 'production': point it at staging" });
  if (!profile.http.baseUrls) {
    problems.push({
      path: 'http.baseUrls',
      message: `shipgate smoke runs against a deployed system and starts nothing${profile.launch ? ' (the launch block is for verify)' : ''}: give the deployment's URL(s)`,
    });
  }
  if (problems.length > 0) throw new ProfileError(path, problems);
  const known = Object.keys(profile.smoke!.flows);
  const unknown = (values.flow ?? []).filter((f) => !known.includes(f));
  if (unknown.length > 0) throw new UsageError(`--flow: no flow named ${unknown.map((f) => `'${f}'`).join(', ')}; the profile's flows: ${known.map((f) => `'${f}'`).join(', ')}`);

  const suites = (await discoverSuites(PACKAGE_ROOT)).filter((s) => s.runBy === 'smoke');
  const seed = seedOption(undefined);
  const reportsDir = values.reports ?? 'reports';
  log(`shipgate smoke · ${profile.name} (${profile.kind}) · ${profile.http.baseUrls!.join(', ')} · ${values.flow?.length ?? known.length} flow(s)`);
  const report = await runSmoke({
    root: PACKAGE_ROOT,
    configPath: relative(process.cwd(), path) || path,
    profile,
    suites,
    ...(values.flow ? { flows: values.flow } : {}),
    seed,
    reportsDir,
    version: VERSION,
    log,
  });
  const files = writeReports(report, reportsDir);
  printSummary(report, files, log);
  return report.gate === 'GO' ? EXIT.go : EXIT.noGo;
}
