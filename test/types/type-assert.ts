/** Exact type equality (not mere assignability): `expectType<Equal<A, B>>(true)`. */
export type Equal<A, B> =
  (<V>() => V extends A ? 1 : 2) extends <V>() => V extends B ? 1 : 2 ? true : false;

/** Compiles only when its argument's type is `true`. */
export function expectType<T extends true>(value: T): T {
  return value;
}
