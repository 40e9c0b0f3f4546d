import { BadRequestException, ForbiddenException } from '@nestjs/common';
import {
  checkGroup,
  decodeMember,
  groupProblem,
  MAX_GROUP_QUEUES,
  type GroupGrant,
  type GroupMember,
} from '../../security/group-grant.js';
import type { UrlSigner } from '../../security/url-signer.js';
import { single, UrlExpiredException } from '../stream-params.js';
import { parseGroupCursor, type GroupCursor } from './group-cursor.js';

/** The query of a signed group URL (see RtQueueService.rtGroupUrls). */
export interface GroupQuery {
  q?: unknown;
  exp?: unknown;
  sig?: unknown;
  after?: unknown;
}

/**
 * Checks a group request in the order that leaks least: the shape of every part (400: no
 * queue, more than MAX_GROUP_QUEUES, a malformed member), then the signature over the exact
 * list and its expiry (403). Whether each queue exists is the stream's business.
 */
export function checkSignedGroup(query: GroupQuery, signer: UrlSigner): GroupGrant {
  const parts = query.q === undefined ? [] : Array.isArray(query.q) ? query.q : [query.q];
  if (parts.length === 0 || parts.length > MAX_GROUP_QUEUES)
    throw new BadRequestException(
      `Invalid group: 1 to ${MAX_GROUP_QUEUES} queues (q), got ${parts.length}`,
    );
  const members: GroupMember[] = parts.map((part: unknown, index) => {
    const member = typeof part === 'string' ? decodeMember(part) : undefined;
    if (!member)
      throw new BadRequestException(
        `Invalid q number ${index + 1}: expected queue:template:mode:target`,
      );
    return member;
  });
  const verdict = groupProblem(members);
  if ('problem' in verdict) throw new BadRequestException(`Invalid group: ${verdict.problem}`);

  const exp = single(query.exp, 'exp');
  const sig = single(query.sig, 'sig');
  if (!exp || !/^\d{1,12}$/.test(exp) || !sig || !/^[\w-]{1,100}$/.test(sig))
    throw new ForbiddenException('Missing or malformed signature');
  const grant: GroupGrant = { members, format: verdict.format, expires: Number(exp) };
  const check = checkGroup(signer, grant, sig);
  if (check === 'bad-signature') throw new ForbiddenException('Bad signature');
  if (check === 'expired') throw new UrlExpiredException();
  return grant;
}

/** The group's resume cursor: Last-Event-ID wins over `after`; absent means every start. */
export function parseGroupAfter(lastEventId: unknown, after: unknown, size: number): GroupCursor {
  const raw = single(lastEventId, 'Last-Event-ID') ?? single(after, 'after') ?? '';
  const cursor = parseGroupCursor(raw, size);
  if (!cursor)
    throw new BadRequestException(
      `Invalid cursor: ${size} stream ids (or "done"), one per queue, joined by ".", none from the future`,
    );
  return cursor;
}
