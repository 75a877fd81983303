import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { answerQueryV1 } from '../../contracts/provider/answer-query.ts';
import { embeddingsV1 } from '../../contracts/provider/embeddings.ts';
import { extractStructuredUpdatesV1 } from '../../contracts/provider/extract-structured-updates.ts';
import { rewritePlanV1 } from '../../contracts/provider/rewrite-plan.ts';
import { cosine } from '../support/vectors.ts';
import { embed } from '../../harness/provider-double/embedding-function.ts';
import type { JsonSchema } from '../../harness/json-schema/schema.ts';
import { hugePayload, nonJsonText, truncatedJson } from '../../harness/provider-double/malformed.ts';
import { malformedSites } from '../../harness/json-schema/type-breaks.ts';
import { exampleOf, validArbitrary } from '../../harness/json-schema/instances.ts';

const CONTRACTS = { extract_structured_updates: extractStructuredUpdatesV1, answer_query: answerQueryV1, rewrite_plan: rewritePlanV1, embeddings: embeddingsV1 };
const jsonSchemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input' }) as JsonSchema;
const parses = (t: string) => {
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
};

describe('valid instances from a contract', () => {
  for (const [name, contract] of Object.entries(CONTRACTS)) {
    it(`${name}: the double's default answer and every generated base satisfy the zod contract`, () => {
      expect(contract.safeParse(exampleOf(jsonSchemaOf(contract), ['plan', 'the', 'release'])).error).toBeUndefined();
      fc.assert(fc.property(validArbitrary(jsonSchemaOf(contract)), (v) => contract.safeParse(v).success), { seed: 42, numRuns: 200 });
    });
  }
});

describe('malformed payloads generated from a contract', () => {
  it('covers every required key, scalar, strict object and array of extract_structured_updates', () => {
    const sites = malformedSites(jsonSchemaOf(extractStructuredUpdatesV1)).map((s) => `${s.shape} ${s.path}`);
    expect(sites).toEqual(
      expect.arrayContaining([
        'non-object (the whole payload)',
        'missing-key tasks',
        'missing-key entities[].confidence',
        'extra-key (the whole payload)',
        'extra-key notes[]',
        'wrong-scalar-type tasks[].priority',
        'wrong-scalar-type tasks[].due_date',
        'wrong-scalar-type notes[].tags[]',
        'wrong-item-type tasks[]',
        'wrong-item-type notes[].tags[]',
      ]),
    );
    expect(sites).toHaveLength(28); // 1 non-object, 11 missing keys, 4 strict objects, 8 scalars, 4 arrays
  });

  it('no extra-key sites where the contract is not strict (embeddings)', () => {
    expect(malformedSites(jsonSchemaOf(embeddingsV1)).filter((s) => s.shape === 'extra-key')).toEqual([]);
  });

  for (const [name, contract] of Object.entries(CONTRACTS)) {
    it(`${name}: every generated case breaks the contract where its description says`, () => {
      for (const site of malformedSites(jsonSchemaOf(contract))) {
        fc.assert(
          fc.property(site.cases, (c) => {
            expect(c.shape).toBe(site.shape);
            const result = contract.safeParse(c.payload);
            expect(result.success, `${c.description}: ${JSON.stringify(c.payload)}`).toBe(false);
            // zod reports the issue at the broken place, or at the object that holds it.
            const near = (p: PropertyKey[]) => p.every((k, i) => i >= c.at.length || k === c.at[i]) || c.at.every((k, i) => k === p[i]);
            const paths = result.error!.issues.map((i) => i.path);
            expect(paths.some(near), `${c.description} -> ${JSON.stringify(paths)}`).toBe(true);
          }),
          { seed: 7, numRuns: 40 },
        );
      }
    });
  }

  it('describes a case in words a finding can show', () => {
    const site = malformedSites(jsonSchemaOf(extractStructuredUpdatesV1)).find((s) => s.shape === 'wrong-scalar-type' && s.path === 'tasks[].priority')!;
    const [c] = fc.sample(site.cases, { seed: 1, numRuns: 1 });
    expect(c!.description).toMatch(/^tasks\[0\]\.priority is .+ \((a|an) [a-z ]+; the contract allows integer\)$/);
  });

  it('makes prose and cut-short JSON that do not parse, and a huge payload of the size asked', () => {
    fc.assert(fc.property(nonJsonText, (t) => !parses(t)), { seed: 3, numRuns: 100 });
    fc.assert(fc.property(truncatedJson(jsonSchemaOf(rewritePlanV1)), (t) => !parses(t.text) && t.cutAt < t.length), { seed: 3, numRuns: 100 });
    const huge = hugePayload(jsonSchemaOf(answerQueryV1), 1_000_000);
    expect(JSON.stringify(huge.payload).length).toBeGreaterThan(1_000_000);
    expect(huge.path).toBe('answer');
    expect(answerQueryV1.safeParse(huge.payload).success).toBe(false); // longer than the contract's 8000 characters
  });
});

describe('the fixed embedding function', () => {
  it('is deterministic, unit length, and closer for texts that share words', () => {
    const a = embed('machine learning basics');
    expect(embed('machine learning basics')).toEqual(a);
    expect(Math.sqrt(a.reduce((s, x) => s + x * x, 0))).toBeCloseTo(1, 5);
    const near = cosine(a, embed('an introduction to machine learning'));
    const far = cosine(a, embed('JWT tokens for API authentication'));
    expect(near).toBeGreaterThan(far);
    expect(embed('')).toEqual(Array.from({ length: 256 }, (_, i) => (i === 0 ? 1 : 0)));
  });
});
