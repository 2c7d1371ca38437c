/**
 * Builds the package (`npm run build`: tsc, then the CommonJS half) unless build/ is already newer than every
 * input. It is the `prepare` script, so `npm ci` on a clone and a git install (`npm install github:…`, which runs
 * `prepare` in a clone with the dev dependencies, then again before packing it) leave a working build/ behind, and
 * a second run costs a directory walk instead of a compile. Plain JavaScript: it runs before anything is built.
 *
 * Stale means: build/cjs/package.json, the last file a build writes, is missing or older than a file or folder
 * under the compiled sources, tsconfig.json, package.json or package-lock.json. Folders count because deleting or
 * renaming a file changes only its folder's time. tsc's and esbuild's output go to stderr, so stdout stays free for
 * what runs next (`npm run -s emulator` prints the connection string there).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const STAMP = join(root, 'build/cjs/package.json');

/** The newest modification time under `path` (itself included), in milliseconds; 0 when it does not exist. */
function newest(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function isStale() {
  const built = newest(STAMP);
  if (built === 0) return true;
  const { include } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
  const inputs = [...include, 'tsconfig.json', 'package.json', 'package-lock.json'];
  return inputs.some((input) => newest(join(root, input)) > built);
}

if (isStale()) {
  const npm = process.env.npm_execpath;
  // Under npm, its own CLI (npm_execpath) runs the script; `npm` from the PATH otherwise.
  const [command, args] = npm ? [process.execPath, [npm, 'run', '-s', 'build']] : ['npm', ['run', '-s', 'build']];
  const build = spawnSync(command, args, { cwd: root, stdio: ['ignore', process.stderr, process.stderr], shell: !npm && process.platform === 'win32' });
  if (build.status !== 0) {
    process.stderr.write(`webpubsub-action: the build failed (${build.error?.message ?? `exit ${build.status}`}); see the errors above\n`);
    process.exit(build.status || 1);
  }
}
