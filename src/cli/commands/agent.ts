/**
 * `leash ask`, `leash chat` and `leash conversations`: the agent from the terminal. Requests run through the
 * planner and the pipeline as the member named by --as; writes come back as numbered proposal cards, and only
 * the member's own answer confirms one: "yes" for the one card just shown, otherwise "confirm 2" (see
 * src/agent/confirm-in-conversation.ts).
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import type { Owner } from '../../agent/conversations.ts';
import { PLANNERS } from '../../agent/planner-names.ts';
import type { TurnResult } from '../../agent/run-turn.ts';
import type { Member } from '../../auth/members.ts';
import { printJson, printTable, showDate } from '../output.ts';
import { runJobIfAny } from '../run-job.ts';
import type { CliSession } from '../session.ts';

interface AgentOptions {
  as?: string;
  json?: boolean;
  conversation?: string;
  planner?: string;
}

async function turn(
  session: CliSession,
  member: Member,
  text: string,
  options: AgentOptions,
  onText?: (delta: string) => void,
): Promise<TurnResult> {
  const [{ operationContext }, { choosePlanner }, { runAgentTurn }] = await Promise.all([
    import('../operation-context.ts'),
    import('../../agent/planners.ts'),
    import('../../agent/run-turn.ts'),
  ]);
  const context = operationContext(session, member, session.gate);
  const planner = await choosePlanner(options.planner, { actor: context.actor });
  const result = await runAgentTurn({
    context,
    planner,
    text,
    conversationId: options.conversation,
    ...(onText ? { events: { onText } } : {}),
  });
  for (const execution of result.executions) await runJobIfAny(context, execution, Boolean(options.json));
  return result;
}

/** A model's words were already printed as they came: what of the reply follows them (the proposals). */
function printedRest(streamed: string, reply: string): string {
  const seen = streamed.trim();
  return seen && reply.startsWith(seen) ? reply.slice(seen.length) : reply;
}

function owner(session: CliSession, member: Member): Owner {
  return { orgId: session.org.id, memberId: member.id };
}

/** Registers `leash ask`, `leash chat` and `leash conversations`. */
export function registerAgentCommands(program: Command): void {
  program
    .command('ask')
    .description('Ask in plain language: look things up, explain, or prepare a change (as a proposal).')
    .argument('<request>', 'what you need, quoted')
    .option('--as <email>', 'the member asking (or LEASH_USER)')
    .option('--conversation <id>', 'continue a conversation (see `leash conversations`)')
    .option('--planner <name>', `${PLANNERS.join(' or ')} (default LEASH_PLANNER, else builtin)`)
    .option('--json', 'print { reply, calls: [{ operation, input, outcome }], conversation_id }')
    .addHelpText(
      'after',
      `
The built-in planner works offline and understands the requests in docs/agent.md: insights ("Why did MRR
drop last week?"), look-ups ("Show me payment history for Acme Corp"), and changes ("Refund order #5678",
"Apply coupon SUMMER20 to all US customers"). A change is only proposed: the reply shows the server's own
preview as a numbered card, every change before → after, and the words that confirm it. In the same
conversation (--conversation), "yes" (CONFIRM for what cannot be undone) confirms only when one proposal is
waiting and its card was the last reply; otherwise name it: "confirm 2" or "confirm prop_…" (CONFIRM 2), or
\`leash confirm PROPOSAL\`. A card marked "proposed after reading customer-supplied text" (a memo, a name, a
ticket) is never confirmed by a bare "yes". Money movement waits for a second person's approval.
With --planner llm, LEASH_MODEL=provider:model picks the model (openai, anthropic, mistral, ollama,
openai-compatible with LEASH_MODEL_BASE_URL); it calls the same operations under the same policy.
Outcomes: read (a look-up ran), pass (you may confirm), warn (needs approval), block (refused), error.

Examples:
  $ leash ask "Show me all customers with overdue invoices" --as fiona@northwind.test
  $ leash ask "Refund the last invoice for acme-corp. Reason: outage on March 15" --as carl@northwind.test --json
  $ leash ask "yes" --conversation conv_… --as carl@northwind.test
  $ leash ask "confirm 2" --conversation conv_… --as carl@northwind.test`,
    )
    .action(async (request: string, options: AgentOptions) => {
      const { resolveActor, withSession } = await import('../session.ts');
      // Without --json a model's words are printed as they come; the proposals follow when the turn ends.
      let streamed = '';
      const result = await withSession(async (session) => {
        const member = await resolveActor(session, options.as, 'write');
        return turn(
          session,
          member,
          request,
          options,
          options.json
            ? undefined
            : (delta) => {
                streamed += delta;
                process.stdout.write(delta);
              },
        );
      });
      if (options.json) {
        const { callView } = await import('../../agent/turn-view.ts');
        return printJson({
          reply: result.reply,
          calls: result.calls.map((call) => callView(call)),
          conversation_id: result.conversationId,
        });
      }
      process.stdout.write(
        `${printedRest(streamed, result.reply)}\n\n(conversation ${result.conversationId}; continue with --conversation)\n`,
      );
    });

  program
    .command('chat')
    .description('An interactive conversation with the agent, saved so you can resume it.')
    .option('--as <email>', 'the member chatting (or LEASH_USER)')
    .option('--conversation <id>', 'resume a conversation')
    .option('--planner <name>', `${PLANNERS.join(' or ')} (default LEASH_PLANNER, else builtin)`)
    .addHelpText(
      'after',
      `
Type a request and press Enter. Follow-ups can point at the last answer ("tell me more about the first one",
"retry all of these"). Answer "yes" to confirm the one proposal just shown (CONFIRM for what cannot be undone);
with several waiting, or one proposed after reading customer-supplied text, name it: "confirm 2".
  /new      start a new conversation      /list   your conversations
  /quit     leave (or Ctrl-D)

Example:
  $ leash chat --as sam@northwind.test`,
    )
    .action(async (options: AgentOptions) => {
      const [{ findConversation, listConversations }, { resolveActor, withSession }] = await Promise.all([
        import('../../agent/conversations.ts'),
        import('../session.ts'),
      ]);
      await withSession(async (session) => {
        const member = await resolveActor(session, options.as, 'write');
        const state: AgentOptions = { ...options };
        const prompt = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
        process.stdout.write(
          `Leash — ${session.org.name}, as ${member.email}. Ask anything about billing; /quit to leave.\n`,
        );
        if (state.conversation) {
          const conversation = await findConversation(session.store.db, owner(session, member), state.conversation);
          process.stdout.write(`Resuming "${conversation.title}".\n`);
        }
        try {
          // Lines are read as a stream (buffered), so piped input works as well as a terminal.
          prompt.setPrompt(process.stdin.isTTY ? '\nyou › ' : '');
          prompt.prompt();
          for await (const raw of prompt) {
            const line = raw.trim();
            if (line === '/quit' || line === '/exit') break;
            if (line === '/new') {
              state.conversation = undefined;
              process.stdout.write('New conversation.\n');
            } else if (line === '/list') {
              for (const conversation of await listConversations(session.store.db, owner(session, member), 20))
                process.stdout.write(`  ${conversation.id}  ${conversation.title}\n`);
            } else if (line !== '') {
              let streamed = '';
              try {
                process.stdout.write(process.stdin.isTTY ? '\nleash › ' : `\nyou › ${line}\nleash › `);
                const result = await turn(session, member, line, state, (delta) => {
                  streamed += delta;
                  process.stdout.write(delta);
                });
                state.conversation = result.conversationId;
                process.stdout.write(`${printedRest(streamed, result.reply)}\n`);
              } catch (error) {
                process.stdout.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
              }
            }
            prompt.prompt();
          }
        } finally {
          prompt.close();
        }
      });
    });

  const conversations = program
    .command('conversations')
    .description('Your saved conversations with the agent: list them, or show one.')
    .option('--as <email>', 'whose conversations (or LEASH_USER)')
    .option('--json', 'print JSON')
    .action(async (options: AgentOptions) => {
      const [{ listConversations }, { resolveActor, withSession }] = await Promise.all([
        import('../../agent/conversations.ts'),
        import('../session.ts'),
      ]);
      const rows = await withSession(async (session) => {
        const member = await resolveActor(session, options.as, 'write');
        return listConversations(session.store.db, owner(session, member));
      });
      if (options.json) return printJson(rows);
      if (rows.length === 0) {
        process.stdout.write('No conversations yet. Try `leash ask "What plans are available?"`.\n');
        return;
      }
      printTable(
        ['id', 'title', 'planner', 'last used'],
        rows.map((row) => [row.id, row.title, row.planner, showDate(row.updatedAt)]),
      );
    });
  conversations
    .command('show')
    .description('Show a conversation turn by turn, with each call and its outcome.')
    .argument('<id>', 'the conversation id')
    .option('--as <email>', 'whose conversation (or LEASH_USER)')
    .option('--json', 'print JSON')
    .action(async (id: string, options: AgentOptions) => {
      const [{ findConversation, listTurns }, { resolveActor, withSession }] = await Promise.all([
        import('../../agent/conversations.ts'),
        import('../session.ts'),
      ]);
      const shown = await withSession(async (session) => {
        const member = await resolveActor(session, options.as, 'write');
        const conversation = await findConversation(session.store.db, owner(session, member), id);
        return { conversation, turns: await listTurns(session.store.db, owner(session, member), id) };
      });
      if (options.json) return printJson(shown);
      process.stdout.write(`${shown.conversation.title}\n`);
      for (const stored of shown.turns) {
        process.stdout.write(`\nyou › ${stored.request}\n`);
        for (const call of stored.calls)
          process.stdout.write(`  ↳ ${call.operation} ${JSON.stringify(call.input)} → ${call.outcome}\n`);
        process.stdout.write(`leash › ${stored.reply}\n`);
      }
    });
}
