/* eslint-disable no-control-regex -- these tests look for control characters */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { answerQueryV1 } from '../../contracts/provider/answer-query.ts';
import { embeddingsV1 } from '../../contracts/provider/embeddings.ts';
import { extractStructuredUpdatesV1 } from '../../contracts/provider/extract-structured-updates.ts';
import { rewritePlanV1 } from '../../contracts/provider/rewrite-plan.ts';
import { constraintSites } from '../../harness/json-schema/constraint-breaks.ts';
import type { JsonSchema } from '../../harness/json-schema/schema.ts';
import { limitsExample } from '../../harness/json-schema/instances.ts';
import { textHazardSites } from '../../harness/json-schema/text-hazards.ts';
import { matchesShape } from '../../reference/provider/shape-check.ts';

const CONTRACTS = { extract_structured_updates: extractStructuredUpdatesV1, answer_query: answerQueryV1, rewrite_plan: rewritePlanV1, embeddings: embeddingsV1 };
const jsonSchemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input' }) as JsonSchema;
/** The same contract, types and keys only: the validator of the adapter-range-unchecked defect. */
const typesOnly = (s: z.ZodType) => (v: unknown) => matchesShape(jsonSchemaOf(s) as Parameters<typeof matchesShape>[0], v);

describe('payloads that break a constraint other than the type', () => {
  it('are generated wherever extract_structured_updates sets a range, a length, a format, an enum or a maximum of items', () => {
    const sites = constraintSites(jsonSchemaOf(extractStructuredUpdatesV1)).map((s) => `${s.shape} ${s.path}`);
    expect(sites).toEqual(
      expect.arrayContaining([
        'out-of-range tasks[].priority',
        'out-of-range entities[].confidence',
        'too-long tasks[].title',
        'too-long notes[].tags[]',
        'too-short notes[].text',
        'bad-format tasks[].due_date',
        'outside-enum entities[].kind',
        'too-many-items tasks',
        'too-many-items notes[].tags',
      ]),
    );
    expect(sites).toHaveLength(16); // 2 ranges, 4 max lengths, 4 min lengths, 1 format, 1 enum, 4 lists with a maximum
  });

  it('reads zod ids as uuids, and leaves the safe-integer bounds of z.int() alone', () => {
    expect(constraintSites(jsonSchemaOf(rewritePlanV1)).map((s) => `${s.shape} ${s.path}`)).toContain('bad-format today_plan[].task_id');
    const index = constraintSites(jsonSchemaOf(embeddingsV1)).find((s) => s.path === 'data[].index')!;
    const [c] = fc.sample(index.cases, { seed: 5, numRuns: 1 });
    expect(c!.description).toMatch(/^data\[\d+\]\.index is -\d+ \(the contract allows at least 0\)$/);
  });

  for (const [name, contract] of Object.entries(CONTRACTS)) {
    it(`${name}: every case breaks the zod contract where it says, yet keeps every JSON type (a type-only validator takes it)`, () => {
      const accepts = typesOnly(contract);
      for (const site of constraintSites(jsonSchemaOf(contract))) {
        fc.assert(
          fc.property(site.cases, (c) => {
            const result = contract.safeParse(c.payload);
            expect(result.success, `${c.description}: ${JSON.stringify(c.payload).slice(0, 300)}`).toBe(false);
            const near = (p: PropertyKey[]) => p.every((k, i) => i >= c.at.length || k === c.at[i]) || c.at.every((k, i) => k === p[i]);
            expect(result.error!.issues.map((i) => i.path).some(near), c.description).toBe(true);
            expect(accepts(c.payload), `a type-only check refuses ${c.description}`).toBe(true);
          }),
          { seed: 11, numRuns: 30 },
        );
      }
    });
  }

  it('says what was broken in words a finding can show', () => {
    const words = (path: string) => {
      const site = constraintSites(jsonSchemaOf(extractStructuredUpdatesV1)).find((s) => s.path === path)!;
      return fc.sample(site.cases, { seed: 2, numRuns: 1 })[0]!.description;
    };
    expect(words('tasks[].priority')).toMatch(/^tasks\[\d+\]\.priority is -?\d+ \(the contract allows 1 to 4\)$/);
    expect(words('tasks[].title')).toMatch(/^tasks\[\d+\]\.title is 5\d\d characters long \(the contract allows at most 500\)$/);
    expect(words('tasks[].due_date')).toMatch(/^tasks\[\d+\]\.due_date is ".+" \(not a date; the contract wants format date\)$/);
    expect(words('entities[].kind')).toMatch(/^entities\[\d+\]\.kind is ".*" \(not one of the contract's values: "person", "project", /);
    expect(words('tasks')).toMatch(/^tasks has 5[1-3] items \(the contract allows at most 50\)$/);
  });
});

describe('text that JSON allows and a system may not store', () => {
  it('puts U+0000 and other control characters into every free-text string, and only there', () => {
    const sites = textHazardSites(jsonSchemaOf(extractStructuredUpdatesV1)).map((s) => `${s.shape} ${s.path}`);
    expect(sites).toEqual([
      'nul-character tasks[].title',
      'control-characters tasks[].title',
      'nul-character notes[].text',
      'control-characters notes[].text',
      'nul-character notes[].tags[]',
      'control-characters notes[].tags[]',
      'nul-character entities[].name',
      'control-characters entities[].name',
    ]); // not due_date (a format) nor kind (an enum)
  });

  for (const [name, contract] of Object.entries(CONTRACTS)) {
    it(`${name}: every case is the contract's JSON Schema shape and carries the hazard; the reference contract refuses it`, () => {
      const accepts = typesOnly(contract);
      for (const site of textHazardSites(jsonSchemaOf(contract))) {
        fc.assert(
          fc.property(site.cases, (c) => {
            const text = c.at.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], c.payload) as string;
            expect(text).toMatch(site.shape === 'nul-character' ? /\u0000/ : /[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/);
            expect(accepts(c.payload)).toBe(true);
            // The embeddings contract keeps `model` free text; the others refuse control characters (plainText).
            if (name !== 'embeddings') expect(contract.safeParse(c.payload).error?.issues[0]?.message).toMatch(/control character/);
          }),
          { seed: 13, numRuns: 30 },
        );
      }
    });
  }

  it('shows the hazard escaped, so a finding never prints an invisible character', () => {
    const site = textHazardSites(jsonSchemaOf(rewritePlanV1)).find((s) => s.shape === 'control-characters' && s.path === 'summary')!;
    for (const c of fc.sample(site.cases, { seed: 4, numRuns: 20 })) {
      expect(c.description).toMatch(/^summary is ".*\\(u00[0-9a-f]{2}|b|f).*" \(text with control character U\+00[0-9A-F]{2}: /);
      expect(c.description).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    }
  });
});

describe('a valid answer at the contract limits', () => {
  it('meets each contract with every list at its maximum length and every string at its maximum', () => {
    for (const contract of Object.values(CONTRACTS)) expect(contract.safeParse(limitsExample(jsonSchemaOf(contract))).error).toBeUndefined();
    const capture = limitsExample(jsonSchemaOf(extractStructuredUpdatesV1)) as z.infer<typeof extractStructuredUpdatesV1>;
    expect([capture.tasks.length, capture.notes.length, capture.entities.length, capture.notes[0]!.tags.length]).toEqual([50, 50, 50, 10]);
    expect([capture.tasks[0]!.title.length, capture.notes[0]!.text.length, capture.tasks[0]!.priority, capture.entities[0]!.confidence]).toEqual([500, 4000, 4, 1]);
    expect((limitsExample(jsonSchemaOf(rewritePlanV1)) as z.infer<typeof rewritePlanV1>).today_plan).toHaveLength(30);
  });
});
