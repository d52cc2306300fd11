/**
 * Signed audit rows (ADR 0015): each row carries the id of the Ed25519 key that signed its hash and the
 * signature; each head records the key the next row must be signed by. The application role `leash_app`
 * (migration 0011) loses INSERT, UPDATE and DELETE on audit_events and audit_heads: it appends only through
 * `leash_audit_append` (or `leash_audit_append_one`), SECURITY DEFINER functions that lock the head and compute every link, so the
 * role can neither move the head nor write a row out of the chain. Signatures are checked by `leash audit
 * verify`, outside the database, which never holds the signing key.
 */
import { type Kysely, sql } from 'kysely';
import { runStatements } from '../run-statements.ts';

/**
 * Appends rows to an org's chain when its head is still at (p_seq, p_hash), else changes nothing and answers
 * with the head as it is, so the caller can link again. p_rows: [{ n, id, at, event, …, body_hash, hash,
 * signature }] in order; row n links to the head (n = 1) or to row n - 1, and the hash the caller signed must
 * be the one computed here. Inside an org scope (`leash.org_id` set, as for `leash_app`) only that org's chain.
 */
const APPEND_FUNCTION = `
    create function leash_audit_append(p_org text, p_seq bigint, p_hash text, p_key_id text, p_next_key_id text,
      p_rows jsonb) returns jsonb language plpgsql security definer as $body$
    declare
      scope text := coalesce(current_setting('leash.org_id', true), '');
      head_seq bigint;
      head_hash text;
      head_key text;
      wanted bigint := jsonb_array_length(p_rows);
      added bigint;
      last_hash text;
    begin
      if scope <> '' and scope <> p_org then
        raise exception 'audit append for % outside the org scope', p_org using errcode = 'insufficient_privilege';
      end if;
      select h.seq, h.hash, h.key_id into head_seq, head_hash, head_key from audit_heads h where h.org_id = p_org for update;
      if not found then
        insert into audit_heads (org_id, seq, hash) values (p_org, 0, repeat('0', 64)) on conflict (org_id) do nothing;
        select h.seq, h.hash, h.key_id into head_seq, head_hash, head_key from audit_heads h where h.org_id = p_org for update;
      end if;
      if head_seq <> p_seq or head_hash <> p_hash or wanted = 0 then
        return jsonb_build_object('ok', false, 'seq', head_seq, 'hash', head_hash, 'key_id', head_key);
      end if;
      with given as (
        select r.* from jsonb_to_recordset(p_rows) as r(n bigint, id text, at timestamptz, event text, actor_id text,
          actor_email text, actor_role text, channel text, request_id text, proposal_id text, operation text,
          customer_id text, invoice_id text, charge_id text, arguments jsonb, decision jsonb, result jsonb,
          user_input text, body_hash text, hash text, signature text)
      ), linked as (
        select given.*, head_seq + given.n as link_seq,
          case when given.n = 1 then head_hash else lag(given.hash) over (order by given.n) end as link_prev
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
        returning audit_events.seq, audit_events.hash
      )
      select count(*), (array_agg(a.hash order by a.seq desc))[1] into added, last_hash from appended a;
      if added <> wanted or (select max(g.n) from jsonb_to_recordset(p_rows) as g(n bigint)) <> wanted then
        raise exception 'audit rows do not link to the head (% of % linked)', added, wanted using errcode = 'data_exception';
      end if;
      update audit_heads set seq = head_seq + added, hash = last_hash, key_id = coalesce(p_next_key_id, p_key_id)
        where org_id = p_org;
      return jsonb_build_object('ok', true, 'seq', head_seq + added, 'hash', last_hash,
        'key_id', coalesce(p_next_key_id, p_key_id));
    end $body$
`;

/**
 * The same for one row, with a parameter per column: no JSON to take apart, so a single append (every read's
 * audit row) costs little more than an insert and a head update.
 */
const APPEND_ONE_FUNCTION = `
    create function leash_audit_append_one(p_org text, p_seq bigint, p_hash text, p_key_id text, p_next_key_id text,
      p_id text, p_at timestamptz, p_event text, p_actor_id text, p_actor_email text, p_actor_role text,
      p_channel text, p_request_id text, p_proposal_id text, p_operation text, p_customer_id text,
      p_invoice_id text, p_charge_id text, p_arguments jsonb, p_decision jsonb, p_result jsonb, p_user_input text,
      p_body_hash text, p_row_hash text, p_signature text) returns jsonb language plpgsql security definer as $body$
    declare
      scope text := coalesce(current_setting('leash.org_id', true), '');
      head_seq bigint;
      head_hash text;
      head_key text;
      link text;
    begin
      if scope <> '' and scope <> p_org then
        raise exception 'audit append for % outside the org scope', p_org using errcode = 'insufficient_privilege';
      end if;
      -- One statement locks the head, checks it is where the caller linked, links and moves it.
      update audit_heads h set seq = h.seq + 1, key_id = coalesce(p_next_key_id, p_key_id),
        hash = encode(sha256(convert_to(h.hash || ':' || (h.seq + 1)::text || ':' || p_body_hash, 'UTF8')), 'hex')
        where h.org_id = p_org and h.seq = p_seq and h.hash = p_hash
        returning h.hash into link;
      if not found then
        -- The org's first event (no head yet), or the head has moved: answer with the head as it is.
        insert into audit_heads (org_id, seq, hash) values (p_org, 0, repeat('0', 64)) on conflict (org_id) do nothing;
        update audit_heads h set seq = h.seq + 1, key_id = coalesce(p_next_key_id, p_key_id),
          hash = encode(sha256(convert_to(h.hash || ':' || (h.seq + 1)::text || ':' || p_body_hash, 'UTF8')), 'hex')
          where h.org_id = p_org and h.seq = p_seq and h.hash = p_hash
          returning h.hash into link;
        if not found then
          select h.seq, h.hash, h.key_id into head_seq, head_hash, head_key from audit_heads h where h.org_id = p_org;
          return jsonb_build_object('ok', false, 'seq', head_seq, 'hash', head_hash, 'key_id', head_key);
        end if;
      end if;
      if link <> p_row_hash then
        raise exception 'the audit row does not link to the head' using errcode = 'data_exception';
      end if;
      insert into audit_events (id, org_id, seq, at, event, actor_id, actor_email, actor_role, channel, request_id,
        proposal_id, operation, customer_id, invoice_id, charge_id, arguments, decision, result, user_input,
        prev_hash, hash, key_id, signature)
      values (p_id, p_org, p_seq + 1, p_at, p_event, p_actor_id, p_actor_email, p_actor_role, p_channel,
        p_request_id, p_proposal_id, p_operation, p_customer_id, p_invoice_id, p_charge_id,
        coalesce(p_arguments, 'null'::jsonb), coalesce(p_decision, 'null'::jsonb), coalesce(p_result, 'null'::jsonb),
        p_user_input, p_hash, link, p_key_id, p_signature);
      return jsonb_build_object('ok', true, 'seq', p_seq + 1, 'hash', link,
        'key_id', coalesce(p_next_key_id, p_key_id));
    end $body$
`;

const ONE_SIGNATURE =
  'leash_audit_append_one(text, bigint, text, text, text, text, timestamptz, text, text, text, text, text, text, text, text, text, text, text, jsonb, jsonb, jsonb, text, text, text, text)';

/** A SECURITY DEFINER function resolves names in the schema it was made in only (not the caller's path). */
const PIN_SEARCH_PATH = `
    do $$ begin
      execute format('alter function leash_audit_append(text, bigint, text, text, text, jsonb) set search_path = %I, pg_temp',
        current_schema());
      execute format('alter function ${ONE_SIGNATURE} set search_path = %I, pg_temp', current_schema());
    end $$
`;

/** Adds the signature columns, the append functions, and takes direct writes away from leash_app. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(
    db,
    `
    alter table audit_events add column key_id text;
    alter table audit_events add column signature text;
    alter table audit_heads add column key_id text
    `,
  );
  // The function body and the DO block hold semicolons, so each runs as one statement.
  await sql.raw(APPEND_FUNCTION).execute(db);
  await sql.raw(APPEND_ONE_FUNCTION).execute(db);
  await sql.raw(PIN_SEARCH_PATH).execute(db);
  await runStatements(
    db,
    `
    revoke all on function leash_audit_append(text, bigint, text, text, text, jsonb) from public;
    grant execute on function leash_audit_append(text, bigint, text, text, text, jsonb) to leash_app;
    revoke all on function ${ONE_SIGNATURE} from public;
    grant execute on function ${ONE_SIGNATURE} to leash_app;
    revoke insert, update, delete, truncate on audit_events from leash_app;
    revoke insert, update, delete, truncate on audit_heads from leash_app
    `,
  );
}
