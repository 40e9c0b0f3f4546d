import {
  Controller,
  Get,
  Injectable,
  NotFoundException,
  Param,
  Res,
  type NestMiddleware,
} from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** The cookie in which the index page's switch keeps one browser's htmx major. */
const COOKIE = 'htmx';

/**
 * Lets one browser see the demos on another htmx major than the app's: the module's
 * partials read `plutoRtHtmx` from the view context, which `res.locals` feeds.
 */
@Injectable()
export class HtmxMajorMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    const chosen = /(?:^|;\s*)htmx=([24])(?:;|$)/.exec(req.headers.cookie ?? '')?.[1];
    if (chosen) res.locals.plutoRtHtmx = Number(chosen);
    next();
  }
}

/** `GET /htmx/2`, `/htmx/4`: this browser's major from now on; `/htmx/default`: the app's. */
@Controller('htmx')
export class HtmxSwitchController {
  @Get(':major')
  choose(@Param('major') major: string, @Res() res: Response): void {
    if (major === 'default') res.clearCookie(COOKIE, { path: '/' });
    else if (major === '2' || major === '4')
      res.cookie(COOKIE, major, { path: '/', sameSite: 'lax', httpOnly: true });
    else throw new NotFoundException('No such htmx major');
    res.redirect(303, '/');
  }
}
