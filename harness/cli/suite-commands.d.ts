/** See suite-commands.js. */
export declare const RUNS_SUITES: ReadonlySet<string>;
