/** `leash keys create|list|revoke`: API keys for MCP clients and automation. */
import type { Command } from 'commander';
import { actingAs } from '../acting-option.ts';
import { printJson, printTable, showDate } from '../output.ts';

/** Registers `leash keys`. */
export function registerKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('API keys for MCP clients and automation: shown once, stored hashed, revocable.')
    .addHelpText(
      'after',
      `
A key acts as the member who created it, with that member's role as it is at each use. Give it to an MCP
client as LEASH_API_KEY (\`LEASH_API_KEY=lk_… npx leash mcp\`). Leash keeps only a hash: a lost key cannot be
shown again; revoke it and create another. A key made with --scope gate may call only the gate service
(/api/gate/…, for another company's agent; see docs/gate.md): every other route and MCP refuse it.

Examples:
  $ leash keys create --as carl@northwind.test --name "Claude Desktop"
  $ leash keys create --as max@northwind.test --name "Helpdesk bot" --scope gate
  $ leash keys list --as olivia@northwind.test
  $ leash keys revoke key_… --as carl@northwind.test`,
    );
  keys
    .command('create')
    .description('Create a key for the acting member; prints it once.')
    .option('--as <email>', 'the member the key acts as (or LEASH_USER)')
    .option('--name <name>', 'what the key is for', 'API key')
    .option('--scope <scope>', 'all, or gate: the key may call only the gate service (docs/gate.md)', 'all')
    .option('--json', 'print JSON')
    .action(async (options: { as?: string; name: string; scope: string; json?: boolean }) => {
      const [{ API_KEY_SCOPES, createApiKey }, { resolveActor, withSession }, { LeashError }] = await Promise.all([
        import('../../auth/api-keys.ts'),
        import('../session.ts'),
        import('../../domain/errors.ts'),
      ]);
      const scope = API_KEY_SCOPES.find((known) => known === options.scope);
      if (!scope) throw new LeashError('bad_input', '--scope is all or gate', { field: 'scope' });
      const created = await withSession(async (session) => {
        const member = await resolveActor(session, options.as, 'write');
        return { ...(await createApiKey(session.store.db, member, options.name, 'cli', scope)), email: member.email };
      });
      if (options.json) return printJson(created);
      process.stdout.write(
        `${created.key}\n\nThis is the only time the key is shown. It acts as ${created.email}; id ${created.info.id}.\n`,
      );
    });
  keys
    .command('list')
    .description("List keys: yours, or every member's for the owner (never the keys themselves).")
    .option(...actingAs())
    .option('--json', 'print JSON')
    .action(async (options: { as?: string; json?: boolean }) => {
      const [{ listApiKeys }, { resolveActor, withSession }] = await Promise.all([
        import('../../auth/api-keys.ts'),
        import('../session.ts'),
      ]);
      const listed = await withSession(async (session) =>
        listApiKeys(session.store.db, await resolveActor(session, options.as, 'read')),
      );
      if (options.json) return printJson(listed);
      printTable(
        ['id', 'name', 'scope', 'starts with', 'member', 'created', 'last used', 'revoked'],
        listed.map((key) => [
          key.id,
          key.name,
          key.scope,
          `${key.prefix}…`,
          key.memberId,
          showDate(key.createdAt),
          showDate(key.lastUsedAt),
          showDate(key.revokedAt),
        ]),
        'no API keys',
      );
    });
  keys
    .command('revoke')
    .description('Revoke a key (yours, or any as the owner); it stops working at once.')
    .argument('<id>', 'key id (key_…)')
    .option('--as <email>', 'the member acting (or LEASH_USER)')
    .action(async (id: string, options: { as?: string }) => {
      const [{ revokeApiKey }, { resolveActor, withSession }] = await Promise.all([
        import('../../auth/api-keys.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        await revokeApiKey(session.store.db, await resolveActor(session, options.as, 'write'), id);
      });
      process.stdout.write(`revoked ${id}\n`);
    });
}
