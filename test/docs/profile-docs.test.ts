import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../harness/profile/load.ts';
import { ROOT } from '../support/cli.ts';
import { schemaHooks } from './schema-hooks.ts';

/**
 * docs/profile.md runs: every `ts` example is the inside of a `defineTarget({ ... })` call, and is
 * type-checked against shipgate's own types and loaded as a profile; every hook of the profile
 * schema is documented by its path. An example that no longer fits the schema, or a hook added
 * without its entry, fails here.
 */
const DOC = join(ROOT, 'docs', 'profile.md');
const doc = readFileSync(DOC, 'utf8');

interface Snippet {
  /** 1-based line of the snippet's first code line in the doc. */
  line: number;
  code: string;
}

function snippets(markdown: string): Snippet[] {
  const out: Snippet[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '```ts') continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end]!.trim() !== '```') end++;
    out.push({ line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return out;
}

const PRELUDE = `import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineTarget, env, multipartBody, type ExportState, type TargetInput } from 'shipgate';
void randomUUID; void z; void env; void multipartBody;
export type Unused = ExportState;
const BASE: Pick<TargetInput, 'name' | 'kind' | 'http' | 'identities'> = {
  name: 'docs',
  kind: 'ephemeral',
  http: { baseUrls: ['http://127.0.0.1:9'] },
  identities: { newTenant: async () => ({ tenantId: 't', token: 'docs-token-0001' }) },
};
export default defineTarget({
  ...BASE,
`;
const PRELUDE_LINES = PRELUDE.split('\n').length - 1;

const examples = snippets(doc);
// Inside the repository, so `import 'shipgate'` resolves as it does for a profile there (.scratch is not tracked).
const dir = join(ROOT, '.scratch', `docs-snippets-${process.pid}`);
const files = examples.map((_, i) => join(dir, `example-${i + 1}.ts`));

beforeAll(() => {
  mkdirSync(dir, { recursive: true });
  examples.forEach((s, i) => writeFileSync(files[i]!, `${PRELUDE}${s.code}\n});\n`));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `docs/profile.md:123` for a position in a generated example. */
const where = (i: number, generatedLine: number) => `docs/profile.md:${examples[i]!.line + generatedLine - PRELUDE_LINES}`;

describe('docs/profile.md', () => {
  it('has examples', () => {
    expect(examples.length).toBeGreaterThan(20);
  });

  it("every ts example type-checks against shipgate's types", () => {
    const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (p) => ts.sys.readFile(p));
    const options = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options;
    const program = ts.createProgram(files, options);
    const problems = files.flatMap((file, i) => {
      const source = program.getSourceFile(file)!;
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
        const line = d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start).line : 0;
        return `${where(i, line)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    });
    expect(problems).toEqual([]);
  });

  it('every ts example loads as a valid profile', async () => {
    const problems: string[] = [];
    for (const [i, file] of files.entries()) {
      try {
        await loadProfile(file);
      } catch (err) {
        problems.push(`docs/profile.md:${examples[i]!.line}: ${(err as Error).message.replace(file, 'the example').replace(relative(ROOT, file), 'the example')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('documents every hook of the profile schema by its path', () => {
    const hooks = [...new Set(schemaHooks().map((h) => h.path))];
    expect(hooks.length).toBeGreaterThan(40);
    expect(hooks.filter((path) => !doc.includes(`\`${path}\``))).toEqual([]);
  });

  it('is linked from the README', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('](docs/profile.md');
  });
});
