/**
 * The org's modes over HTTP (issue 20): `GET /api/policy/modes` shows the preset, roles × modes, member overrides
 * and Act limits; `POST /api/policy/modes` proposes set_policy_modes through the gate and returns the proposal
 * (before → after), which is then confirmed or approved like any other: nothing is applied by this route.
 */
import { viewModes } from '../../operations/policy-modes.ts';
import { proposeOperation } from '../../operations/run-operation.ts';
import { setPolicyModesInput } from '../../operations/set-policy-modes.ts';
import { asCaller, writeRateLimit } from '../guard.ts';
import type { ServerDeps } from '../server.ts';
import type { TypedApp } from './types.ts';

/** Registers the mode routes. */
export function registerPolicyModeRoutes(app: TypedApp, deps: ServerDeps): void {
  app.get(
    '/api/policy/modes',
    {
      schema: { tags: ['policy'], summary: "The org's Insight / Act / Integrate modes: preset, roles × modes, limits" },
    },
    async (request) => asCaller(deps, request, async ({ org }) => viewModes(deps.store.db, org.id)),
  );

  app.post(
    '/api/policy/modes',
    {
      config: writeRateLimit(deps),
      schema: {
        tags: ['policy'],
        summary: 'Propose new modes (set_policy_modes through the gate; owner only; confirm or approve it after)',
        body: setPolicyModesInput,
      },
      validatorCompiler: () => (data: unknown) => ({ value: data }),
    },
    async (request, reply) =>
      asCaller(deps, request, async ({ context }) => {
        const proposal = await proposeOperation(context, 'set_policy_modes', request.body);
        return reply.status(201).send({ proposal });
      }),
  );
}
