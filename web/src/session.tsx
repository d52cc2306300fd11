/** Who is signed in, for the whole app. The role shapes what the interface offers; the server still decides. */
import { createContext, useContext } from 'react';
import type { SessionMember } from './api.ts';

/** The member and their org, as `/api/me` describes them. */
export interface Me {
  member: SessionMember & { name: string };
  org: { id: string; name: string; policy_profile: string };
}

export const SessionContext = createContext<Me | null>(null);

/** The signed-in member (pages render only inside a session). */
export function useMe(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useMe outside a session');
  return me;
}

/** What the interface offers a role. The gate decides every request regardless. */
export function abilities(me: Me) {
  const { role, groups } = me.member;
  return {
    /** May propose changes (read_only may not). */
    write: role !== 'read_only',
    /** May be asked to approve: a member of an approver group, or the owner. */
    approve: role === 'owner' || groups.length > 0,
    /** Manages the team and the billing provider. */
    admin: role === 'owner',
    /** Syncs the connected billing provider. */
    sync: role === 'owner' || role === 'billing_manager',
  };
}

/** Whether a request is routed to me (by group or role) and not mine: the server re-checks on approve. */
export function routedToMe(me: Me, request: { requester: string; groups: string[]; roles: string[] }): boolean {
  if (request.requester === me.member.email) return false;
  return request.roles.includes(me.member.role) || me.member.groups.some((group) => request.groups.includes(group));
}
