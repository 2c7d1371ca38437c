/**
 * The OData `filter` dialect of Azure Web PubSub (Learn "reference-odata-filter"), parsed once and compiled to
 * closures. Used by the emulator for sendToAll/sendToGroup/sendToUser and add/removeConnectionsToGroups.
 *
 * Grammar, weakest binding first (clauses joined by `and`/`or` are flattened into one loop each):
 * ```
 * filter     := or
 * or         := and ('or' and)*
 * and        := comparison ('and' comparison)*
 * comparison := unary [ ('eq'|'ne'|'gt'|'ge'|'lt'|'le') unary | 'in' ( '(' or (',' or)* ')' | unary ) ]
 * unary      := 'not' unary | primary
 * primary    := string | integer | 'true' | 'false' | 'null' | identifier | function '(' [or (',' or)*] ')'
 *             | '(' or ')'
 * ```
 *
 * Decisions where the service is not documented (NOTES section 6 marks these [unsure]):
 * - Keywords, operators and function names are lower-case only, as in the docs' grammar; `AND` or `Tolower` is
 *   rejected with a hint. Identifiers (`userId`, `connectionId`, `groups`, and `protocol`, the subprotocol, which
 *   Microsoft's emulator knows) are case-insensitive, as documented.
 * - Values compare case-sensitively and ordinally (UTF-16 code units); the docs offer `tolower` for the rest.
 * - Booleans are two-valued: `startswith`/`endswith`/`contains` of null are false, so `not endswith(userId, 'x')`
 *   (a docs example) is valid and true for anonymous connections. Other functions of null yield null, and every
 *   comparison with a null operand is false except `eq`/`ne`.
 * - Comparisons do not chain (`a eq b eq c` is an error), matching `primary cmp primary` in the grammar.
 * - `substring` takes integer literals (as the grammar says), which must be non-negative; a start past the end
 *   gives ''. Integer literals are 32-bit, like the service's `int`.
 * - A clause is an operand of `and`/`or`: more than 100 is rejected. A long `in (...)` list is one clause.
 * - An empty filter is a syntax error; the caller decides whether an absent `filter` means "everyone".
 * - Positions are 0-based UTF-16 offsets into the filter text.
 */

/** What a filter can see of one connection. */
export interface FilterSubject {
  connectionId: string;
  /** `undefined` or `null` for an anonymous connection. */
  userId?: string | null;
  /** The groups the connection is currently in. */
  groups: ReadonlySet<string>;
  /** The subprotocol it speaks (`json.webpubsub.azure.v1`, ...): the filter's `protocol`; none for a plain client. */
  subprotocol?: string | undefined;
}

/** A compiled filter: true when the message goes to (or the group change applies to) the connection. */
export type FilterPredicate = (subject: FilterSubject) => boolean;

/** Thrown for any syntax or type error; `message` is what the service would put in a 400 body. */
export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
  /** 0-based offset in the filter text where the problem was found, when there is one. */
  readonly position: number | undefined;

  /**
   * @param message - the full message, e.g. `Invalid syntax for 'userId eq': expected a value at position 9.`
   * @param position - 0-based offset of the problem in the filter text
   */
  constructor(message: string, position?: number) {
    super(message);
    this.position = position;
  }
}

/**
 * Parses and type-checks an OData filter once and returns a predicate that allocates nothing for the usual
 * comparisons and `in` tests.
 *
 * @param text - the `filter` query parameter or body field, already URL-decoded
 * @returns a predicate to run per connection
 * @throws {@link FilterSyntaxError} for any syntax or type error, too many clauses or too deep nesting
 */
export function compileFilter(text: string): FilterPredicate {
  if (typeof text !== 'string') throw new FilterSyntaxError('Invalid syntax: filter must be a string');
  const expr = new Parser(text).parse();
  // The parser only returns bool expressions here, and bool evaluators never yield null.
  return expr.evaluate as FilterPredicate;
}

const MAX_CLAUSES = 100;
// Each level costs a handful of stack frames while parsing; 64 keeps hostile input far from a RangeError.
const MAX_DEPTH = 64;
const MAX_SNIPPET = 80;
const INT32_MAX = 2 ** 31 - 1;
const INT32_MIN = -(2 ** 31);

type Value = string | number | boolean | null;
type Evaluator = (subject: FilterSubject) => Value;
type ValueType = 'string' | 'int' | 'bool' | 'null' | 'collection';

interface Expr {
  readonly type: ValueType;
  /** Whether the value can be null at run time (it comes from userId or a null literal). */
  readonly nullable: boolean;
  /** Never called for a collection: `groups` is read directly by `in` and `length`. */
  readonly evaluate: Evaluator;
  /** Set for literals, so hot paths compare with a captured value instead of calling a closure. */
  readonly constant?: { readonly value: Value };
  readonly start: number;
  readonly end: number;
}

type TokenKind = 'word' | 'string' | 'int' | '(' | ')' | ',' | 'end';

interface Token {
  readonly kind: TokenKind;
  /** Source text of the token. */
  readonly text: string;
  /** Unescaped string or parsed integer; the text for other kinds. */
  readonly value: string | number;
  readonly start: number;
  readonly end: number;
}

type ComparisonOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const COMPARISONS: ReadonlySet<string> = new Set<ComparisonOperator>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

/** [min, max] argument counts. */
const FUNCTIONS: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['tolower', [1, 1]],
  ['toupper', [1, 1]],
  ['trim', [1, 1]],
  ['length', [1, 1]],
  ['substring', [2, 3]],
  ['concat', [2, 2]],
  ['indexof', [2, 2]],
  ['startswith', [2, 2]],
  ['endswith', [2, 2]],
  ['contains', [2, 2]],
]);

const RESERVED: ReadonlySet<string> = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null', ...COMPARISONS]);

type Field = Omit<Expr, 'start' | 'end'>;
const FIELDS: ReadonlyMap<string, Field> = new Map<string, Field>([
  ['userid', { type: 'string', nullable: true, evaluate: (s) => s.userId ?? null }],
  ['connectionid', { type: 'string', nullable: false, evaluate: (s) => s.connectionId }],
  ['protocol', { type: 'string', nullable: true, evaluate: (s) => s.subprotocol ?? null }],
  ['groups', { type: 'collection', nullable: false, evaluate: () => null }],
]);

function caseHint(word: string): string {
  const lower = word.toLowerCase();
  return lower !== word && (RESERVED.has(lower) || FUNCTIONS.has(lower)) ? ' (keywords, operators and function names are lower-case)' : '';
}

function describeToken(token: Token): string {
  return token.kind === 'end' ? 'end of input' : `'${token.text}'`;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isWordStart = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
const isWordPart = (c: number): boolean => isWordStart(c) || isDigit(c);
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

class Parser {
  readonly #text: string;
  readonly #tokens: Token[];
  #index = 0;
  #depth = 0;
  #clauses = 1;

  constructor(text: string) {
    this.#text = text;
    this.#tokens = this.#tokenize();
  }

  parse(): Expr {
    const expr = this.#parseOr(0);
    const token = this.#peek();
    if (token.kind !== 'end') {
      throw this.#fail(`unexpected ${describeToken(token)}${caseHint(token.text)}`, 0, token.start, token.end);
    }
    this.#expectBool(expr, expr.start);
    return expr;
  }

  // One linear pass with charCode checks: no regular expressions, so no backtracking on hostile input.
  #tokenize(): Token[] {
    const text = this.#text;
    const tokens: Token[] = [];
    const push = (kind: TokenKind, value: string | number, start: number, end: number): void => {
      tokens.push({ kind, text: text.slice(start, end), value, start, end });
    };
    let i = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      const start = i;
      if (isSpace(c)) {
        i++;
      } else if (c === 0x27) {
        let value = '';
        let chunk = ++i;
        for (;;) {
          if (i >= text.length) throw this.#fail('unterminated string literal', start, start, text.length);
          if (text.charCodeAt(i) !== 0x27) {
            i++;
          } else if (text.charCodeAt(i + 1) === 0x27) {
            value += text.slice(chunk, i + 1);
            i += 2;
            chunk = i;
          } else {
            value += text.slice(chunk, i++);
            break;
          }
        }
        push('string', value, start, i);
      } else if (isDigit(c) || ((c === 0x2b || c === 0x2d) && isDigit(text.charCodeAt(i + 1)))) {
        i++;
        while (isDigit(text.charCodeAt(i))) i++;
        if (isWordPart(text.charCodeAt(i))) {
          while (isWordPart(text.charCodeAt(i))) i++;
          throw this.#fail(`invalid integer literal '${text.slice(start, i)}'`, start, start, i);
        }
        // Checking the digit count first keeps Number() away from thousands of digits.
        const value = i - start <= 12 ? Number(text.slice(start, i)) : Infinity;
        if (value > INT32_MAX || value < INT32_MIN) {
          throw this.#fail(`integer literal '${text.slice(start, i)}' is out of range`, start, start, i);
        }
        push('int', value, start, i);
      } else if (isWordStart(c)) {
        while (isWordPart(text.charCodeAt(i))) i++;
        push('word', text.slice(start, i), start, i);
      } else if (c === 0x28 || c === 0x29 || c === 0x2c) {
        const kind = c === 0x28 ? '(' : c === 0x29 ? ')' : ',';
        push(kind, kind, start, ++i);
      } else {
        const char = String.fromCodePoint(text.codePointAt(i) ?? c);
        throw this.#fail(`unexpected character '${char}'`, 0, start, start + char.length);
      }
    }
    push('end', '', text.length, text.length);
    return tokens;
  }

  #peek(): Token {
    return this.#tokens[this.#index]!;
  }

  #next(): Token {
    const token = this.#tokens[this.#index]!;
    if (token.kind !== 'end') this.#index++;
    return token;
  }

  #isWord(word: string): boolean {
    const token = this.#peek();
    return token.kind === 'word' && token.text === word;
  }

  /**
   * `from`..`to` is the text quoted in the message; `at` is the reported position. Type errors are worded as
   * Microsoft's emulator words them (`Invalid syntax for 'userId lt 1': Type 'string', expect 'int'.`); other
   * problems say where they are.
   */
  #fail(problem: string, from: number, at: number, to: number): FilterSyntaxError {
    let snippet = this.#text.slice(from, to).trim();
    // Keep the end: that is where the problem is.
    if (snippet.length > MAX_SNIPPET) snippet = `…${snippet.slice(snippet.length - MAX_SNIPPET + 1)}`;
    const where = problem.startsWith("Type '") ? '' : ` at position ${at}`;
    return new FilterSyntaxError(`Invalid syntax for '${snippet}': ${problem}${where}.`, at);
  }

  #enter(token: Token, from: number): void {
    if (++this.#depth > MAX_DEPTH) {
      throw this.#fail(`nesting is deeper than ${MAX_DEPTH} levels`, from, token.start, token.end);
    }
  }

  #leave(): void {
    this.#depth--;
  }

  #expect(kind: TokenKind, from: number): Token {
    const token = this.#next();
    if (token.kind !== kind) {
      const found = token.kind === 'end' ? '' : ` but found ${describeToken(token)}`;
      throw this.#fail(`expected '${kind}'${found}`, from, token.start, token.end);
    }
    return token;
  }

  /** Type errors use the service's wording, quoting the expression that needed a bool. */
  #expectBool(expr: Expr, from: number): Expr {
    if (expr.type !== 'bool') {
      // The service reports what it would see for an anonymous connection, so anything derived from userId
      // reads as 'null' (documented: `not length(userId)` gives "Type 'null', expect 'bool'").
      const type = expr.nullable ? 'null' : expr.type;
      throw this.#fail(`Type '${type}', expect 'bool'`, from, from, expr.end);
    }
    return expr;
  }

  #expectString(expr: Expr, what: string): void {
    if (expr.type !== 'string' && expr.type !== 'null') {
      throw this.#fail(`Type '${expr.type}', expect 'string' for ${what}`, expr.start, expr.start, expr.end);
    }
  }

  #countClause(token: Token): void {
    if (++this.#clauses > MAX_CLAUSES) {
      throw this.#fail(`the filter has more than ${MAX_CLAUSES} clauses`, 0, token.start, token.end);
    }
  }

  #parseOr(from: number): Expr {
    return this.#parseLogical('or', from);
  }

  #parseLogical(op: 'and' | 'or', from: number): Expr {
    const first = op === 'or' ? this.#parseLogical('and', from) : this.#parseComparison(from);
    if (!this.#isWord(op)) return first;
    const operands = [this.#expectBool(first, first.start)];
    while (this.#isWord(op)) {
      this.#countClause(this.#next());
      const operand = op === 'or' ? this.#parseLogical('and', from) : this.#parseComparison(from);
      operands.push(this.#expectBool(operand, operand.start));
    }
    const tests = operands.map((operand) => operand.evaluate);
    const span = { start: first.start, end: operands[operands.length - 1]!.end };
    if (tests.length === 2) {
      const [a, b] = tests as [Evaluator, Evaluator];
      const evaluate: Evaluator = op === 'and' ? (s) => a(s) === true && b(s) === true : (s) => a(s) === true || b(s) === true;
      return { type: 'bool', nullable: false, evaluate, ...span };
    }
    const evaluate: Evaluator =
      op === 'and'
        ? (s) => {
            for (let i = 0; i < tests.length; i++) if (tests[i]!(s) !== true) return false;
            return true;
          }
        : (s) => {
            for (let i = 0; i < tests.length; i++) if (tests[i]!(s) === true) return true;
            return false;
          };
    return { type: 'bool', nullable: false, evaluate, ...span };
  }

  #parseComparison(from: number): Expr {
    const left = this.#parseUnary(from);
    const operator = this.#peek();
    if (operator.kind !== 'word' || !(COMPARISONS.has(operator.text) || operator.text === 'in')) return left;
    this.#next();
    const result = operator.text === 'in' ? this.#parseIn(left) : this.#compare(operator.text as ComparisonOperator, left, this.#parseUnary(left.start));
    const after = this.#peek();
    if (after.kind === 'word' && (COMPARISONS.has(after.text) || after.text === 'in')) {
      throw this.#fail('comparisons cannot be chained; add parentheses', left.start, after.start, after.end);
    }
    return result;
  }

  #parseUnary(from: number): Expr {
    const token = this.#peek();
    if (token.kind !== 'word' || token.text !== 'not') return this.#parsePrimary(from);
    this.#next();
    this.#enter(token, from);
    const operand = this.#parseUnary(from);
    this.#leave();
    this.#expectBool(operand, token.start);
    const inner = operand.evaluate;
    return { type: 'bool', nullable: false, evaluate: (s) => inner(s) !== true, start: token.start, end: operand.end };
  }

  #parsePrimary(from: number): Expr {
    const token = this.#next();
    const span = { start: token.start, end: token.end };
    switch (token.kind) {
      case 'string':
      case 'int': {
        const value = token.value;
        return {
          type: token.kind,
          nullable: false,
          evaluate: () => value,
          constant: { value },
          ...span,
        };
      }
      case '(': {
        this.#enter(token, from);
        const inner = this.#parseOr(token.start);
        const close = this.#expect(')', token.start);
        this.#leave();
        return { ...inner, start: token.start, end: close.end };
      }
      case 'word':
        return this.#parseWord(token, from);
      default: {
        const found = token.kind === 'end' ? '' : ` but found ${describeToken(token)}`;
        throw this.#fail(`expected a value${found}`, from, token.start, token.end);
      }
    }
  }

  #parseWord(token: Token, from: number): Expr {
    const span = { start: token.start, end: token.end };
    switch (token.text) {
      case 'true':
      case 'false': {
        const value = token.text === 'true';
        return { type: 'bool', nullable: false, evaluate: () => value, constant: { value }, ...span };
      }
      case 'null':
        return { type: 'null', nullable: true, evaluate: () => null, constant: { value: null }, ...span };
    }
    if (RESERVED.has(token.text)) {
      throw this.#fail(`expected a value but found '${token.text}'`, from, token.start, token.end);
    }
    if (this.#peek().kind === '(') return this.#parseCall(token);
    const field = FIELDS.get(token.text.toLowerCase());
    if (field === undefined) {
      throw this.#fail(`unknown identifier '${token.text}'${caseHint(token.text)}`, from, token.start, token.end);
    }
    return { ...field, ...span };
  }

  #parseCall(name: Token): Expr {
    const arity = FUNCTIONS.get(name.text);
    if (arity === undefined) {
      throw this.#fail(`unknown function '${name.text}'${caseHint(name.text)}`, name.start, name.start, name.end);
    }
    this.#enter(this.#next(), name.start);
    const args: Expr[] = [];
    if (this.#peek().kind !== ')') {
      args.push(this.#parseOr(name.start));
      while (this.#peek().kind === ',') {
        this.#next();
        args.push(this.#parseOr(name.start));
      }
    }
    const close = this.#expect(')', name.start);
    this.#leave();
    const [min, max] = arity;
    if (args.length < min || args.length > max) {
      const expected = min === max ? `${min}` : `${min} or ${max}`;
      const problem = `function '${name.text}' takes ${expected} argument${max === 1 ? '' : 's'}, got ${args.length}`;
      throw this.#fail(problem, name.start, name.start, close.end);
    }
    return this.#call(name.text, args, { start: name.start, end: close.end });
  }

  #call(name: string, args: Expr[], span: { start: number; end: number }): Expr {
    const [first, second, third] = args as [Expr, Expr | undefined, Expr | undefined];
    if (name === 'length' && first.type === 'collection') {
      return { type: 'int', nullable: false, evaluate: (s) => s.groups.size, ...span };
    }
    this.#expectString(first, `argument 1 of '${name}'`);
    switch (name) {
      case 'tolower':
        return mapString(first, 'string', (v) => v.toLowerCase(), span);
      case 'toupper':
        return mapString(first, 'string', (v) => v.toUpperCase(), span);
      case 'trim':
        return mapString(first, 'string', (v) => v.trim(), span);
      case 'length':
        return mapString(first, 'int', (v) => v.length, span);
      case 'substring': {
        const begin = this.#offset(second!, name, 2);
        if (third === undefined) return mapString(first, 'string', (v) => v.slice(begin), span);
        const end = begin + this.#offset(third, name, 3);
        return mapString(first, 'string', (v) => v.slice(begin, end), span);
      }
    }
    this.#expectString(second!, `argument 2 of '${name}'`);
    switch (name) {
      case 'concat':
        return combineStrings(first, second!, 'string', null, (a, b) => a + b, span);
      case 'indexof':
        return combineStrings(first, second!, 'int', null, (a, b) => a.indexOf(b), span);
      case 'startswith':
        return combineStrings(first, second!, 'bool', false, (a, b) => a.startsWith(b), span);
      case 'endswith':
        return combineStrings(first, second!, 'bool', false, (a, b) => a.endsWith(b), span);
      default:
        return combineStrings(first, second!, 'bool', false, (a, b) => a.includes(b), span);
    }
  }

  #offset(arg: Expr, name: string, position: number): number {
    const value = arg.constant?.value;
    if (arg.type !== 'int' || typeof value !== 'number' || value < 0) {
      const problem = `argument ${position} of '${name}' must be a non-negative integer literal`;
      throw this.#fail(problem, arg.start, arg.start, arg.end);
    }
    return value;
  }

  #compare(op: ComparisonOperator, left: Expr, right: Expr): Expr {
    const span = { start: left.start, end: right.end };
    const l = left.type;
    const r = right.type;
    if (l === 'collection' || r === 'collection' || (l !== r && l !== 'null' && r !== 'null')) {
      throw this.#fail(`Type '${l}', expect '${r}'`, span.start, span.start, span.end);
    }
    if ((l === 'bool' || r === 'bool') && op !== 'eq' && op !== 'ne') {
      throw this.#fail(`operator '${op}' cannot compare 'bool' values`, span.start, span.start, span.end);
    }
    return { type: 'bool', nullable: false, evaluate: compareEvaluator(op, left, right), ...span };
  }

  #parseIn(left: Expr): Expr {
    const open = this.#peek();
    if (open.kind !== '(') {
      const right = this.#parseUnary(left.start);
      if (right.type !== 'collection') {
        const problem = "the right side of 'in' must be a parenthesised list of values or a collection";
        throw this.#fail(problem, left.start, right.start, right.end);
      }
      return this.#inGroups(left, right.end);
    }
    this.#next();
    this.#enter(open, left.start);
    const items = [this.#parseOr(left.start)];
    while (this.#peek().kind === ',') {
      this.#next();
      items.push(this.#parseOr(left.start));
    }
    const close = this.#expect(')', left.start);
    this.#leave();
    if (items.length === 1 && items[0]!.type === 'collection') return this.#inGroups(left, close.end);
    for (const item of items) {
      if (item.type === 'collection') {
        throw this.#fail("a collection cannot be an item of an 'in' list", left.start, item.start, item.end);
      }
      if (item.type !== left.type && item.type !== 'null' && left.type !== 'null') {
        throw this.#fail(`Type '${item.type}', expect '${left.type}'`, left.start, item.start, item.end);
      }
    }
    const value = left.evaluate;
    let evaluate: Evaluator;
    if (items.every((item) => item.constant !== undefined)) {
      const set = new Set(items.map((item) => item.constant!.value));
      evaluate = (s) => set.has(value(s));
    } else {
      const candidates = items.map((item) => item.evaluate);
      evaluate = (s) => {
        const v = value(s);
        for (let i = 0; i < candidates.length; i++) if (candidates[i]!(s) === v) return true;
        return false;
      };
    }
    return { type: 'bool', nullable: false, evaluate, start: left.start, end: close.end };
  }

  #inGroups(left: Expr, end: number): Expr {
    if (left.type !== 'string' && left.type !== 'null') {
      throw this.#fail(`Type '${left.type}', expect 'string' for 'in' a collection`, left.start, left.start, end);
    }
    const span = { start: left.start, end };
    const constant = left.constant;
    if (constant !== undefined) {
      const group = constant.value;
      const evaluate: Evaluator = group === null ? () => false : (s) => s.groups.has(group as string);
      return { type: 'bool', nullable: false, evaluate, ...span };
    }
    const value = left.evaluate;
    return {
      type: 'bool',
      nullable: false,
      evaluate: (s) => {
        const v = value(s);
        return v !== null && s.groups.has(v as string);
      },
      ...span,
    };
  }
}

/** A one-string function: null in, null out. */
function mapString(arg: Expr, type: ValueType, fn: (v: string) => Value, span: { start: number; end: number }): Expr {
  const value = arg.evaluate;
  return {
    type,
    nullable: arg.nullable,
    evaluate: (s) => {
      const v = value(s);
      return v === null ? null : fn(v as string);
    },
    ...span,
  };
}

/** A two-string function; `ifNull` is the result when either side is null. */
function combineStrings(a: Expr, b: Expr, type: ValueType, ifNull: Value, fn: (a: string, b: string) => Value, span: { start: number; end: number }): Expr {
  const x = a.evaluate;
  const y = b.evaluate;
  return {
    type,
    nullable: ifNull === null && (a.nullable || b.nullable),
    evaluate: (s) => {
      const u = x(s);
      if (u === null) return ifNull;
      const v = y(s);
      return v === null ? ifNull : fn(u as string, v as string);
    },
    ...span,
  };
}

function compareEvaluator(op: ComparisonOperator, left: Expr, right: Expr): Evaluator {
  const l = left.evaluate;
  const r = right.evaluate;
  if (op === 'eq' || op === 'ne') {
    const equal = op === 'eq';
    // Values are primitives with userId normalised to null, so === is OData equality, including null eq null.
    if (right.constant !== undefined) {
      const c = right.constant.value;
      return (s) => (l(s) === c) === equal;
    }
    if (left.constant !== undefined) {
      const c = left.constant.value;
      return (s) => (r(s) === c) === equal;
    }
    return (s) => (l(s) === r(s)) === equal;
  }
  if (left.type === 'null' || right.type === 'null') return () => false;
  // Both sides have the same type (checked at compile time). The casts are only for TypeScript: two strings
  // compare by UTF-16 code units, i.e. ordinally, which is what we want.
  switch (op) {
    case 'gt':
      return (s) => {
        const a = l(s);
        const b = r(s);
        return a !== null && b !== null && (a as number) > (b as number);
      };
    case 'ge':
      return (s) => {
        const a = l(s);
        const b = r(s);
        return a !== null && b !== null && (a as number) >= (b as number);
      };
    case 'lt':
      return (s) => {
        const a = l(s);
        const b = r(s);
        return a !== null && b !== null && (a as number) < (b as number);
      };
    default:
      return (s) => {
        const a = l(s);
        const b = r(s);
        return a !== null && b !== null && (a as number) <= (b as number);
      };
  }
}
