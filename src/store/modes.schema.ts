/** The org's mode settings (migration 0022, domain/modes.ts). */
import type { ColumnType, JSONColumnType } from 'kysely';

/** org_policy_modes: one row per org that has set its modes; no row means the default (full). */
export interface OrgPolicyModesTable {
  orgId: string;
  settings: JSONColumnType<Record<string, unknown>>;
  updatedBy: string;
  updatedAt: ColumnType<Date, Date | string, Date | string>;
}

/** The modes tables. */
export interface ModeTables {
  orgPolicyModes: OrgPolicyModesTable;
}
