/** The CLI's one line per error: exit codes by kind, and the flag to type where the pipeline asks for a text. */
import { describe, expect, it } from 'vitest';
import { LeashError } from '../domain/errors.ts';
import { describeError, EXIT } from './exit-codes.ts';

describe('describeError', () => {
  it('names the --confirm-text flag when an irreversible action waits for CONFIRM', () => {
    const refused = new LeashError('bad_input', 'this action cannot be undone: send the text CONFIRM to proceed', {
      field: 'confirm_text',
      policyId: 'confirm.text_required',
    });
    expect(describeError(refused)).toEqual({
      line: 'this action cannot be undone: add --confirm-text CONFIRM to proceed',
      exitCode: EXIT.badInput,
      code: 'bad_input',
    });
  });

  it('keeps other Leash errors as they are, and hides nothing a person needs', () => {
    expect(describeError(new LeashError('not_found', 'no invoice INV-000001'))).toEqual({
      line: 'no invoice INV-000001',
      exitCode: 1,
      code: 'not_found',
    });
  });
});
