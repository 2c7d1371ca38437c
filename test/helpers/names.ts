/** Unique hub, group and user names, so tests sharing one emulator never see each other's state. */
let counter = 0;
const run = Math.random().toString(36).slice(2, 8);

/** A name valid as a hub (a letter, then letters, digits and _). */
export function uniqueName(prefix = 'hub'): string {
  return `${prefix}_${run}_${++counter}`;
}
