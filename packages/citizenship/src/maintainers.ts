import type { AuthorAssociation } from '@agentpr/github';

/** Author associations that make a person a maintainer of the repository: OWNER, MEMBER, COLLABORATOR. */
export const MAINTAINER_ASSOCIATIONS: ReadonlySet<AuthorAssociation> = new Set<AuthorAssociation>(['OWNER', 'MEMBER', 'COLLABORATOR']);

/** True when GitHub's author association says the author maintains the repository. */
export function isMaintainer(association: AuthorAssociation | string | null | undefined): boolean {
  return association !== null && association !== undefined && MAINTAINER_ASSOCIATIONS.has(association.toUpperCase() as AuthorAssociation);
}
