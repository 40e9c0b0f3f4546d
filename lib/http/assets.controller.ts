// Mounted by createControllers (./create-controllers.js): route prefix, guards and filters.
import {
  Injectable,
  Get,
  Header,
  Headers,
  NotFoundException,
  Param,
  Res,
  SetMetadata,
  StreamableFile,
} from '@nestjs/common';
import { clientAssets } from '../client/client-assets.js';

/** Marks the asset route: the access guard skips it unless `guardAssets` is set. */
export const IS_ASSET_ROUTE = 'pluto-rt:asset-route';

interface HeaderResponse {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
}

/** `GET {prefix}/assets/:file`: htmx (either major), its SSE extension and the module's helper and style, so pages need no CDN. */
@Injectable()
export class AssetsController {
  @Get('assets/:file')
  @SetMetadata(IS_ASSET_ROUTE, true)
  @Header('Cache-Control', 'public, max-age=31536000, immutable')
  asset(
    @Param('file') file: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) res: HeaderResponse,
  ): StreamableFile | undefined {
    const asset = clientAssets().get(file);
    if (!asset) throw new NotFoundException('No such asset');
    res.setHeader('Content-Type', asset.contentType);
    res.setHeader('ETag', asset.etag);
    if (ifNoneMatch === asset.etag) {
      res.status(304);
      return undefined;
    }
    return new StreamableFile(asset.body);
  }
}
