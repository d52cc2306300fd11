/** Planner names: light enough for `leash ask --help` to list them without loading a planner. */
export const PLANNERS = ['builtin', 'llm'] as const;
