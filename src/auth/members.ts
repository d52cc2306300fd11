/** Orgs and their members: create, list, find, change role. Every lookup is scoped by org. */
import type { Kysely, Transaction } from 'kysely';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { badInput, LeashError, notFound } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { canonicalTimeZone } from '../domain/person-time.ts';
import { type ApproverGroup, isApproverGroup, isRole, type Role } from '../domain/roles.ts';
import { json } from '../store/json.ts';
import type { Database } from '../store/schema.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** A member of an org, as every surface sees it. */
export interface Member {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: Role;
  groups: ApproverGroup[];
  createdAt: Date;
  disabledAt: Date | null;
  /** The IANA zone times are worded in for this member; null: none chosen (the org's, else UTC). */
  timeZone: string | null;
}

/** An org. */
export interface Org {
  id: string;
  name: string;
  policyProfile: string;
  createdAt: Date;
  /** The billing system operations use (see store/schema.ts `OrgsTable`). */
  billing: 'ledger' | 'stripe';
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Normalises and checks an email address. */
export function normaliseEmail(email: string): string {
  const trimmed = email.trim().toLowerCase();
  if (!EMAIL.test(trimmed)) throw badInput('email', `not an email address: ${email}`);
  return trimmed;
}

/** Checks a list of approver group names. */
export function parseGroups(groups: readonly string[]): ApproverGroup[] {
  const unique = [...new Set(groups.map((group) => group.trim()).filter(Boolean))];
  for (const group of unique) {
    if (!isApproverGroup(group)) {
      throw badInput('groups', `unknown approver group "${group}" (finance, support_lead, legal, founder)`);
    }
  }
  return unique as ApproverGroup[];
}

/** A member row as the rest of Leash sees it (role and groups checked). */
export function toMember(row: {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: string;
  groups: string[];
  createdAt: Date;
  disabledAt: Date | null;
  timeZone?: string | null;
}): Member {
  if (!isRole(row.role)) throw new LeashError('internal', `member ${row.id} has an unknown role`);
  return { ...row, role: row.role, groups: parseGroups(row.groups), timeZone: row.timeZone ?? null };
}

/**
 * Creates an org with its owner, in one transaction. `policyProfile` is the rules file's `default_profile` (callers
 * that create real orgs pass it: `leash init`, `leash demo`, `leash start`'s first run); without it, the column's
 * default (`short-leash`).
 */
export async function createOrg(
  db: Kysely<Database>,
  input: { name: string; ownerEmail: string; ownerName?: string; id?: string; policyProfile?: string | undefined },
): Promise<{ org: Org; owner: Member }> {
  const email = normaliseEmail(input.ownerEmail);
  if (!input.name.trim()) throw badInput('org', 'an org needs a name');
  return db.transaction().execute(async (trx) => {
    const org = await trx
      .insertInto('orgs')
      .values({
        id: input.id ?? newId('org'),
        name: input.name.trim(),
        ...(input.policyProfile ? { policyProfile: input.policyProfile } : {}),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const owner = await addMember(trx, org.id, { email, role: 'owner', groups: ['founder'], name: input.ownerName });
    return { org, owner };
  });
}

/** Adds a member with one role and any approver groups; the email must be new in the org. */
export async function addMember(
  db: Executor,
  orgId: string,
  input: { email: string; role: string; groups?: readonly string[]; name?: string | undefined },
): Promise<Member> {
  const email = normaliseEmail(input.email);
  if (!isRole(input.role))
    throw badInput('role', `unknown role "${input.role}" (owner, billing_manager, billing_clerk, read_only)`);
  const groups = parseGroups(input.groups ?? []);
  const existing = await findMemberByEmail(db, orgId, email);
  if (existing) throw new LeashError('conflict', `${email} is already a member (${existing.role})`);
  if (input.role === 'owner' && (await listMembers(db, orgId)).some((member) => member.role === 'owner')) {
    throw new LeashError('conflict', 'an org has exactly one owner');
  }
  const row = await db
    .insertInto('members')
    .values({ id: newId('member'), orgId, email, role: input.role, groups: json(groups), name: input.name ?? '' })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMember(row);
}

/** Lists an org's active members, owner first. */
export async function listMembers(db: Executor, orgId: string): Promise<Member[]> {
  const rows = await db
    .selectFrom('members')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('disabledAt', 'is', null)
    .orderBy('createdAt')
    .orderBy('email')
    .execute();
  const rank = (role: string) => ['owner', 'billing_manager', 'billing_clerk', 'read_only'].indexOf(role);
  return rows.map(toMember).sort((a, b) => rank(a.role) - rank(b.role) || a.email.localeCompare(b.email));
}

/** Finds an active member by email in one org. */
export async function findMemberByEmail(db: Executor, orgId: string, email: string): Promise<Member | undefined> {
  const row = await db
    .selectFrom('members')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('email', '=', email.trim().toLowerCase())
    .where('disabledAt', 'is', null)
    .executeTakeFirst();
  return row ? toMember(row) : undefined;
}

/** Finds an active member by id in one org. */
export async function getMember(db: Executor, orgId: string, memberId: string): Promise<Member | undefined> {
  const row = await db
    .selectFrom('members')
    .selectAll()
    .where('orgId', '=', orgId)
    .where('id', '=', memberId)
    .where('disabledAt', 'is', null)
    .executeTakeFirst();
  return row ? toMember(row) : undefined;
}

/** Changes a member's role (and optionally groups). The owner role moves only by an ownership transfer. */
export async function changeMemberRole(
  db: Executor,
  orgId: string,
  email: string,
  role: string,
  groups?: readonly string[],
): Promise<Member> {
  if (!isRole(role))
    throw badInput('role', `unknown role "${role}" (owner, billing_manager, billing_clerk, read_only)`);
  const member = await findMemberByEmail(db, orgId, normaliseEmail(email));
  if (!member) throw notFound('member', email);
  if (member.role === 'owner' || role === 'owner') {
    throw new LeashError('invalid_state', 'the owner role cannot be given or taken by a role change');
  }
  const row = await db
    .updateTable('members')
    .set({ role, ...(groups ? { groups: json(parseGroups(groups)) } : {}) })
    .where('id', '=', member.id)
    .where('orgId', '=', orgId)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMember(row);
}

/** Checks a time zone a member chose: an IANA zone Intl knows ("Asia/Kolkata", "UTC"), as Intl spells it. */
export function parseTimeZone(value: unknown, field = 'time_zone'): string {
  if (typeof value !== 'string' || !value.trim())
    throw badInput(field, 'give an IANA time zone, such as Europe/London or America/Los_Angeles');
  const zone = canonicalTimeZone(value);
  if (!zone)
    throw badInput(
      field,
      `"${value.trim().slice(0, 64)}" is not an IANA time zone (such as Europe/London, Asia/Kolkata or UTC)`,
    );
  return zone;
}

/**
 * Sets the zone a member reads times in, for themselves. A personal preference, not a billing write: it changes
 * no billing data, so it is not a proposal; it is audited (`member.time_zone_changed`, before and after) in the
 * same transaction. `null` clears it (back to the org's zone, else UTC). Only an active member of the org.
 */
export async function setMemberTimeZone(
  db: Kysely<Database>,
  member: Pick<Member, 'id' | 'orgId' | 'email' | 'role'>,
  timeZone: string | null,
  audit: { channel: string; requestId?: string | null },
): Promise<Member> {
  const zone = timeZone === null ? null : parseTimeZone(timeZone);
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('members')
      .selectAll()
      .where('orgId', '=', member.orgId)
      .where('id', '=', member.id)
      .where('disabledAt', 'is', null)
      .executeTakeFirst();
    if (!before) throw notFound('member', member.email);
    // The zone already in place changes nothing: nothing written, nothing audited.
    if (before.timeZone === zone) return toMember(before);
    const row = await trx
      .updateTable('members')
      .set({ timeZone: zone })
      .where('orgId', '=', member.orgId)
      .where('id', '=', member.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAuditEvent(trx, {
      orgId: member.orgId,
      event: 'member.time_zone_changed',
      actorId: member.id,
      actorEmail: member.email,
      actorRole: member.role,
      channel: audit.channel,
      requestId: audit.requestId ?? null,
      arguments: { timeZone: zone },
      result: { from: before.timeZone, to: zone },
    });
    return toMember(row);
  });
}

/** The orgs in a store (local mode has one). */
export async function listOrgs(db: Executor): Promise<Org[]> {
  return db.selectFrom('orgs').selectAll().orderBy('createdAt').execute();
}

/** One org by id. */
export async function getOrg(db: Executor, orgId: string): Promise<Org | undefined> {
  return db.selectFrom('orgs').selectAll().where('id', '=', orgId).executeTakeFirst();
}

/** The columns of a member and its org, for look-ups that join `members` and `orgs` (sign-in, API keys). */
export const MEMBER_AND_ORG_COLUMNS = [
  'members.id',
  'members.orgId',
  'members.email',
  'members.name',
  'members.role',
  'members.groups',
  'members.createdAt',
  'members.disabledAt',
  'members.timeZone',
  'orgs.name as orgName',
  'orgs.policyProfile',
  'orgs.createdAt as orgCreatedAt',
  'orgs.billing',
] as const;

/** Splits a row of `MEMBER_AND_ORG_COLUMNS` into the member and the org. */
export function memberAndOrgOf(
  row: Parameters<typeof toMember>[0] & {
    orgName: string;
    policyProfile: string;
    orgCreatedAt: Date;
    billing: Org['billing'];
  },
): { member: Member; org: Org } {
  const { orgName, policyProfile, orgCreatedAt, billing, ...member } = row;
  return {
    member: toMember(member),
    org: { id: row.orgId, name: orgName, policyProfile, createdAt: orgCreatedAt, billing },
  };
}
