/**
 * The audit chain without a head row (ADR 0023). An append no longer updates `audit_heads`: the append functions
 * take a transaction-level advisory lock per org (held until the caller's transaction ends, as the head row's
 * lock was), read the org's last row through the `(org_id, seq)` index, link to it, and insert. The key the next
 * row must be signed by is the last row's key, or the key an `audit.key_rotated` row names. `audit_heads` is
 * dropped: it could not stop a superuser (who could rewind it), and the signed checkpoints kept outside the
 * database are what find a cut-off tail. `leash_app` still has no INSERT, UPDATE, DELETE or TRUNCATE on
 * audit_events (migration 0015): it appends only through these functions, which compute every link themselves.
 */
import { type Kysely, sql } from 'kysely';
import { runStatements } from '../run-statements.ts';

/** The advisory lock class of audit appends (two-int form, with the org id's hash): 'AU'. */
const AUDIT_LOCK_CLASS = 0x4155;

/** Locks the org's chain for the transaction and reads its last row (seq 0 and the genesis hash when empty). */
const LOCK_AND_READ_LAST = `
      perform pg_advisory_xact_lock(${AUDIT_LOCK_CLASS}, hashtext(p_org));
      select e.seq, e.hash, case when e.event = 'audit.key_rotated' then e.result ->> 'new_key_id' else e.key_id end
        into last_seq, last_hash, last_key
        from audit_events e where e.org_id = p_org order by e.seq desc limit 1;
      if not found then
        last_seq := 0;
        last_hash := repeat('0', 64);
        last_key := null;
      end if;`;

const SCOPE_CHECK = `
      if coalesce(current_setting('leash.org_id', true), '') not in ('', p_org) then
        raise exception 'audit append for % outside the org scope', p_org using errcode = 'insufficient_privilege';
      end if;`;

/**
 * Appends rows after the org's last row when it is still (p_seq, p_hash), else changes nothing and answers with
 * the last row as it is, so the caller can link again. p_rows: [{ n, id, at, event, …, body_hash, hash,
 * signature }] in order; row n links to the last row (n = 1) or to row n - 1, and the hash the caller signed must
 * be the one computed here.
 */
const APPEND_FUNCTION = `
    create function leash_audit_append(p_org text, p_seq bigint, p_hash text, p_key_id text, p_rows jsonb)
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
      ${SCOPE_CHECK}
      ${LOCK_AND_READ_LAST}
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
          prev_hash, hash, key_id, signature)
        select c.id, p_org, c.link_seq, c.at, c.event, c.actor_id, c.actor_email, c.actor_role, c.channel,
          c.request_id, c.proposal_id, c.operation, c.customer_id, c.invoice_id, c.charge_id,
          coalesce(c.arguments, 'null'::jsonb), coalesce(c.decision, 'null'::jsonb), coalesce(c.result, 'null'::jsonb),
          c.user_input, c.link_prev, c.hash, p_key_id, c.signature
        from checked c
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

/** The same for one row, with a parameter per column (every read writes one: no JSON to take apart). */
const APPEND_ONE_FUNCTION = `
    create function leash_audit_append_one(p_org text, p_seq bigint, p_hash text, p_key_id text,
      p_id text, p_at timestamptz, p_event text, p_actor_id text, p_actor_email text, p_actor_role text,
      p_channel text, p_request_id text, p_proposal_id text, p_operation text, p_customer_id text,
      p_invoice_id text, p_charge_id text, p_arguments jsonb, p_decision jsonb, p_result jsonb, p_user_input text,
      p_body_hash text, p_row_hash text, p_signature text) returns jsonb language plpgsql security definer as $body$
    declare
      last_seq bigint;
      last_hash text;
      last_key text;
      link text;
    begin
      ${SCOPE_CHECK}
      ${LOCK_AND_READ_LAST}
      if last_seq <> p_seq or last_hash <> p_hash then
        return jsonb_build_object('ok', false, 'seq', last_seq, 'hash', last_hash, 'key_id', last_key);
      end if;
      link := encode(sha256(convert_to(last_hash || ':' || (last_seq + 1)::text || ':' || p_body_hash, 'UTF8')), 'hex');
      if link <> p_row_hash then
        raise exception 'the audit row does not link to the last row' using errcode = 'data_exception';
      end if;
      insert into audit_events (id, org_id, seq, at, event, actor_id, actor_email, actor_role, channel, request_id,
        proposal_id, operation, customer_id, invoice_id, charge_id, arguments, decision, result, user_input,
        prev_hash, hash, key_id, signature)
      values (p_id, p_org, last_seq + 1, p_at, p_event, p_actor_id, p_actor_email, p_actor_role, p_channel,
        p_request_id, p_proposal_id, p_operation, p_customer_id, p_invoice_id, p_charge_id,
        coalesce(p_arguments, 'null'::jsonb), coalesce(p_decision, 'null'::jsonb), coalesce(p_result, 'null'::jsonb),
        p_user_input, last_hash, link, p_key_id, p_signature);
      return jsonb_build_object('ok', true, 'seq', last_seq + 1, 'hash', link, 'key_id',
        case when p_event = 'audit.key_rotated' then p_result ->> 'new_key_id' else p_key_id end);
    end $body$
`;

const OLD_APPEND = 'leash_audit_append(text, bigint, text, text, text, jsonb)';
const OLD_ONE =
  'leash_audit_append_one(text, bigint, text, text, text, text, timestamptz, text, text, text, text, text, text, text, text, text, text, text, jsonb, jsonb, jsonb, text, text, text, text)';
const APPEND = 'leash_audit_append(text, bigint, text, text, jsonb)';
const ONE =
  'leash_audit_append_one(text, bigint, text, text, text, timestamptz, text, text, text, text, text, text, text, text, text, text, text, jsonb, jsonb, jsonb, text, text, text, text)';

/**
 * A SECURITY DEFINER function resolves names in the schema it was made in only, never in a schema the caller
 * put on its path (ADR 0023 says why the pinned path stays).
 */
const PIN_SEARCH_PATH = `
    do $$ begin
      execute format('alter function ${APPEND} set search_path = %I, pg_temp', current_schema());
      execute format('alter function ${ONE} set search_path = %I, pg_temp', current_schema());
    end $$
`;

/** Replaces the append functions with head-less ones and drops audit_heads. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    drop function ${OLD_APPEND};
    drop function ${OLD_ONE};
    drop table audit_heads
    `,
  );
  // The function bodies and the DO block hold semicolons, so each runs as one statement.
  await sql.raw(APPEND_FUNCTION).execute(db);
  await sql.raw(APPEND_ONE_FUNCTION).execute(db);
  await sql.raw(PIN_SEARCH_PATH).execute(db);
  await runStatements(
    db,
    `
    revoke all on function ${APPEND} from public;
    grant execute on function ${APPEND} to leash_app;
    revoke all on function ${ONE} from public;
    grant execute on function ${ONE} to leash_app
    `,
  );
}
