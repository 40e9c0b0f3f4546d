import { BadRequestException } from '@nestjs/common';
import { single } from './stream-params.js';

const DEFAULT_COUNT = 100;
const MAX_COUNT = 1000;

/** Items per poll answer (per queue, for a group): `count`, 1..1000, default 100. */
export function parseCount(raw: unknown): number {
  const value = single(raw, 'count');
  if (value === undefined) return DEFAULT_COUNT;
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > MAX_COUNT) {
    throw new BadRequestException(`Invalid count: an integer from 1 to ${MAX_COUNT}`);
  }
  return Number(value);
}
