/**
 * The modes form (issue 20): "switch to insight only mode", "turn on support act", "enable integrate mode for
 * billing managers" propose set_policy_modes. A preset by name; or one mode on or off for a role or a member,
 * read in rollout order (turning Integrate on turns Act on too; turning Act off leaves Insight). The proposal
 * card shows every value before → after; only the owner's proposal can pass, and nothing applies until confirmed.
 */
import { emailOf, parseAmount } from './entities.ts';
import type { Form } from './form.ts';
import type { Turn } from './turn.ts';

const MODES = ['insight', 'act', 'integrate'] as const;
type Mode = (typeof MODES)[number];

const EXAMPLE = 'Switch to insight only mode';

/** The preset a sentence names, if any. */
function presetOf(lower: string): 'insight-only' | 'support-act' | 'full' | undefined {
  if (/\binsights?[-\s_]*only\b|\bread[-\s]?only\s+mode\b/.test(lower)) return 'insight-only';
  if (/\bsupport[-\s_]*act\b/.test(lower)) return 'support-act';
  if (/\bfull\b|\ball\s+(?:the\s+)?modes\b|\beverything\s+on\b|\bturn\s+everything\s+on\b|\bno\s+limits\b/.test(lower))
    return 'full';
  return undefined;
}

/** The mode a sentence turns on or off ("act", "integrate"; Insight is always on). */
function modeOf(lower: string): Mode | undefined {
  if (/\bintegrat(?:e|ion|ions)\b/.test(lower)) return 'integrate';
  if (/\bact\b|\baction\s+mode\b/.test(lower)) return 'act';
  if (/\binsights?\b/.test(lower)) return 'insight';
  return undefined;
}

/** The role a sentence names, plural or not. */
function roleOf(lower: string): string | undefined {
  if (/\bread[-\s_]?only\b|\breaders?\b|\bviewers?\b/.test(lower)) return 'read_only';
  if (/\bclerks?\b|\bsupport\s+agents?\b/.test(lower)) return 'billing_clerk';
  if (/\bmanagers?\b|\bfinance\b/.test(lower)) return 'billing_manager';
  if (/\bowners?\b/.test(lower)) return 'owner';
  return undefined;
}

/** True when the sentence turns something off. */
const turnsOff = (lower: string) => /\b(?:off|disable|remove|revoke|take\s+away|no\s+more|stop|without)\b/.test(lower);

/** The modes a role ends with, in rollout order: on brings the earlier modes, off drops the later ones. */
function modesAfter(mode: Mode, off: boolean): Mode[] {
  const at = MODES.indexOf(mode);
  return off ? MODES.slice(0, Math.max(1, at)) : MODES.slice(0, at + 1);
}

/** The credit limit a sentence states ("with a $100 credit limit"), in minor units. */
function creditLimitOf(turn: Turn): { amount: number; currency: string } | undefined {
  if (!/\blimit\b|\bcap\b|\bup\s+to\b/.test(turn.lower)) return undefined;
  const amount = parseAmount(turn.text);
  return amount ? { amount: amount.amount, currency: amount.currency } : undefined;
}

const modesForm: Form = {
  name: 'change the modes',
  examples: [EXAMPLE, 'Turn on support act with a $50 credit limit', 'Enable integrate mode for billing managers'],
  intents: ['set_policy_modes'],
  async run(turn) {
    const lower = turn.lower;
    const email = emailOf(turn.text);
    const role = email ? undefined : roleOf(lower);
    const mode = modeOf(lower);
    const preset = presetOf(lower);
    const limit = creditLimitOf(turn);
    if ((role || email) && mode) {
      const modes: Mode[] =
        mode === 'insight' || preset === 'insight-only' ? ['insight'] : modesAfter(mode, turnsOff(lower));
      const who = email ? { members: { [email]: modes } } : { roles: { [role as string]: modes } };
      await turn.call('set_policy_modes', { preset: 'custom', ...who, ...turn.writeContext() });
      return turn.reply(`Modes for ${email ?? (role as string).replaceAll('_', ' ')}: ${modes.join(', ')}.`, []);
    }
    const chosen = preset ?? (mode === 'insight' ? 'insight-only' : undefined);
    if (!chosen)
      return turn.ask(
        `Which modes? Say a preset (insight only, support act, full), or a mode for a role, e.g. "${EXAMPLE}" or "Enable integrate mode for billing managers".`,
      );
    await turn.call('set_policy_modes', {
      preset: chosen,
      ...(limit ? { credit_limit: limit } : {}),
      ...turn.writeContext(),
    });
    return turn.reply(`The org's modes as ${chosen}:`, []);
  },
};

/** The form that changes the org's modes. */
export const MODE_FORMS: readonly Form[] = [modesForm];
