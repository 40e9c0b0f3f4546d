import { isValidQueueName } from '../queue/queue-name.js';
import {
  decodeRoute,
  encodeRoute,
  routeParts,
  routesProblem,
  type Route,
} from '../markup/route.js';
import { RT_MODES, type RtMode } from '../markup/rt-modes.js';
import { isSimpleSelector } from '../markup/selectors.js';
import { templateNameProblem } from '../render/template-name.js';
import type { StreamFormat, UrlSigner, GrantCheck } from './url-signer.js';

/** Queues in one group at most: a URL and a cursor of this many stay well under 4 KB. */
export const MAX_GROUP_QUEUES = 16;

/**
 * One queue of a group: shown with its template, in its mode, into its target, keeping
 * `keep` items there at most (0: all), and its items of the types `routes` name elsewhere.
 */
export interface GroupMember {
  queue: string;
  /** '' in a JSON group. */
  template: string;
  mode: RtMode;
  /** CSS selector of the queue's container; '' in a JSON group. */
  target: string;
  keep: number;
  /** Routes by type (the member's own fields are its default route). */
  routes: Route[];
}

/** A member's routes, its default route first (what markup/batch-html takes). */
export function memberRoutes(member: GroupMember): Route[] {
  const { template, mode, target, keep } = member;
  return [{ type: '', template, mode, target, keep }, ...member.routes];
}

/**
 * What a group URL grants: exactly these queues, in this order, each with its template,
 * mode and target (or all as raw JSON), until `expires`. Every part is signed.
 */
export interface GroupGrant {
  members: GroupMember[];
  format: StreamFormat;
  /** Unix time, seconds. */
  expires: number;
}

/** Why `members` cannot form a group, or undefined; also gives the group's format. */
export function groupProblem(
  members: readonly GroupMember[],
): { problem: string } | { format: StreamFormat } {
  if (members.length === 0 || members.length > MAX_GROUP_QUEUES)
    return { problem: `a group has 1 to ${MAX_GROUP_QUEUES} queues, got ${members.length}` };
  for (const [index, member] of members.entries()) {
    const problem = memberProblem(member);
    if (problem) return { problem: `queue ${index + 1}: ${problem}` };
  }
  const html = members.filter((member) => member.template !== '').length;
  if (html !== 0 && html !== members.length)
    return { problem: 'either every queue has an item template (HTML) or none has (JSON)' };
  if (html === 0 && members.some((member) => member.target !== ''))
    return { problem: 'a JSON group (no item templates) has no targets' };
  if (html !== 0 && members.some((member) => member.target === ''))
    return { problem: 'every queue of an HTML group needs a target' };
  return { format: html === 0 ? 'json' : 'html' };
}

function memberProblem(member: GroupMember): string | undefined {
  if (!isValidQueueName(member.queue)) return 'invalid queue name';
  if (member.template !== '' && templateNameProblem(member.template))
    return `invalid item template name: ${templateNameProblem(member.template)}`;
  if (!(RT_MODES as readonly string[]).includes(member.mode))
    return `invalid mode: use one of ${RT_MODES.join(', ')}`;
  if (member.target !== '' && !isSimpleSelector(member.target))
    return 'invalid target: a simple CSS selector like #results';
  if (member.keep === 0 && member.routes.length === 0) return undefined;
  if (member.template === '') return 'keep and routes need an item template';
  const problem = routesProblem(memberRoutes(member));
  return problem && `invalid routes: ${problem}`;
}

/**
 * A member in a URL: `queue:template:mode:target`, then `:keep:routes` (routes joined by
 * `,`, see encodeRoute) when it keeps or routes; no part can hold a colon.
 */
export function encodeMember(member: GroupMember): string {
  const parts = [member.queue, member.template, member.mode, member.target];
  if (member.keep > 0 || member.routes.length > 0)
    parts.push(String(member.keep), member.routes.map(encodeRoute).join(','));
  return parts.join(':');
}

/** The member a URL part names, unchecked (see groupProblem), or undefined if malformed. */
export function decodeMember(part: string): GroupMember | undefined {
  const fields = part.split(':');
  if (fields.length !== 4 && fields.length !== 6) return undefined;
  const [queue, template, mode, target, keep = '0', routes = ''] = fields as string[];
  if (!/^\d{1,6}$/.test(keep!)) return undefined;
  const decoded = routes === '' ? [] : routes!.split(',').map(decodeRoute);
  if (decoded.some((route) => route === undefined)) return undefined;
  return {
    queue: queue!,
    template: template!,
    mode: mode as RtMode,
    target: target!,
    keep: Number(keep),
    routes: decoded as Route[],
  };
}

/** The signed parts of a group grant, in order; none can hold NUL (each is validated). */
function signedParts(grant: GroupGrant): string[] {
  const routed = grant.members.some((m) => m.keep > 0 || m.routes.length > 0);
  return [
    routed ? 'g2' : 'g1',
    grant.format,
    String(grant.expires),
    String(grant.members.length),
    ...grant.members.flatMap((m) => {
      const parts = [m.queue, m.template, m.mode, m.target];
      return routed ? [...parts, String(m.routes.length), ...routeParts(memberRoutes(m))] : parts;
    }),
  ];
}

export function signGroup(signer: UrlSigner, grant: GroupGrant): string {
  return signer.signParts(signedParts(grant));
}

export function checkGroup(
  signer: UrlSigner,
  grant: GroupGrant,
  signature: string,
  now = Date.now(),
): GrantCheck {
  return signer.checkParts(signedParts(grant), grant.expires, signature, now);
}
