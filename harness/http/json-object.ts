/** A JSON object (not an array, not null): what a profile's default field readers look into. */
export const isJsonObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
