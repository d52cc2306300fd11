/** Who is signed in, for the whole app. The role shapes what the interface offers; the server still decides. */
import { createContext, useContext } from 'react';
import type { SessionMember } from './api.ts';
import { showTimesIn } from './format.ts';

/** The member and their org, as `/api/me` describes them. */
export interface Me {
  /** `time_zone`: the zone the member chose, null when none. */
  member: SessionMember & { name: string; time_zone: string | null };
  org: { id: string; name: string; policy_profile: string };
  /** The zone times are worded in for the member: theirs, else UTC. */
  time_zone: string;
}

export const SessionContext = createContext<Me | null>(null);

/** Replaces the session's member (after they change a setting of theirs, e.g. their time zone). */
export const SetSessionContext = createContext<(me: Me) => void>(() => {});

/** Takes a `/api/me` answer into use: from here on, every date and time reads in the member's zone. */
export function adoptSession(me: Me): Me {
  showTimesIn(me.time_zone);
  return me;
}

/** Replaces the signed-in member's session view (pages render only inside a session). */
export function useSetMe(): (me: Me) => void {
  return useContext(SetSessionContext);
}

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
