// Fails early and clearly on a Node.js too old for @kubernetes/client-node 2.x, which otherwise crashes inside undici.
// Imported first by the package's entry points, so it runs before client-node is loaded. A copy of @kubeop/core's
// (testing does not depend on core); test/runtime-check.test.ts keeps the two alike.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  throw new Error(
    `kubeop needs Node.js >= 22.19 (@kubernetes/client-node 2.x and undici require it); this is Node.js ${process.version}. ` +
      'Install a newer Node.js, or run through npm scripts of a project that pins one (the `node` npm package).',
  );
}
export {};
