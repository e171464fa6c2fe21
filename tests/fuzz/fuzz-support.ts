/**
 * Shared pieces of the input fuzzing suites (tests/fuzz/): run settings, value pools and mutation arbitraries.
 * Mutations of valid inputs find more than random garbage does — a validator that refuses noise can still accept
 * a valid body with one field wrong — so every surface gets both.
 */
import fc from 'fast-check';

/** Cases per input surface (the reliability issue asks for at least 10,000). */
export const FUZZ_RUNS = 10_000;

/**
 * Settings for one property: a fixed seed, so a failure reproduces, and a wall-clock bound that turns a hang (or
 * a pathological slowdown) into a failure instead of a stuck suite. Async properties also get a per-case bound.
 */
export function fuzzSettings(seed: number, numRuns = FUZZ_RUNS): fc.Parameters<unknown> {
  return { seed, numRuns, timeout: 5_000, interruptAfterTimeLimit: 45_000, markInterruptAsFailure: true };
}

/** Values that break validators: boundaries, wrong types, odd strings, nesting. */
export const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null, true, false, 0, -0, -1, 1, 0.5, 1.5, 16, 64, 65, 90, 90.0001, 150, 150.0001, 151, -1e-9, 1e308, -1e308,
    2 ** 53, 65535, 65536, '', ' ', '\t', '\u00a0', '0', '1', '-1', '35', 'true', 'null', '*', 'ana', 'ANA', 'a'.repeat(32),
    'a'.repeat(33), '../etc', 'ana/x', '%00', '\u0000', 'é', '😀', 'x'.repeat(129), 'y'.repeat(5000), [], [1], ['ana'], {},
    { a: 1 }, JSON.parse('{"__proto__":{"a":1}}'),
  ),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.double(),
  fc.integer(),
);

/** Keys a schema does not know, including ones that are dangerous when merged into objects. */
export const oddKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', '', ' ', 'athlete ', 'Athlete', 'extra', 'x'.repeat(300)),
  fc.string({ maxLength: 10 }),
);

type Mutation =
  | { readonly kind: 'set'; readonly key: number; readonly value: unknown }
  | { readonly kind: 'delete'; readonly key: number }
  | { readonly kind: 'add'; readonly key: string; readonly value: unknown }
  | { readonly kind: 'replace'; readonly value: unknown };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), key: fc.nat(), value: oddValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('add' as const), key: oddKey, value: oddValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replace' as const), value: oddValue }) },
);

function applyMutation(body: unknown, mutation: Mutation): unknown {
  if (mutation.kind === 'replace') return mutation.value;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  const keys = Object.keys(out);
  if (mutation.kind === 'add') {
    // defineProperty: `out.__proto__ = v` would set the prototype instead of adding a key JSON can carry.
    Object.defineProperty(out, mutation.key, { value: mutation.value, enumerable: true, writable: true, configurable: true });
  } else if (keys.length > 0) {
    const key = keys[mutation.key % keys.length];
    if (mutation.kind === 'delete') delete out[key];
    else out[key] = mutation.value;
  }
  return out;
}

/** Valid objects, and valid objects with one or two fields changed, removed, added, or the whole replaced. */
export function mutatedObject(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 1, arbitrary: valid },
    { weight: 4, arbitrary: fc.tuple(valid, fc.array(mutationArb, { minLength: 1, maxLength: 2 })).map(([body, ms]) => ms.reduce(applyMutation, body as unknown)) },
  );
}

/** Applies a nested mutation at a path of object keys (index = which key at each level). */
export function mutatedDeep(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.array(fc.nat(), { minLength: 0, maxLength: 3 }), mutationArb).map(([body, path, mutation]) => {
    const mutateAt = (node: unknown, depth: number): unknown => {
      if (depth === path.length || node === null || typeof node !== 'object') return applyMutation(node, mutation);
      if (Array.isArray(node)) {
        if (node.length === 0) return applyMutation(node, mutation);
        const i = path[depth] % node.length;
        return node.map((item, k) => (k === i ? mutateAt(item, depth + 1) : item));
      }
      const keys = Object.keys(node);
      if (keys.length === 0) return applyMutation(node, mutation);
      const key = keys[path[depth] % keys.length];
      return { ...(node as Record<string, unknown>), [key]: mutateAt((node as Record<string, unknown>)[key], depth + 1) };
    };
    return mutateAt(body, 0);
  });
}

/** One edit of a text: a character replaced, inserted or deleted, the text cut short, or a piece repeated. */
export function mutatedText(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const piece = fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
    fc.constantFrom('"', ',', '{', '}', '[', ']', ':', '\\', '\n', '\r', '\u0000', '1e999', '-', '.', 'e', '#', ' '),
  );
  return fc
    .tuple(text, fc.nat(), fc.constantFrom('replace', 'insert', 'delete', 'truncate', 'repeat'), piece)
    .map(([t, at, kind, p]) => {
      const i = t.length === 0 ? 0 : at % t.length;
      switch (kind) {
        case 'replace':
          return t.slice(0, i) + p + t.slice(i + 1);
        case 'insert':
          return t.slice(0, i) + p + t.slice(i);
        case 'delete':
          return t.slice(0, i) + t.slice(i + 1);
        case 'truncate':
          return t.slice(0, i);
        default:
          return t.slice(0, i) + t.slice(i, i + 8) + t.slice(i);
      }
    });
}

/** Random text of the kinds a network peer or a broken file produces. */
export const garbageText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
  fc.json({ maxDepth: 2 }),
  fc.constantFrom('', ' ', 'null', 'true', '0', '[]', '{}', '"x"', '{"', '\u0000', '\ufeff{}', '1e999', '{"a":1e999}'),
);

/** Whether `message` is something a person can act on: a non-empty, non-blank string. */
export function isClearMessage(message: unknown): boolean {
  return typeof message === 'string' && message.trim().length > 0;
}
