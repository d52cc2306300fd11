import { describe, expect, it } from 'vitest';
import type { Actor } from '../policy/decide.ts';
import { routedTo } from './approval-views.ts';

const fiona: Actor = {
  memberId: 'mem_f',
  orgId: 'org_t',
  email: 'fiona@t.test',
  role: 'billing_manager',
  groups: ['finance'],
};

describe('routedTo: what waits for a member', () => {
  it.each([
    ['routed to a group of theirs', { requester: 'carl@t.test', groups: ['finance'], roles: [] }, true],
    ['routed to their role', { requester: 'carl@t.test', groups: [], roles: ['billing_manager'] }, true],
    ['routed elsewhere', { requester: 'carl@t.test', groups: ['legal'], roles: ['owner'] }, false],
    ['their own request, even if routed to them', { requester: 'fiona@t.test', groups: ['finance'], roles: [] }, false],
  ])('%s', (_, view, expected) => {
    expect(routedTo(fiona, view)).toBe(expected);
  });
});
