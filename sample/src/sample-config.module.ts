import { type DynamicModule, Module } from '@nestjs/common';
import type { SampleConfig } from './sample-config.js';

export const SAMPLE_CONFIG = Symbol('SAMPLE_CONFIG');

/** Makes the sample's settings injectable everywhere (a stand-in for @nestjs/config). */
@Module({})
export class SampleConfigModule {
  static forRoot(config: SampleConfig): DynamicModule {
    return {
      module: SampleConfigModule,
      global: true,
      providers: [{ provide: SAMPLE_CONFIG, useValue: config }],
      exports: [SAMPLE_CONFIG],
    };
  }
}
