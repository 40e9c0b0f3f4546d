import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { PlutoRtModule } from 'nestjs-pluto-rt';

@Module({
  imports: [
    PlutoRtModule.forRoot({
      isGlobal: true, // RtQueueService can be injected in every module
      redis: { url: process.env.REDIS_URL }, // unset: redis://127.0.0.1:6379
      secret: process.env.PLUTO_RT_SECRET, // 32+ characters; unset fails the boot
      // views/ beside dist/ in an app as `nest new` makes it (CommonJS); in ESM, build it
      // from import.meta.dirname instead of __dirname.
      templatesDir: join(__dirname, '..', 'views'),
    }),
  ],
})
export class AppModule {}
