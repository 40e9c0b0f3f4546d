// Mounted under the module's routePrefix, with its guards and error filter, by
// create-controllers.ts.
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpCode,
  Injectable,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { JobCancels, type CancelOutcome } from '../jobs/job-cancels.js';
import { isValidQueueName } from '../queue/queue-name.js';
import { checkCancel } from '../security/cancel-grant.js';
import { UrlSigner } from '../security/url-signer.js';
import { single } from './stream-params.js';

interface CancelQuery {
  job?: unknown;
  id?: unknown;
  exp?: unknown;
  sig?: unknown;
}

/**
 * `POST cancel/:queue?job&id&exp&sig`: cancels a followed BullMQ job from its page (the URL
 * `rt.jobUrls(job).cancel`, or the cancel partial's button); `POST cancel/:queue?exp&sig`
 * (`rt.cancelUrl(name)`) the work on a queue that holds its handle's signal. POST only,
 * signed for that job (or queue alone), and refused from another site (a page elsewhere
 * cannot make a user's browser cancel their job). 202
 * `{"state":"cancelled"|"cancel-requested"}`; 409 when it has ended.
 */
@Injectable()
export class CancelController {
  constructor(
    private readonly signer: UrlSigner,
    private readonly cancels: JobCancels,
  ) {}

  @Post('cancel/:queue')
  @HttpCode(202)
  async cancel(
    @Param('queue') queue: string,
    @Query() query: CancelQuery,
    @Req() req: Request,
  ): Promise<{ state: CancelOutcome }> {
    const job = single(query.job, 'job');
    const id = single(query.id, 'id');
    const expires = Number(single(query.exp, 'exp'));
    const sig = single(query.sig, 'sig');
    // A job's URL names its job and id; a queue's names neither.
    if (!isValidQueueName(queue) || !job !== !id || !Number.isInteger(expires) || !sig)
      throw new BadRequestException(
        "A cancel URL needs its queue, exp and sig (a job's: job and id)",
      );
    const grant = job && id ? { queue, job, id, expires } : { queue, expires };
    const verdict = checkCancel(this.signer, grant, sig);
    if (verdict === 'expired') throw new ForbiddenException('This cancel URL has expired');
    if (verdict !== 'ok') throw new ForbiddenException('Invalid signature');
    if (isCrossSite(req)) throw new ForbiddenException('A cancel must come from the same site');
    const state =
      job && id ? await this.cancels.cancel(queue, job, id) : await this.cancels.cancelQueue(queue);
    if (state === 'not-followed')
      throw new NotFoundException(`The jobs of ${job} are not followed (the followJobs option)`);
    if (state === 'ended') throw new ConflictException('The job has ended');
    return { state };
  }
}

/**
 * A request a browser made for a page of another site: its Fetch Metadata says so, or (from
 * browsers without it) its Origin names another host. Clients that are not browsers send
 * neither: the signature is their check.
 */
function isCrossSite(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'cross-site';
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}
