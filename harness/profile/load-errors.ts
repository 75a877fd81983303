import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { maskSecretsInSource } from './secret-fields.ts';

/** A place in a source file: 1-based line, 1-based column. */
export interface SourcePlace {
  file: string;
  line: number;
  column: number;
}

/**
 * Why a profile module could not be loaded, in the user's terms: the real cause (a syntax error
 * with file:line:column and the code frame, shipgate or another package not installed where the
 * profile is, a CommonJS construct in an ES module, an error the profile threw), never the
 * loader's internals.
 */
export function describeLoadFailure(err: unknown, profile: string): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const syntax = syntaxErrorOf(e);
  const unresolved = syntax && /^Could not resolve "([^"]+)"/.exec(syntax.text);
  if (syntax && unresolved) return `imports ${unresolved[1]}, which cannot be found (at ${placeText(syntax.place)})\n${codeFrame(syntax.place)}`;
  if (syntax) return `has a syntax error at ${placeText(syntax.place)}: ${syntax.text}\n${codeFrame(syntax.place)}`;

  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(e.message);
  if (missing && (e as NodeJS.ErrnoException).code?.startsWith('ERR_MODULE_NOT_FOUND')) {
    const name = missing[1]!;
    const folder = dirname(profile);
    if (name === 'shipgate' || name.startsWith('shipgate/')) {
      return `imports shipgate, which is not installed where the profile is (${folder}): run \`npm i -D shipgate\` in that project (or from a tarball or git URL)`;
    }
    const bare = !name.startsWith('.') && !name.startsWith('/') && !name.startsWith('file:');
    return bare
      ? `imports the package '${packageName(name)}', which is not installed where the profile is (${folder}): install it there`
      : `imports ${name.startsWith('file:') ? fileURLToPath(name) : name}, which does not exist`;
  }
  if (/require is not defined in ES module scope|module is not defined in ES module scope|exports is not defined in ES module scope/.test(e.message)) {
    return (
      'is an ES module (it is .mts/.mjs, or its package.json says "type": "module") but uses require() or module.exports: ' +
      "write `import { defineTarget } from 'shipgate'` and `export default defineTarget({...})`" +
      placeSuffix(e, profile)
    );
  }
  const thrownAt = placeInProject(e, profile);
  const frame = thrownAt ? `\n${codeFrame(thrownAt)}` : '';
  return `threw while loading: ${e.name === 'Error' ? '' : `${e.name}: `}${firstLine(e.message)}${thrownAt ? ` (at ${placeText(thrownAt)})` : ''}${frame}`;
}

interface SyntaxProblem {
  place: SourcePlace;
  text: string;
}

/** esbuild (the bundle) reports structured errors; tsx (a native import) puts them in the message. */
function syntaxErrorOf(e: Error): SyntaxProblem | undefined {
  const structured = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors;
  const first = structured?.find((x) => x.location);
  if (first?.location) {
    return { place: { file: first.location.file, line: first.location.line, column: first.location.column + 1 }, text: first.text };
  }
  const inMessage = /^Transform failed[^\n]*\n(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(e.message);
  if (inMessage) {
    return { place: { file: inMessage[1]!, line: Number(inMessage[2]), column: Number(inMessage[3]) + 1 }, text: inMessage[4]! };
  }
  if (e.name === 'SyntaxError') {
    const at = placeInProject(e, '');
    if (at) return { place: at, text: firstLine(e.message) };
  }
  return undefined;
}

/** The first stack frame in the user's own files (not shipgate's, not a package's, not Node's). */
function placeInProject(e: Error, profile: string): SourcePlace | undefined {
  for (const m of (e.stack ?? '').matchAll(/\(?((?:file:\/\/)?\/[^():\s]+):(\d+):(\d+)\)?/g)) {
    const file = m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!;
    if (file.includes('/node_modules/') || file.includes('/harness/profile/')) continue;
    if (!existsSync(file) || (profile && !file.startsWith(dirname(profile)))) continue;
    return { file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

function placeSuffix(e: Error, profile: string): string {
  const at = placeInProject(e, profile);
  return at ? ` (at ${placeText(at)})` : '';
}

function placeText(p: SourcePlace): string {
  const shown = relative(process.cwd(), p.file);
  return `${shown.startsWith('..') ? p.file : shown}:${p.line}:${p.column}`;
}

/** Two lines either side of the place, the line itself marked and a caret under the column. */
export function codeFrame(p: SourcePlace): string {
  let lines: string[];
  try {
    lines = readFileSync(p.file, 'utf8').split('\n');
  } catch {
    return '';
  }
  const from = Math.max(1, p.line - 2);
  const to = Math.min(lines.length, p.line + 2);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    // The profile may hold a secret written in it: the frame never quotes one.
    out.push(`${n === p.line ? '>' : ' '} ${String(n).padStart(width)} | ${maskSecretsInSource(lines[n - 1] ?? '')}`);
    if (n === p.line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, p.column - 1))}^`);
  }
  return out.join('\n');
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const firstLine = (s: string) => s.split('\n')[0]!;
