import { describe, expect, test } from '@jest/globals';
import { compileFilter, FilterSyntaxError, type FilterSubject } from '../../emulator/state/filter.js';

const alice: FilterSubject = { connectionId: 'conn-1', userId: 'u1', groups: new Set(['g1']) };
const bob: FilterSubject = { connectionId: 'conn-2', userId: 'user-ab-de', groups: new Set(['g1', 'g2']) };
const carol: FilterSubject = { connectionId: '123', userId: 'u1', groups: new Set(['g2']) };
const anon: FilterSubject = { connectionId: 'anon-1', groups: new Set() };
const subjects = [alice, bob, carol, anon];

/** Compiles `filter` and runs it on alice, bob, carol and anon, in that order. */
function run(filter: string): boolean[] {
  const predicate = compileFilter(filter);
  return subjects.map((subject) => predicate(subject));
}

function errorOf(filter: string): FilterSyntaxError {
  try {
    compileFilter(filter);
  } catch (error) {
    if (error instanceof FilterSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(filter)} to be rejected`);
}

const T = true;
const F = false;

describe('compileFilter: filter × subject', () => {
  // Columns: alice (u1, conn-1, g1), bob (user-ab-de, conn-2, g1+g2), carol (u1, 123, g2), anon (no user, no groups).
  const table: [string, boolean[]][] = [
    // Examples from Learn "reference-odata-filter".
    ["'g1' in groups or 'g2' in groups", [T, T, T, F]],
    ["userId in ('u1','u2') and 'g1' in groups", [T, F, F, F]],
    ["userId eq 'u1' and connectionId ne '123'", [T, F, F, F]],
    ["userId eq 'u1' and (not ('g1' in groups))", [F, F, T, F]],
    ['length(userId) le 10 and length(userId) gt 3', [F, T, F, F]],
    ['length(userId) gt 10 or length(userId) le 3', [T, F, T, F]],
    ["not endswith(userId, 'milk')", [T, T, T, T]],
    ['userId eq null', [F, F, F, T]],
    ['userId ne null', [T, T, T, F]],
    ["substring(userId,5,2) eq 'ab'", [F, T, F, F]],
    ["endswith(userId,'de')", [F, T, F, F]],
    ["startswith(userId,'user')", [F, T, F, F]],
    ["indexof(userId,'-ab-') ge 0", [F, T, F, F]],
    ['length(userId) gt 1', [T, T, T, F]],
    ['length(groups) gt 1', [F, T, F, F]],
    ['not (length(userId) gt 5)', [T, F, T, T]],

    // Precedence: not > comparison > and > or; parentheses group.
    ["userId eq 'u1' or userId eq 'user-ab-de' and 'g2' in groups", [T, T, T, F]],
    ["'g2' in groups and userId eq 'user-ab-de' or userId eq 'u1'", [T, T, T, F]],
    ["(userId eq 'u1' or userId eq 'user-ab-de') and 'g2' in groups", [F, T, T, F]],
    ["not ('g1' in groups) and 'g2' in groups", [F, F, T, F]],
    ["not ('g1' in groups and 'g2' in groups)", [T, F, T, T]],
    ["not not ('g1' in groups)", [T, T, F, F]],
    ["((('g1' in groups)))", [T, T, F, F]],
    ['true', [T, T, T, T]],
    ['false', [F, F, F, F]],
    ['not false', [T, T, T, T]],
    ['true and false or true', [T, T, T, T]],
    ['true and (false or false)', [F, F, F, F]],
    ["(userId eq 'u1') eq true", [T, F, T, F]],
    ["startswith(userId, 'u') ne false", [T, T, T, F]],
    ["not startswith(userId, 'u') eq true", [F, F, F, T]],

    // Comparison operators on strings (case-sensitive, ordinal).
    ["connectionId eq '123'", [F, F, T, F]],
    ["connectionId ne '123'", [T, T, F, T]],
    ["userId gt 'u1'", [F, T, F, F]],
    ["userId ge 'u1'", [T, T, T, F]],
    ["userId lt 'user'", [T, F, T, F]],
    ["userId le 'u1'", [T, F, T, F]],
    ["userId eq 'U1'", [F, F, F, F]],
    ["'B' lt 'a'", [T, T, T, T]],
    ["'a' lt 'B'", [F, F, F, F]],
    ["'b' eq 'b'", [T, T, T, T]],

    // Comparison operators on integers, with signs.
    ['length(groups) eq 1', [T, F, T, F]],
    ['length(groups) ne 1', [F, T, F, T]],
    ['length(groups) gt 1', [F, T, F, F]],
    ['length(groups) ge 1', [T, T, T, F]],
    ['length(groups) lt 1', [F, F, F, T]],
    ['length(groups) le 0', [F, F, F, T]],
    ['length(groups) eq +1', [T, F, T, F]],
    ['length(groups) gt -1', [T, T, T, T]],
    ["indexof(userId, 'zzz') eq -1", [T, T, T, F]],
    ['length(userId) gt 2147483647', [F, F, F, F]],
    ['length(userId) gt -2147483648', [T, T, T, F]],

    // Null: a function of a null userId is null, and only eq/ne compare with null.
    ['length(userId) gt 0', [T, T, T, F]],
    ['length(userId) le 100', [T, T, T, F]],
    ['not (length(userId) le 100)', [F, F, F, T]],
    ["userId lt 'zzz'", [T, T, T, F]],
    ['userId gt null', [F, F, F, F]],
    ['null le null', [F, F, F, F]],
    ['null eq null', [T, T, T, T]],
    ['null ne null', [F, F, F, F]],
    ['tolower(userId) eq null', [F, F, F, T]],
    ['connectionId eq null', [F, F, F, F]],
    ["contains(userId, '')", [T, T, T, F]],

    // in: a list of values, or the groups collection (optionally parenthesised).
    ["userId in ('u1')", [T, F, T, F]],
    ["userId in ('x', null)", [F, F, F, T]],
    ["connectionId in ('conn-1', '123')", [T, F, T, F]],
    ["userId in (connectionId, 'u1')", [T, F, T, F]],
    ['length(groups) in (0, 2)', [F, T, F, T]],
    ["'g2' in groups", [F, T, T, F]],
    ["'g2' in (groups)", [F, T, T, F]],
    ["'g2' in ((groups))", [F, T, T, F]],
    ["'G1' in groups", [F, F, F, F]],
    ["tolower('G1') in groups", [T, T, F, F]],
    ['userId in groups', [F, F, F, F]],
    ['null in groups', [F, F, F, F]],
    ["not ('g1' in groups)", [F, F, T, T]],

    // Identifier names are case-insensitive.
    ["USERID eq 'u1'", [T, F, T, F]],
    ["UserId eq 'u1'", [T, F, T, F]],
    ["ConnectionID eq '123'", [F, F, T, F]],
    ["'g1' in GROUPS", [T, T, F, F]],
    ['length(Groups) eq 2', [F, T, F, F]],

    // Whitespace is free around punctuation.
    ["\tuserId\neq\r\n'u1'  ", [T, F, T, F]],
    ["userId in('u1','u2')and'g1'in groups", [T, F, F, F]],
  ];

  test.each(table)('%s', (filter, expected) => {
    expect(run(filter)).toEqual(expected);
  });
});

describe('compileFilter: functions and literals on one userId', () => {
  // [filter, userId (null = anonymous), expected]
  const table: [string, string | null, boolean][] = [
    ["tolower(userId) eq 'user1'", 'USER1', T],
    ["tolower(userId) eq 'user1'", 'user1', T],
    ["tolower(userId) eq 'user1'", null, F],
    ["toupper(userId) eq 'USER1'", 'user1', T],
    ["toupper(userId) eq 'USER1'", 'User2', F],
    ["trim(userId) eq 'user1'", ' user1 ', T],
    ["trim(userId) eq 'user1'", '\tuser1\n', T],
    ["trim(userId) eq 'user1'", 'user 1', F],
    ["substring(userId, 5) eq 'ab-de'", 'user-ab-de', T],
    ["substring(userId, 5, 2) eq 'ab'", 'user-ab-de', T],
    ["substring(userId, 0, 0) eq ''", 'user-ab-de', T],
    ["substring(userId, 8, 50) eq 'de'", 'user-ab-de', T],
    ["substring(userId, 50) eq ''", 'user-ab-de', T],
    ['substring(userId, 1) eq null', null, T],
    ["concat(userId, '-x') eq 'u1-x'", 'u1', T],
    ["concat('x-', userId) eq 'x-u1'", 'u1', T],
    ["concat(userId, '-x') eq '-x'", null, F],
    ["concat(userId, '-x') eq null", null, T],
    ["startswith(userId, 'us')", 'user', T],
    ["startswith(userId, 'er')", 'user', F],
    ["startswith(userId, '')", null, F],
    ["not startswith(userId, 'u')", null, T],
    ["endswith(userId, 'er')", 'user', T],
    ["endswith(userId, 'us')", 'user', F],
    ["contains(userId, 'ab')", 'user-ab-de', T],
    ["contains(userId, 'zz')", 'user-ab-de', F],
    ["contains('user-ab-de', userId)", 'ab', T],
    ["contains(userId, 'x')", null, F],
    ["indexof(userId, 'ab') eq 5", 'user-ab-de', T],
    ["indexof(userId, 'zz') eq -1", 'user-ab-de', T],
    ["indexof(userId, '') eq 0", 'user-ab-de', T],
    ["indexof(userId, 'a') eq -1", null, F],
    ["indexof(userId, 'a') eq null", null, T],
    ['length(userId) eq 10', 'user-ab-de', T],
    ['length(userId) eq null', null, T],
    ["length('') eq 0", null, T],
    ['length(null) eq null', 'u1', T],
    ['tolower(null) eq null', 'u1', T],
    ['length(trim(tolower(userId))) eq 5', ' USER1 ', T],
    ["tolower(userId) eq tolower('ÄBC')", 'äbc', T],

    // Quotes inside strings are doubled.
    ["userId eq 'user''1'", "user'1", T],
    ["userId eq 'user''1'", 'user1', F],
    ["userId eq ''''", "'", T],
    ["userId eq 'it''''s'", "it''s", T],
    ["contains(userId, '''')", "a'b", T],
    ["userId eq ''", '', T],
    ["userId eq ''", null, F],
    ["userId eq 'a b,c(d)e'", 'a b,c(d)e', T],
    ["userId eq 'and or not'", 'and or not', T],
    ["userId eq 'ü 😀'", 'ü 😀', T],
  ];

  test.each(table)('%s with userId %p → %p', (filter, userId, expected) => {
    expect(compileFilter(filter)({ connectionId: 'c', userId, groups: new Set() })).toBe(expected);
  });

  test('undefined and null userId are both anonymous', () => {
    const predicate = compileFilter('userId eq null');
    expect(predicate({ connectionId: 'c', groups: new Set() })).toBe(true);
    expect(predicate({ connectionId: 'c', userId: undefined, groups: new Set() })).toBe(true);
    expect(predicate({ connectionId: 'c', userId: null, groups: new Set() })).toBe(true);
    expect(predicate({ connectionId: 'c', userId: 'null', groups: new Set() })).toBe(false);
  });

  test('a compiled predicate reads the live groups set', () => {
    const groups = new Set<string>();
    const subject: FilterSubject = { connectionId: 'c', userId: 'u', groups };
    const predicate = compileFilter("'g' in groups");
    expect(predicate(subject)).toBe(false);
    groups.add('g');
    expect(predicate(subject)).toBe(true);
  });
});

describe('compileFilter: errors', () => {
  test("messages name the text and the problem; syntax errors the position, type errors Microsoft's wording", () => {
    expect(errorOf('userId eq').message).toBe("Invalid syntax for 'userId eq': expected a value at position 9.");
    expect(errorOf('not length(userId) gt 5').message).toBe("Invalid syntax for 'not length(userId)': Type 'null', expect 'bool'.");
    expect(errorOf('userId lt 1').message).toBe("Invalid syntax for 'userId lt 1': Type 'string', expect 'int'.");
  });

  test('FilterSyntaxError is a named Error with a position', () => {
    const error = errorOf("userId eq 'a' and");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FilterSyntaxError');
    expect(error.position).toBe(17);
    expect(new FilterSyntaxError('x').position).toBeUndefined();
  });

  // [filter, part of the message, position]
  const table: [string, string, number][] = [
    // Empty or incomplete input.
    ['', 'expected a value', 0],
    ['   ', 'expected a value', 3],
    ['not', 'expected a value', 3],
    ["userId eq 'a' or", 'expected a value', 16],
    ['userId eq and', "expected a value but found 'and'", 10],
    ['and', "expected a value but found 'and'", 0],
    // Tokens.
    ["userId eq 'abc", 'unterminated string literal', 10],
    ["userId eq 'it''s", 'unterminated string literal', 10],
    ["userId = 'a'", "unexpected character '='", 7],
    ['userId eq "a"', "unexpected character '\"'", 10],
    ["userId eq 'a' && true", "unexpected character '&'", 14],
    ["userId eq 'é' or userId eq é", "unexpected character 'é'", 27],
    ['length(userId) eq 12abc', "invalid integer literal '12abc'", 18],
    ['length(userId) gt 2147483648', "integer literal '2147483648' is out of range", 18],
    ['length(userId) gt -2147483649', 'is out of range', 18],
    ['length(userId) gt 99999999999999999999999999999', 'is out of range', 18],
    ['length(userId) gt - 1', "unexpected character '-'", 18],
    // Structure.
    ["userId eq 'a' 'b'", "unexpected ''b''", 14],
    ["userId eq 'a')", "unexpected ')'", 13],
    ["userId eq 'a',", "unexpected ','", 13],
    ["(userId eq 'a'", "expected ')'", 14],
    ["(userId eq 'a' userId", "expected ')' but found 'userId'", 15],
    ["userId eq 'user1' or (not (startswith(userId,'user2'))", "expected ')'", 54],
    ["userId eq 'a' eq true", 'comparisons cannot be chained', 14],
    ["userId in ('a') in ('b')", 'comparisons cannot be chained', 16],
    // Names and case.
    ["user in ('user1','user2')", "unknown identifier 'user'", 0],
    ["userId eq 'a' or name eq 'b'", "unknown identifier 'name'", 17],
    ['foo(userId)', "unknown function 'foo'", 0],
    ["userId(1) eq 'a'", "unknown function 'userId'", 0],
    ["Tolower(userId) eq 'a'", "unknown function 'Tolower' (keywords, operators and function names are lower-case)", 0],
    ["STARTSWITH(userId, 'a')", 'lower-case', 0],
    ["userId EQ 'a'", "unexpected 'EQ' (keywords, operators and function names are lower-case)", 7],
    ["userId eq 'a' AND true", "unexpected 'AND'", 14],
    ["userId eq 'a' Or true", "unexpected 'Or'", 14],
    ['NOT true', "unknown identifier 'NOT' (keywords", 0],
    ['TRUE', "unknown identifier 'TRUE'", 0],
    ['userId eq NULL', "unknown identifier 'NULL'", 10],
    ["'g1' IN groups", "unexpected 'IN'", 5],
    // Types: bool expected.
    ['userId', "Type 'null', expect 'bool'", 0],
    ['connectionId', "Type 'string', expect 'bool'", 0],
    ['groups', "Type 'collection', expect 'bool'", 0],
    ['length(groups)', "Type 'int', expect 'bool'", 0],
    ['null', "Type 'null', expect 'bool'", 0],
    ["'a'", "Type 'string', expect 'bool'", 0],
    ['not userId', "Invalid syntax for 'not userId': Type 'null', expect 'bool'", 0],
    ['not length(groups) gt 1', "Invalid syntax for 'not length(groups)': Type 'int', expect 'bool'", 0],
    ["not 'g1' in groups", "Type 'string', expect 'bool'", 0],
    ["userId eq 'a' and userId", "Invalid syntax for 'userId': Type 'null', expect 'bool'", 18],
    ["userId eq 'a' or 1", "Type 'int', expect 'bool'", 17],
    ["connectionId and userId eq 'a'", "Type 'string', expect 'bool'", 0],
    // Types: comparisons and in.
    ['userId eq 1', "Type 'string', expect 'int'", 0],
    ['length(groups) eq true', "Type 'int', expect 'bool'", 0],
    ["groups eq 'g1'", "Type 'collection', expect 'string'", 0],
    ["'g1' eq (groups)", "Type 'string', expect 'collection'", 0],
    ['true gt false', "operator 'gt' cannot compare 'bool' values", 0],
    ["userId in 'a'", "the right side of 'in' must be a parenthesised list of values or a collection", 10],
    ['userId in connectionId', "the right side of 'in'", 10],
    ['userId in ()', "expected a value but found ')'", 11],
    ["userId in ('a',)", "expected a value but found ')'", 15],
    ["userId in ('a' 'b')", "expected ')' but found ''b''", 15],
    ["userId in ('a', 1)", "Type 'int', expect 'string'", 16],
    ["'g1' in (groups, 'a')", "a collection cannot be an item of an 'in' list", 9],
    ['1 in groups', "Type 'int', expect 'string'", 0],
    ['true in groups', "Type 'bool', expect 'string'", 0],
    // Functions: arity and argument types.
    ["tolower() eq 'a'", "function 'tolower' takes 1 argument, got 0", 0],
    ["tolower(userId, 'x') eq 'a'", "function 'tolower' takes 1 argument, got 2", 0],
    ["substring(userId) eq 'a'", "function 'substring' takes 2 or 3 arguments, got 1", 0],
    ["substring(userId, 1, 2, 3) eq 'a'", 'takes 2 or 3 arguments, got 4', 0],
    ["concat('a', 'b', 'c') eq 'a'", "function 'concat' takes 2 arguments, got 3", 0],
    ['startswith(userId)', "function 'startswith' takes 2 arguments, got 1", 0],
    ["substring(userId, -1) eq 'a'", "argument 2 of 'substring' must be a non-negative integer literal", 18],
    ["substring(userId, 1, -1) eq 'a'", "argument 3 of 'substring' must be a non-negative integer literal", 21],
    ["substring(userId, length(userId)) eq 'a'", 'must be a non-negative integer literal', 18],
    ["substring(userId, '1') eq 'a'", 'must be a non-negative integer literal', 18],
    ["tolower(5) eq '5'", "Type 'int', expect 'string' for argument 1 of 'tolower'", 8],
    ["tolower(groups) eq 'a'", "Type 'collection', expect 'string'", 8],
    ['startswith(userId, groups)', "Type 'collection', expect 'string' for argument 2 of 'startswith'", 19],
    ['contains(userId, true)', "Type 'bool', expect 'string'", 17],
    ['length(1) eq 1', "Type 'int', expect 'string'", 7],
    ["indexof(userId, 'a')", "Type 'null', expect 'bool'", 0],
    ["tolower(userId eq 'a') eq 'a'", "Type 'bool', expect 'string'", 8],
  ];

  test.each(table)('%s', (filter, part, position) => {
    const error = errorOf(filter);
    expect(error.name).toBe('FilterSyntaxError');
    expect(error.message).toMatch(
      part.includes("Type '") ? /^Invalid syntax for '.*': Type '\w+', expect '\w+'.*\.$/s : /^Invalid syntax for '.*': .+ at position \d+\.$/s,
    );
    expect(error.message).toContain(part);
    if (position >= 0) expect(error.position).toBe(position);
  });

  test('rejects input that is not a string', () => {
    expect(() => compileFilter(42 as unknown as string)).toThrow(FilterSyntaxError);
  });

  test('long snippets are cut from the front, keeping the problem', () => {
    const filter = `${"userId eq 'a' or ".repeat(20)}userId eq 'b')`;
    const error = errorOf(filter);
    expect(error.message).toMatch(/^Invalid syntax for '….* or userId eq 'b'\)': unexpected '\)' at position 353\.$/);
    expect(error.message.length).toBeLessThan(160);
  });
});

describe('compileFilter: limits', () => {
  const anyOf = (count: number): string => Array.from({ length: count }, (_, i) => `'g${i}' in groups`).join(' or ');

  test('accepts 100 clauses', () => {
    const predicate = compileFilter(anyOf(100));
    expect(predicate({ connectionId: 'c', groups: new Set(['g99']) })).toBe(true);
    expect(predicate({ connectionId: 'c', groups: new Set(['g100']) })).toBe(false);
  });

  test('rejects 101 clauses', () => {
    const error = errorOf(anyOf(101));
    expect(error.message).toContain('the filter has more than 100 clauses');
    expect(error.position).toBe(anyOf(100).length + 1);
  });

  test('counts clauses across and, or and parentheses', () => {
    const pair = "(userId eq 'a' and 'g' in groups)";
    expect(() => compileFilter(Array(50).fill(pair).join(' or '))).not.toThrow();
    expect(errorOf(`${Array(50).fill(pair).join(' or ')} or true`).message).toContain('more than 100 clauses');
  });

  test('a long in-list is one clause', () => {
    const values = Array.from({ length: 5000 }, (_, i) => `'u${i}'`).join(',');
    const predicate = compileFilter(`userId in (${values})`);
    expect(predicate({ connectionId: 'c', userId: 'u4999', groups: new Set() })).toBe(true);
    expect(predicate({ connectionId: 'c', userId: 'u5000', groups: new Set() })).toBe(false);
  });

  test('accepts nesting up to 64 levels', () => {
    expect(compileFilter(`${'('.repeat(64)}true${')'.repeat(64)}`)(alice)).toBe(true);
    expect(compileFilter(`${'not '.repeat(64)}true`)(alice)).toBe(true);
    expect(compileFilter(`${'not '.repeat(63)}true`)(alice)).toBe(false);
    expect(compileFilter(`${'tolower('.repeat(63)}userId${')'.repeat(63)} eq 'u1'`)(alice)).toBe(true);
  });

  test.each([
    ['parentheses', (n: number) => `${'('.repeat(n)}true${')'.repeat(n)}`],
    ['not', (n: number) => `${'not '.repeat(n)}true`],
    ['functions', (n: number) => `${'tolower('.repeat(n)}userId${')'.repeat(n)} eq 'a'`],
    ['in-lists', (n: number) => `${"'a' in (".repeat(n)}true${')'.repeat(n)}`],
    ['unclosed parentheses', (n: number) => '('.repeat(n)],
  ])('rejects deep nesting of %s with FilterSyntaxError, not RangeError', (_, build) => {
    expect(errorOf(build(65)).message).toContain('nesting is deeper than 64 levels');
    expect(errorOf(build(200_000)).message).toContain('nesting is deeper than 64 levels');
  });

  test('tokenizes long and hostile strings in linear time', () => {
    const quotes = "''".repeat(500_000);
    const predicate = compileFilter(`userId eq '${quotes}'`);
    expect(predicate({ connectionId: 'c', userId: "'".repeat(500_000), groups: new Set() })).toBe(true);
    expect(errorOf(`userId eq '${quotes}`).message).toContain('unterminated string literal');
    expect(errorOf(`length(userId) gt ${'9'.repeat(1_000_000)}`).message).toContain('out of range');
  });

  test('random token soup compiles or throws FilterSyntaxError, and predicates return booleans', () => {
    const words = [
      'userId',
      'connectionId',
      'groups',
      'eq',
      'ne',
      'gt',
      'le',
      'in',
      'and',
      'or',
      'not',
      'true',
      'null',
      "'g1'",
      "'u1'",
      "'it''s'",
      '1',
      '-2',
      '(',
      ')',
      '(',
      ')',
      ',',
      'tolower(',
      'substring(',
      'length(',
      'startswith(',
      'concat(',
      'indexof(',
      "'",
      'AND',
      '=',
      '',
    ];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let compiled = 0;
    for (let i = 0; i < 3000; i++) {
      const filter = Array.from({ length: 1 + random(12) }, () => words[random(words.length)]).join(' ');
      try {
        const predicate = compileFilter(filter);
        compiled++;
        for (const subject of subjects) expect(typeof predicate(subject)).toBe('boolean');
      } catch (error) {
        expect(error).toBeInstanceOf(FilterSyntaxError);
      }
    }
    expect(compiled).toBeGreaterThan(0);
  });
});
