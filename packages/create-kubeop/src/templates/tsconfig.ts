// tsconfig.json (src → dist, what runs) and tsconfig.test.json (src and test → dist-test, what the tests run).

/** The options kubeop needs, and nothing more; the README's "Use it in your project" shows the same. */
export function tsconfig(): string {
  return `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2023',
        lib: ['ES2023'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        skipLibCheck: true,
        sourceMap: true,
        types: ['node'],
        rootDir: 'src',
        outDir: 'dist',
      },
      include: ['src'],
    },
    null,
    2,
  )}\n`;
}

export function tsconfigTest(): string {
  return `${JSON.stringify({ extends: './tsconfig.json', compilerOptions: { rootDir: '.', outDir: 'dist-test' }, include: ['src', 'test'] }, null, 2)}\n`;
}
