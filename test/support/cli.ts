/** Runs the real `leash` command (node bin/leash.js) from the repo root, for end-to-end tests. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';

/** The repository's root (where bin/leash.js lives). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a command did. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` to completion; standard input gets `input` (or is closed at once); killed after `timeoutMs`. */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise<CliResult>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 90_000,
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** `node bin/leash.js …args` with exactly `env`; standard input gets `input` (or is closed at once). */
export function runLeash(
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  return runProcess(process.execPath, ['bin/leash.js', ...args], { cwd: REPO_ROOT, ...options });
}

/** Parses stdout as JSON, naming the command's output when it is not JSON. */
export function json<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

/** A running `leash start` (its process and port). */
export interface LeashServer {
  child: ChildProcessWithoutNullStreams;
  port: number;
  /** What it printed so far. */
  output(): string;
  /** Stops it (SIGTERM, or `signal`) and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `node bin/leash.js start` on a free loopback port with exactly `env`; resolves once it says it runs. */
export async function startLeashServer(env: NodeJS.ProcessEnv): Promise<LeashServer> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bin/leash.js', 'start', '--port', String(port)], { cwd: REPO_ROOT, env });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Leash is running')) resolve();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.once('exit', (code) => reject(new Error(`leash start exited ${code}: ${output}`)));
  });
  return {
    child,
    port,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill(signal);
      await closed;
    },
  };
}
