/**
 * Which planner a surface uses: `builtin` (offline, the default) or `llm` (LEASH_MODEL); LEASH_PLANNER sets the
 * default, a surface's `--planner` overrides it.
 */
import { LeashError } from '../domain/errors.ts';
import type { Actor } from '../policy/decide.ts';
import type { Planner } from './agent-types.ts';
import { builtinPlanner } from './builtin/builtin-planner.ts';

export { PLANNERS } from './planner-names.ts';

/**
 * A planner by name (default LEASH_PLANNER, else builtin). The LLM planner and the AI SDK load only when
 * chosen, so commands that never use a model do not pay for loading them.
 */
export async function choosePlanner(
  name: string | undefined,
  options: { env?: NodeJS.ProcessEnv; actor?: Pick<Actor, 'email' | 'role'> } = {},
): Promise<Planner> {
  const env = options.env ?? process.env;
  const chosen = name ?? env.LEASH_PLANNER ?? 'builtin';
  if (chosen === 'builtin') return builtinPlanner();
  if (chosen === 'llm') {
    const { llmPlanner } = await import('./llm/llm-planner.ts');
    return llmPlanner({ env, ...(options.actor ? { actor: options.actor } : {}) });
  }
  throw new LeashError('bad_input', `unknown planner "${chosen}" (builtin or llm)`, { field: 'planner' });
}
