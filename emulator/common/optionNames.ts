import { InvalidArgumentError } from '../../shared/errors.js';

/** @throws InvalidArgumentError naming the first key of `value` that is not in `known`, and listing the known ones. */
export function checkKnown(argument: string, value: object, known: ReadonlySet<string>): void {
  for (const name of Object.keys(value)) {
    if (!known.has(name)) throw new InvalidArgumentError(`${argument}.${name}`, `is not an option (known: ${[...known].join(', ')})`);
  }
}
