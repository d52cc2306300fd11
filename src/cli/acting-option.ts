/**
 * `--as <email>`: the one option by which every CLI command that reads or changes an org's data names the member it
 * acts as (LEASH_USER otherwise; reads fall back to the owner). One helper so the flag and its wording are the same
 * on every command; test/cli/acting-option.test.ts checks every such command's help shows it.
 */

/** The flags and description of `--as`, for `.option(...actingAs())`; `who` says who it should be. */
export function actingAs(
  who = 'the member acting',
  fallback: 'owner' | 'none' = 'owner',
): [flags: string, description: string] {
  return ['--as <email>', `${who} (default LEASH_USER${fallback === 'owner' ? ', else the owner' : ''})`];
}
