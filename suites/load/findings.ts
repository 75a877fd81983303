import type { FindingTable } from 'shipgate';

export const LOAD_FINDINGS = {
  LOAD_THRESHOLD_BREACHED: {
    promise: "Under the profile's load scenario the system stays within every threshold the profile declares.",
    severity: 'high',
  },
} satisfies FindingTable;
