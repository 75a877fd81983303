import { CONSTRAINT_BREAKS_TRIED, FAILURE_CLASSES, isEnvelope, isGenerated, notApplicableTo, type FailureClass, type OpUnderTest } from './trials.ts';

/** How many provider answers of each class reached the system, by endpoint and operation. */
export class Tally {
  readonly #counts = new Map<string, Map<string, Map<FailureClass, number>>>();

  add(endpoint: string, op: string, cls: FailureClass): void {
    const byOp = this.#counts.get(endpoint) ?? new Map<string, Map<FailureClass, number>>();
    const byClass = byOp.get(op) ?? new Map<FailureClass, number>();
    byClass.set(cls, (byClass.get(cls) ?? 0) + 1);
    byOp.set(op, byClass);
    this.#counts.set(endpoint, byOp);
  }

  count(endpoint: string, op: string, cls: FailureClass): number {
    return this.#counts.get(endpoint)?.get(op)?.get(cls) ?? 0;
  }

  /** The classes that apply to the operation and of which no answer reached the system. */
  untried(endpoint: string, op: OpUnderTest): FailureClass[] {
    return FAILURE_CLASSES.filter((k) => notApplicableTo(op, k) === undefined && this.count(endpoint, op.name, k) === 0);
  }

  /** One sign-off row: answers tried per group of classes, and the classes that do not apply. */
  row(endpoint: string, op: OpUnderTest): Record<string, number | string> {
    const sum = (classes: readonly FailureClass[]) => classes.reduce((n, k) => n + this.count(endpoint, op.name, k), 0);
    return {
      ...Object.fromEntries(GROUPS.map(([label, classes]) => [label, sum(classes)])),
      total: sum(FAILURE_CLASSES),
      'classes not applicable': FAILURE_CLASSES.filter((k) => notApplicableTo(op, k) !== undefined).join(', ') || 'none',
    };
  }
}

const GROUPS: [string, readonly FailureClass[]][] = [
  ['type shapes', FAILURE_CLASSES.filter((k) => isGenerated(k) && !CONSTRAINT_BREAKS_TRIED.includes(k))],
  ['constraints and text hazards', CONSTRAINT_BREAKS_TRIED],
  ['non-JSON / truncated / huge', ['non-json', 'truncated-json', 'huge-body']],
  ['empty envelopes', FAILURE_CLASSES.filter(isEnvelope)],
  ['429 / 500', ['http-429', 'http-500']],
  ['slow / hung', ['slow', 'hung']],
];
