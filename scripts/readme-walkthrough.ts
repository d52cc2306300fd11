/**
 * The README's walk-through, run as a test: `npm run walkthrough` (CI runs it after `npm test` on PGlite).
 *
 * 1. Starts `npm start -- --port N` on a fresh data directory (LEASH_DATA_DIR in a temporary directory) and waits
 *    for "Leash is running" (the first run builds the 300-customer demo).
 * 2. Takes every command from the README's ```sh blocks, in order. A short, explicit list (SKIPS) names the kinds
 *    that are not run — set-up this script does itself, the test suite, long-running or interactive programs and
 *    programs outside this repository — each with the reason, which the output repeats. Everything else runs, so
 *    a new README example runs by default.
 * 3. Runs each in its own shell from the repository root, with LEASH_DATA_DIR naming the server's data directory:
 *    the CLI reaches the store the server holds through its local channel (channel/leash.sock), which is what this proves.
 *    The README's placeholders are filled by the small SUBSTITUTIONS table below. An example that exits non-zero
 *    (unless EXPECTED_EXIT says the README promises that) fails the walkthrough.
 * 4. Prints `N passed, M failed, K skipped`, stops the server with SIGTERM (npm start must then exit 0, leaving
 *    no leash.pid or channel/leash.sock behind), removes the temporary directory and exits 1 if anything failed.
 *
 *   node bin/run-ts.js scripts/readme-walkthrough.ts [--keep]   (--keep leaves the temporary directory)
 *
 * The CLI runs from dist/: run `npm run build` first (npm ci does, through "prepare").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/free-port.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = join(ROOT, 'README.md');
const KEEP = process.argv.includes('--keep');

/** How long one README command may take. */
const COMMAND_TIMEOUT_MS = 150_000;
/** How long `npm start` may take to say "Leash is running" (it builds the demo business first). */
const START_TIMEOUT_MS = 8 * 60_000;
/** The whole walkthrough, start-up included. */
const TOTAL_TIMEOUT_MS = 25 * 60_000;

/**
 * README commands that are not run, matched against the command as the README writes it. Keep this list short:
 * anything not listed runs.
 */
const SKIPS: { pattern: RegExp; why: string }[] = [
  {
    pattern: /^npm (pack|install -g)\b/,
    why: 'packs or installs the package globally; test/package/package.test.ts covers it',
  },
  { pattern: /^npm install\b/, why: 'installs packages (CI ran npm ci); the walkthrough runs this checkout' },
  { pattern: /^npm start\b/, why: 'the walkthrough started the server this way itself (npm start -- --port N)' },
  { pattern: /^(npm test|npx vitest)\b/, why: 'the test suite: CI runs it as its own step' },
  { pattern: /^npm run build:web\b/, why: 'rebuilds web/dist in the working tree (npm ci runs it through "prepare")' },
  { pattern: /^npm run dev:web\b/, why: 'a dev server that runs until stopped' },
  { pattern: /^npm run bench\b(?! -- --help)/, why: 'benchmarks run for minutes (`npm run bench -- --help` runs)' },
  { pattern: /^claude\b/, why: 'needs Claude Code (`claude`), a program outside this repository' },
  {
    pattern: /\bleash webhooks redeliver\b/,
    why: 'needs a dead delivery (an endpoint that failed 8 times); test/webhooks/delivery.test.ts redelivers one',
  },
  {
    pattern: /\bleash (connect|sync|disconnect) stripe\b/,
    why: 'needs a Stripe test account (a restricted rk_test_ key); `leash connect status` runs',
  },
];

/** Examples the README says exit non-zero, with the code it promises (none today: `policy explain` exits 0). */
const EXPECTED_EXIT: { pattern: RegExp; code: number; why: string }[] = [];

/**
 * What an example reads on stdin (default: nothing, stdin closed), and what its output must show.
 * `leash chat` gets the README's own request and follow-up; `leash mcp` an MCP handshake and tools/list.
 */
const STDIN: { pattern: RegExp; what: string; input: string; expect?: RegExp }[] = [
  {
    pattern: /\bleash chat\b/,
    what: "the README's request and its follow-up, then end of input",
    input: 'Show me all customers with overdue invoices\ntell me more about the first one\n',
    expect: /you › tell me more about the first one\nleash › \S/,
  },
  {
    pattern: /\bleash mcp\b/,
    what: 'initialize and tools/list (JSON-RPC lines), then end of input; refund_charge must be listed',
    input: `${[
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'walkthrough', version: '1' } },
      },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    ]
      .map((message) => JSON.stringify(message))
      .join('\n')}\n`,
    expect: /"name":"refund_charge"/,
  },
];

interface Example {
  line: number;
  command: string;
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

// ---------------------------------------------------------------------------------------------------------------
// The README's commands

/** The text before an unquoted ` #` comment. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index];
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') quote = char;
    else if (char === '#' && (index === 0 || /\s/.test(line[index - 1] ?? ''))) return line.slice(0, index).trimEnd();
  }
  return line.trimEnd();
}

/** Every command in the README's ```sh blocks, in order, with `\` continuations joined. */
function readmeExamples(text: string): Example[] {
  const examples: Example[] = [];
  const lines = text.split('\n');
  let inSh = false;
  let pending: Example | undefined;
  for (const [index, raw] of lines.entries()) {
    if (!inSh) {
      if (/^```sh\s*$/.test(raw)) inSh = true;
      continue;
    }
    if (/^```\s*$/.test(raw)) {
      inSh = false;
      continue;
    }
    const code = stripComment(raw).trim();
    if (!code) continue;
    const continued = code.endsWith('\\');
    const piece = continued ? code.slice(0, -1).trim() : code;
    pending = pending
      ? { line: pending.line, command: `${pending.command} ${piece}` }
      : { line: index + 1, command: piece };
    if (!continued) {
      examples.push(pending);
      pending = undefined;
    }
  }
  return examples;
}

// ---------------------------------------------------------------------------------------------------------------
// Processes

/** Runs a shell command in its own process group, killed (the whole group) at the timeout. */
function run(command: string, env: NodeJS.ProcessEnv, input = '', timeoutMs = COMMAND_TIMEOUT_MS): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd: ROOT, env, detached: true, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    const timer = setTimeout(() => {
      stderr += `\n[walkthrough: timed out after ${timeoutMs / 1000} s; killed]`;
      killGroup(child, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');

// ---------------------------------------------------------------------------------------------------------------
// The walkthrough

const tempDir = mkdtempSync(join(tmpdir(), 'leash-walkthrough-'));
const dataDir = join(tempDir, 'data');
const port = await freePort();
const childEnv: NodeJS.ProcessEnv = { ...process.env, LEASH_DATA_DIR: dataDir, npm_config_update_notifier: 'false' };
// The walkthrough is about the embedded store the server holds, acting as the README's --as members.
for (const name of ['DATABASE_URL', 'LEASH_USER', 'LEASH_API_KEY', 'LEASH_MODEL', 'LEASH_PLANNER', 'NODE_ENV'])
  delete childEnv[name];

let server: ChildProcess | undefined;
let serverLog = '';
let finished = false;

function cleanUp(): void {
  if (server && server.exitCode === null) killGroup(server, 'SIGKILL');
  if (KEEP) console.log(`(kept ${tempDir})`);
  else rmSync(tempDir, { recursive: true, force: true });
}

const overall = setTimeout(() => {
  if (finished) return;
  console.error(`walkthrough: over ${TOTAL_TIMEOUT_MS / 60_000} minutes in all; stopping`);
  cleanUp();
  process.exit(1);
}, TOTAL_TIMEOUT_MS);

async function startServer(): Promise<void> {
  console.log(`== npm start -- --port ${port}   (LEASH_DATA_DIR=${dataDir}; the first run builds the demo)`);
  const started = Date.now();
  server = spawn('npm', ['start', '--', '--port', String(port)], {
    cwd: ROOT,
    env: childEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child = server;
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    serverLog += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    serverLog += chunk;
  });
  while (!/Leash is running/.test(serverLog)) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `npm start exited (${child.exitCode ?? child.signalCode}) before it was running:\n${tail(serverLog)}`,
      );
    if (Date.now() - started > START_TIMEOUT_MS)
      throw new Error(
        `npm start did not say "Leash is running" within ${START_TIMEOUT_MS / 1000} s:\n${tail(serverLog)}`,
      );
    await sleep(250);
  }
  // Wait for the rest of the banner (it says whether the local channel is up).
  while (!/Ctrl-C stops the server/.test(serverLog)) await sleep(100);
  if (!/reach its store through this process/.test(serverLog))
    throw new Error(`the server did not open its local channel:\n${tail(serverLog)}`);
  console.log(`   running after ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}

/** A `leash` command the walkthrough itself runs (to fill a placeholder), as JSON. */
async function leashJson(args: string): Promise<unknown> {
  const result = await run(`node bin/leash.js ${args}`, childEnv);
  if (result.code !== 0) throw new Error(`leash ${args} exited ${result.code}: ${tail(result.stderr, 5)}`);
  return JSON.parse(result.stdout);
}

/** An access token for `email`: the README's sign-in (POST /api/auth/login), the link from the log, redeemed. */
async function accessToken(email: string): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  const from = serverLog.length;
  const login = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  if (login.status !== 202) throw new Error(`POST /api/auth/login answered ${login.status}`);
  const deadline = Date.now() + 30_000;
  let token: string | undefined;
  while (!token) {
    for (const line of serverLog.slice(from).split('\n')) {
      if (!line.includes('"purpose":"login"') || !line.includes(`"to":"${email}"`)) continue;
      token = /\/login\?token=([A-Za-z0-9_-]+)/.exec(line)?.[1];
    }
    if (!token && Date.now() > deadline) throw new Error(`no sign-in link for ${email} in the server's log`);
    if (!token) await sleep(100);
  }
  const redeem = await fetch(`${base}/api/auth/redeem`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (redeem.status !== 200) throw new Error(`POST /api/auth/redeem answered ${redeem.status}`);
  return ((await redeem.json()) as { access_token: string }).access_token;
}

/** Acme Corp's newest charge with at least `amount` still refundable (the README's refunds are Acme's). */
async function refundableCharge(amount: number): Promise<string> {
  const details = (await leashJson(`customer "Acme Corp" --json`)) as {
    charges: { id: string; status: string; amount: number; amountRefunded: number; createdAt: string }[];
  };
  const charge = details.charges
    .filter((c) => c.status === 'succeeded' && c.amount - c.amountRefunded >= amount)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  if (!charge) throw new Error(`Acme Corp has no charge with ${amount} refundable`);
  return charge.id;
}

/** The newest pending approval request: the one the README's previous example opened. */
async function newestPendingApproval(): Promise<string> {
  const views = (await leashJson('approvals list --json')) as { id: string }[];
  const newest = views[0];
  if (!newest) throw new Error('no pending approval request to approve');
  return newest.id;
}

/**
 * A PASS proposal by `email`: a change short-leash lets a clerk make (Acme Corp's address; a change of its billing
 * email would need a support lead since issue 17).
 */
let proposals = 0;
async function passProposal(email: string): Promise<string> {
  proposals += 1;
  const acme = (await leashJson(`customer "Acme Corp" --json`)) as { customer: { id: string } };
  const input = JSON.stringify({
    customer_id: acme.customer.id,
    address: { line1: `${proposals} Walkthrough Road`, city: 'Leeds' },
    reason: 'new billing address',
    case_id: 'T-1',
  });
  const command = `node bin/leash.js run update_customer --as ${email} --input '${input}'`;
  console.log(`   prepare: ${command.replace('node bin/leash.js', 'leash')}`);
  const result = await run(command, childEnv);
  const id = /prop_[A-Za-z0-9]+/.exec(result.stdout)?.[0];
  if (result.code !== 0 || !id || !/decision:\s+PASS/.test(result.stdout))
    throw new Error(`could not make a PASS proposal as ${email}: ${tail(result.stdout + result.stderr, 8)}`);
  return id;
}

/** The JSON of the most recent `--input '…'` the walkthrough ran, as the README wrote it (placeholders kept). */
let lastInput: string | undefined;

/**
 * SUBSTITUTIONS: how a README command becomes one that runs here. Each entry is applied in order; `apply` may
 * look things up. Anything still containing "…" afterwards fails as an unfilled placeholder.
 */
const SUBSTITUTIONS: { what: string; apply: (command: string, env: NodeJS.ProcessEnv) => Promise<string> }[] = [
  {
    what: '`npx leash` runs with --no-install: this checkout\'s bin, never the unrelated "leash" from the registry',
    apply: async (command) => command.replace(/\bnpx leash\b/g, 'npx --no-install leash'),
  },
  {
    what: 'a data directory named inline (LEASH_DATA_DIR=X …) goes inside the temporary directory',
    apply: async (command) =>
      command.replace(/^LEASH_DATA_DIR=(\S+)/, (_all, dir: string) => `LEASH_DATA_DIR=${join(tempDir, dir)}`),
  },
  {
    what: "port 8787 becomes the server's port",
    apply: async (command) => command.replace(/\b(localhost|127\.0\.0\.1):8787\b/g, `$1:${port}`),
  },
  {
    what: 'curl gets --fail-with-body -sS: an HTTP error status fails the example (curl alone exits 0)',
    apply: async (command) => command.replace(/^curl /, 'curl --fail-with-body -sS '),
  },
  {
    what: "`'{…}'` is the input of the README's previous --input example (placeholders filled afresh)",
    apply: async (command) => {
      const input = /--input '([^']*)'/.exec(command)?.[1];
      if (input === '{…}') {
        if (!lastInput) throw new Error("'{…}' with no earlier --input example");
        return command.replace(`'{…}'`, `'${lastInput}'`);
      }
      if (input) lastInput = input;
      return command;
    },
  },
  {
    what: 'ch_… is Acme Corp\'s newest charge with the amount still refundable (`leash customer "Acme Corp" --json`)',
    apply: async (command) => {
      if (!command.includes('ch_…')) return command;
      const amount = Number(/"amount":(\d+)/.exec(command)?.[1] ?? 1);
      return command.replaceAll('ch_…', await refundableCharge(amount));
    },
  },
  {
    what: 'apr_… is the newest pending request (`leash approvals list --json`): the one the example before opened',
    apply: async (command) =>
      command.includes('apr_…') ? command.replaceAll('apr_…', await newestPendingApproval()) : command,
  },
  {
    what: 'prop_… is a PASS proposal the walkthrough makes first as the --as member (`leash run update_customer`)',
    apply: async (command) => {
      if (!command.includes('prop_…')) return command;
      const member = /--as (\S+)/.exec(command)?.[1];
      if (!member) throw new Error('prop_… without --as');
      return command.replaceAll('prop_…', await passProposal(member));
    },
  },
  {
    what: "$TOKEN is carl's and $FINANCE_TOKEN fiona's access token (login, the link from the server's log, redeem)",
    apply: async (command, env) => {
      if (/\$TOKEN\b/.test(command)) env.TOKEN ??= await accessToken('carl@northwind.test');
      if (/\$FINANCE_TOKEN\b/.test(command)) env.FINANCE_TOKEN ??= await accessToken('fiona@northwind.test');
      return command;
    },
  },
  {
    what: 'output redirected to a file (> audit.csv) goes into the temporary directory',
    apply: async (command) => command.replace(/ > (?!\/)(\S+)$/, (_all, file: string) => ` > ${join(tempDir, file)}`),
  },
];

let passed = 0;
const failures: string[] = [];
const skipped: string[] = [];

async function walk(): Promise<void> {
  const examples = readmeExamples(readFileSync(README, 'utf8'));
  console.log(`${examples.length} commands in the README's sh blocks. Substitutions:`);
  for (const substitution of SUBSTITUTIONS) console.log(`  · ${substitution.what}`);
  console.log('');
  const env: NodeJS.ProcessEnv = { ...childEnv };
  for (const example of examples) {
    const label = `README.md:${example.line}  ${example.command}`;
    const skip = SKIPS.find((entry) => entry.pattern.test(example.command));
    if (skip) {
      skipped.push(`${label}\n      (${skip.why})`);
      console.log(`skip ${label}\n      (${skip.why})`);
      continue;
    }
    let command = example.command;
    let plain = '';
    try {
      for (const [index, substitution] of SUBSTITUTIONS.entries()) {
        command = await substitution.apply(command, env);
        if (index === 0) plain = command; // the --no-install guard alone is not worth a `ran:` line
      }
      if (command.includes('…')) throw new Error(`unfilled placeholder in: ${command}`);
    } catch (error) {
      failures.push(label);
      console.log(`FAIL ${label}\n      could not prepare it: ${(error as Error).message}`);
      continue;
    }
    const stdin = STDIN.find((entry) => entry.pattern.test(example.command));
    const expected = EXPECTED_EXIT.find((entry) => entry.pattern.test(example.command));
    const result = await run(command, env, stdin?.input ?? '');
    const wantCode = expected?.code ?? 0;
    const outputOk = !stdin?.expect || stdin.expect.test(result.stdout);
    const seconds = `${(result.ms / 1000).toFixed(1)} s`;
    if (result.code === wantCode && outputOk) {
      passed += 1;
      const ran = command === plain ? '' : `\n      ran: ${command}`;
      console.log(`ok   ${label}  (${seconds})${ran}${stdin ? `\n      stdin: ${stdin.what}` : ''}`);
      continue;
    }
    failures.push(label);
    console.log(
      [
        `FAIL ${label}  (${seconds})`,
        `      ran: ${command}`,
        `      exit code ${result.code ?? result.signal} (expected ${wantCode})${outputOk ? '' : `; stdout did not match ${stdin?.expect}`}`,
        result.stderr.trim() ? `      stderr:\n${indent(tail(result.stderr))}` : '      stderr: (empty)',
        result.stdout.trim() ? `      stdout (end):\n${indent(tail(result.stdout, 8))}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }
}

/** SIGTERM to the server process (the pid in leash.pid); npm start must then exit 0 and leave no lock behind. */
async function stopServer(): Promise<void> {
  const child = server;
  if (!child) return;
  const pidFile = join(dataDir, 'leash.pid');
  const pid = Number.parseInt(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : '', 10);
  if (!Number.isInteger(pid) || !alive(pid)) throw new Error(`no live server pid in ${pidFile}`);
  const exited = new Promise<number | string>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  process.kill(pid, 'SIGTERM');
  const outcome = await Promise.race([exited, sleep(60_000).then(() => 'no exit within 60 s')]);
  if (outcome !== 0) throw new Error(`npm start after SIGTERM: ${outcome}\n${tail(serverLog)}`);
  const left = ['leash.pid', 'channel/leash.sock'].filter((file) => existsSync(join(dataDir, file)));
  if (left.length > 0) throw new Error(`the server left ${left.join(' and ')} behind`);
}

let exitCode = 0;
const began = Date.now();
try {
  await startServer();
  await walk();
  writeFileSync(join(tempDir, 'server.log'), serverLog);
  try {
    await stopServer();
    console.log('\nserver stopped cleanly (SIGTERM; npm start exited 0)');
  } catch (error) {
    failures.push(`stopping the server: ${(error as Error).message}`);
    console.log(`\nFAIL stopping the server: ${(error as Error).message}`);
  }
  if (failures.length > 0) {
    console.log('\nFailed:');
    for (const failure of failures) console.log(`  ${failure}`);
    exitCode = 1;
  }
  console.log(
    `\n${passed} passed, ${failures.length} failed, ${skipped.length} skipped  (${((Date.now() - began) / 1000).toFixed(0)} s)`,
  );
} catch (error) {
  console.error(`walkthrough: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  finished = true;
  clearTimeout(overall);
  cleanUp();
}
process.exit(exitCode);
