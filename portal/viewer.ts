// Who is looking: a signed-in portal account with its tenant (partner, and client for client users).

export const ROLES = ['partner_admin', 'partner_tech', 'client_user'] as const;
export type Role = (typeof ROLES)[number];

export interface Viewer {
  readonly accountId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly partnerId: string;
  readonly clientId: string | null;
  readonly csrf: string;
  /** Short, non-reversible session reference for audit lines. */
  readonly sessionRef: string;
}

export const isPartner = (v: Pick<Viewer, 'role'>): boolean => v.role !== 'client_user';
/** Partner admins decide exceptions; technicians and clients may request them. */
export const canDecideExceptions = (v: Pick<Viewer, 'role'>): boolean => v.role === 'partner_admin';
/** Partners edit settings and rules; clients read them. */
export const canEditSite = isPartner;

/** The actor string written into documents and audit lines. */
export function actorOf(v: Pick<Viewer, 'role' | 'email'>): string {
  return `${isPartner(v) ? 'partner' : 'client'}:${v.email}`;
}

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  partner_admin: 'Partner admin',
  partner_tech: 'Technician',
  client_user: 'Client',
};
