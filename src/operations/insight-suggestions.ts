/**
 * The insight operations as the registry lists them: each answer carries `suggestions` (src/insights/suggest.ts),
 * next steps drawn from its own figures. The insight only reads; a suggestion becomes a proposal only when a
 * person (or their assistant) proposes it through the pipeline.
 */
import { SUGGESTERS, type Suggestion } from '../insights/suggest.ts';
import type { ReadOperation } from './define-operation.ts';

/** `operation` with its suggestion step: the same input, the same answer plus `suggestions`. */
export function withSuggestions<Input, Output extends object>(
  operation: ReadOperation<Input, Output>,
): ReadOperation<Input, Output & { suggestions: Suggestion[] }> {
  const suggest = SUGGESTERS[operation.name];
  if (!suggest) throw new Error(`${operation.name} has no suggestion step`);
  const { subjects } = operation;
  return {
    ...operation,
    async run(context, input, connector) {
      const output = await operation.run(context, input, connector);
      return { ...output, suggestions: await suggest(output, connector) };
    },
    ...(subjects ? { subjects: (input: Input, output: Output) => subjects(input, output) } : {}),
  };
}
