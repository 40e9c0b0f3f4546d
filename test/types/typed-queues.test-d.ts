// Compiled, never run (npm test runs `tsc -p test/types`): each @ts-expect-error marks a
// call that must not compile, and fails the build if it ever does.
import { firstValueFrom, type Observable } from 'rxjs';
import type {
  RtMessage,
  RtPlacement,
  RtProgressItem,
  RtQueue,
  RtQueueService,
} from '../../lib/index.js';
import { expectType, type Equal } from './type-assert.js';

interface Row {
  line: number;
  text: string;
}

declare const rt: RtQueueService;

export async function typedQueues(): Promise<void> {
  // get<T> returns RtQueue<T>; push takes T and only T.
  const rows = rt.get<Row>('rows');
  expectType<Equal<typeof rows, RtQueue<Row>>>(true);
  expectType<Equal<Parameters<typeof rows.push>, [item: Row, placement?: RtPlacement]>>(true);
  const id: string = await rows.push({ line: 1, text: 'ok' });
  void id;
  // @ts-expect-error a number is not a Row
  await rows.push(42);
  // @ts-expect-error a Row needs its text
  await rows.push({ line: 1 });
  // @ts-expect-error no fields beyond a Row's
  await rows.push({ line: 1, text: 'ok', extra: true });
  // @ts-expect-error a wrong field type
  await rows.push({ line: '1', text: 'ok' });

  // progress() pushes an RtProgressItem: only onto a queue whose type admits one.
  // @ts-expect-error RtProgressItem is not a Row
  await rows.progress(1, 2);
  const mixed = rt.get<Row | RtProgressItem>('mixed');
  await mixed.progress(1, 2, { label: 'half' });
  await mixed.push({ line: 2, text: 'ok' });
  // @ts-expect-error still only Rows or progress items
  await mixed.push('text');

  // stream<T> emits { id, item: T }.
  const stream = rt.stream<Row>('rows', { after: '0' });
  expectType<Equal<typeof stream, Observable<RtMessage<Row>>>>(true);
  const first = await firstValueFrom(stream);
  expectType<Equal<typeof first.item, Row>>(true);
  expectType<Equal<typeof first.id, string>>(true);
  // @ts-expect-error a Row has no such field
  void first.item.missing;
}

export async function defaultsStayUnknown(): Promise<void> {
  // Without a type argument nothing changes: any value compiles, items are unknown.
  const queue = rt.get('any');
  expectType<Equal<typeof queue, RtQueue<unknown>>>(true);
  expectType<Equal<typeof queue, RtQueue>>(true);
  await queue.push(42);
  await queue.push({ any: ['thing'] });
  await queue.progress(1);
  await queue.complete();
  const _message = await firstValueFrom(rt.stream('any'));
  expectType<Equal<typeof _message, RtMessage>>(true);
  expectType<Equal<typeof _message.item, unknown>>(true);
  // A typed handle still goes where an untyped one is expected (e.g. a helper taking RtQueue).
  const untyped: RtQueue = rt.get<Row>('rows');
  void untyped;
}
