/**
 * A single audit append is an INSERT whose trigger links it (ADR 0029, issue 17). Since migration 0024 one append
 * was one call of the SECURITY DEFINER function `leash_audit_append_one`: entering it, its 24 parameters and its
 * jsonb answer cost about as much as the lock, the last-row read and the link together. Now the row goes straight
 * into audit_events and the BEFORE INSERT trigger `leash_audit_link` (SECURITY DEFINER, search path pinned) does
 * what the function did, for every row whoever inserts it:
 *
 * - refuses an org outside the caller's scope (as row-level security also does for `leash_app`);
 * - takes the org's chain lock (the same advisory lock as the batch function, held to the end of the caller's
 *   transaction) and reads the org's last row in a new snapshot;
 * - when the row is not the next one after that last row (its seq and prev_hash, linked by a process whose view
 *   of the chain was behind), writes nothing: the trigger answers NULL, the INSERT reports 0 rows, and the caller
 *   reads the end again and links and signs once more; no error, so the caller's transaction goes on;
 * - computes the link `sha256(prev_hash:seq:body_hash)` and refuses a row whose hash is another
 *   (`data_exception`): a row that does not link is never written;
 * - clears `body_hash`: the column only carries the body hash the caller signed into that check (the body's hash
 *   is recomputed from the row by verify, so storing it would prove nothing).
 *
 * `leash_app` gets INSERT on audit_events, still no UPDATE, DELETE or TRUNCATE (and the append-only triggers of
 * 0003 stay). What it can insert is what it could append through the function: a row that links to the last one.
 * `leash_audit_append_one` is dropped; the batch function `leash_audit_append` stays, now passing each row's body
 * hash (its rows go through the trigger too).
 */
import { type Kysely, sql } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** The advisory lock class of audit appends (two-int form, with the org id's hash): 'AU', as in 0024. */
const AUDIT_LOCK_CLASS = 0x4155;

const LINK_TRIGGER = `
    create function leash_audit_link() returns trigger language plpgsql security definer as $body$
    declare
      last_seq bigint;
      last_hash text;
    begin
      if coalesce(current_setting('leash.org_id', true), '') not in ('', new.org_id) then
        raise exception 'audit append for % outside the org scope', new.org_id using errcode = 'insufficient_privilege';
      end if;
      perform pg_advisory_xact_lock(${AUDIT_LOCK_CLASS}, hashtext(new.org_id));
      select e.seq, e.hash into last_seq, last_hash
        from audit_events e where e.org_id = new.org_id order by e.seq desc limit 1;
      if not found then
        last_seq := 0;
        last_hash := repeat('0', 64);
      end if;
      if new.seq is distinct from last_seq + 1 or new.prev_hash is distinct from last_hash then
        return null;
      end if;
      if new.body_hash is null or new.hash is distinct from
          encode(sha256(convert_to(last_hash || ':' || new.seq::text || ':' || new.body_hash, 'UTF8')), 'hex') then
        raise exception 'the audit row does not link to the last row' using errcode = 'data_exception';
      end if;
      new.body_hash := null;
      return new;
    end $body$
`;

/** The batch function of 0024, the same but for the body hash each row now carries into the trigger. */
const APPEND_FUNCTION = `
    create or replace function leash_audit_append(p_org text, p_seq bigint, p_hash text, p_key_id text, p_rows jsonb)
      returns jsonb language plpgsql security definer as $body$
    declare
      last_seq bigint;
      last_hash text;
      last_key text;
      wanted bigint := jsonb_array_length(p_rows);
      added bigint;
      end_hash text;
      end_key text;
    begin
      if coalesce(current_setting('leash.org_id', true), '') not in ('', p_org) then
        raise exception 'audit append for % outside the org scope', p_org using errcode = 'insufficient_privilege';
      end if;
      perform pg_advisory_xact_lock(${AUDIT_LOCK_CLASS}, hashtext(p_org));
      select e.seq, e.hash, case when e.event = 'audit.key_rotated' then e.result ->> 'new_key_id' else e.key_id end
        into last_seq, last_hash, last_key
        from audit_events e where e.org_id = p_org order by e.seq desc limit 1;
      if not found then
        last_seq := 0;
        last_hash := repeat('0', 64);
        last_key := null;
      end if;
      if last_seq <> p_seq or last_hash <> p_hash or wanted = 0 then
        return jsonb_build_object('ok', false, 'seq', last_seq, 'hash', last_hash, 'key_id', last_key);
      end if;
      with given as (
        select r.* from jsonb_to_recordset(p_rows) as r(n bigint, id text, at timestamptz, event text, actor_id text,
          actor_email text, actor_role text, channel text, request_id text, proposal_id text, operation text,
          customer_id text, invoice_id text, charge_id text, arguments jsonb, decision jsonb, result jsonb,
          user_input text, body_hash text, hash text, signature text)
      ), linked as (
        select given.*, last_seq + given.n as link_seq,
          case when given.n = 1 then last_hash else lag(given.hash) over (order by given.n) end as link_prev
        from given
      ), checked as (
        select linked.* from linked
        where linked.hash = encode(sha256(convert_to(linked.link_prev || ':' || linked.link_seq::text || ':' ||
          linked.body_hash, 'UTF8')), 'hex')
      ), appended as (
        insert into audit_events (id, org_id, seq, at, event, actor_id, actor_email, actor_role, channel, request_id,
          proposal_id, operation, customer_id, invoice_id, charge_id, arguments, decision, result, user_input,
          prev_hash, hash, key_id, signature, body_hash)
        select c.id, p_org, c.link_seq, c.at, c.event, c.actor_id, c.actor_email, c.actor_role, c.channel,
          c.request_id, c.proposal_id, c.operation, c.customer_id, c.invoice_id, c.charge_id,
          coalesce(c.arguments, 'null'::jsonb), coalesce(c.decision, 'null'::jsonb), coalesce(c.result, 'null'::jsonb),
          c.user_input, c.link_prev, c.hash, p_key_id, c.signature, c.body_hash
        from checked c order by c.n
        returning audit_events.seq, audit_events.hash, audit_events.event, audit_events.result
      )
      select count(*), (array_agg(a.hash order by a.seq desc))[1],
        (array_agg(case when a.event = 'audit.key_rotated' then a.result ->> 'new_key_id' else p_key_id end
          order by a.seq desc))[1]
        into added, end_hash, end_key from appended a;
      if added <> wanted or (select max(g.n) from jsonb_to_recordset(p_rows) as g(n bigint)) <> wanted then
        raise exception 'audit rows do not link to the last row (% of % linked)', added, wanted
          using errcode = 'data_exception';
      end if;
      return jsonb_build_object('ok', true, 'seq', last_seq + added, 'hash', end_hash, 'key_id', end_key);
    end $body$
`;

const APPEND = 'leash_audit_append(text, bigint, text, text, jsonb)';
const ONE =
  'leash_audit_append_one(text, bigint, text, text, text, timestamptz, text, text, text, text, text, text, text, text, text, text, text, jsonb, jsonb, jsonb, text, text, text, text)';

/** Both functions resolve names in their own schema only (ADR 0023 says why the pinned path stays). */
const PIN_SEARCH_PATH = `
    do $$ begin
      execute format('alter function ${APPEND} set search_path = %I, pg_temp', current_schema());
      execute format('alter function leash_audit_link() set search_path = %I, pg_temp', current_schema());
    end $$
`;

/** Adds the carrier column and the link trigger, drops the one-row function, lets leash_app insert. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    drop function ${ONE};
    alter table audit_events add column body_hash text
    `,
  );
  // The function bodies and the DO block hold semicolons, so each runs as one statement.
  await sql.raw(LINK_TRIGGER).execute(db);
  await sql.raw(APPEND_FUNCTION).execute(db);
  await sql.raw(PIN_SEARCH_PATH).execute(db);
  await runStatements(
    db,
    `
    revoke all on function leash_audit_link() from public;
    create trigger audit_events_link before insert on audit_events for each row execute function leash_audit_link();
    grant insert on audit_events to leash_app
    `,
  );
}
