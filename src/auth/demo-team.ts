/** The demo org and its team, as data: light enough for `leash demo --help` to list the members. */

/** The demo org's fixed id and name (the same seed gives the same data, ids included). */
export const DEMO_ORG = { id: 'org_demo', name: 'Northwind Cloud' } as const;

/** Demo members: email, role, approver groups, name. */
export const DEMO_MEMBERS = [
  { email: 'olivia@northwind.test', role: 'owner', groups: ['founder'], name: 'Olivia Owner (founder)' },
  { email: 'fiona@northwind.test', role: 'billing_manager', groups: ['finance'], name: 'Fiona Finance' },
  { email: 'sam@northwind.test', role: 'billing_manager', groups: ['support_lead'], name: 'Sam Support Lead' },
  { email: 'lena@northwind.test', role: 'billing_manager', groups: ['legal'], name: 'Lena Legal' },
  { email: 'max@northwind.test', role: 'billing_manager', groups: [], name: 'Max Manager' },
  { email: 'carl@northwind.test', role: 'billing_clerk', groups: [], name: 'Carl Clerk' },
  { email: 'cleo@northwind.test', role: 'billing_clerk', groups: [], name: 'Cleo Clerk' },
  { email: 'rita@northwind.test', role: 'read_only', groups: [], name: 'Rita Reader' },
] as const;
