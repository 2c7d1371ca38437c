// Options of `npm run bundle` (scripts/bundle.ts), which hands them to @vercel/ncc's API.
export default {
  // The JavaScript tsc wrote, which the unit tests ran: ncc then needs no TypeScript loader of its own.
  entry: 'build/action/index.js',
  outDir: 'dist',
  ncc: {
    // Readable and diffable in review; minifying halves the size but does not measurably change start-up.
    minify: false,
    sourceMap: false,
    license: 'licenses.txt',
    target: 'es2022',
    quiet: true,
  },
};
