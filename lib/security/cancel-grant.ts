import type { UrlSigner, GrantCheck } from './url-signer.js';

/**
 * What a cancel URL grants until `expires` (Unix seconds): a POST that cancels the work on
 * queue `queue`: one BullMQ job (its queue `job` and id `id`) bound to it, or, without
 * them, whatever holds the queue handle's signal.
 */
export interface CancelGrant {
  queue: string;
  job?: string;
  id?: string;
  expires: number;
}

/** Distinct first parts: a queue's grant can never pass for a job's, nor the reverse. */
function cancelParts({ queue, job, id, expires }: CancelGrant): string[] {
  return job === undefined || id === undefined
    ? ['cancel-queue-v1', queue, String(expires)]
    : ['cancel-v1', queue, job, id, String(expires)];
}

export function signCancel(signer: UrlSigner, grant: CancelGrant): string {
  return signer.signParts(cancelParts(grant));
}

export function checkCancel(signer: UrlSigner, grant: CancelGrant, signature: string): GrantCheck {
  return signer.checkParts(cancelParts(grant), grant.expires, signature);
}

/** `/<prefix>/cancel/<queue>?[job=..&id=..&]exp=..&sig=..`: relative, like the stream URLs. */
export function cancelUrl(routePrefix: string, grant: CancelGrant, signature: string): string {
  const query = new URLSearchParams();
  if (grant.job !== undefined && grant.id !== undefined) {
    query.set('job', grant.job);
    query.set('id', grant.id);
  }
  query.set('exp', String(grant.expires));
  query.set('sig', signature);
  return `/${routePrefix}/cancel/${grant.queue}?${query}`;
}
