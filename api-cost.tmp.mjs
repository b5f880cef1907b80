await import('winston');
const gc = globalThis.gc;
gc(); const r0 = process.memoryUsage();
const t0 = performance.now();
await import(process.argv[2]);
const t1 = performance.now();
gc(); const r1 = process.memoryUsage();
console.log(`import ${process.argv[2]}: ${(t1 - t0).toFixed(1)} ms, rss +${((r1.rss - r0.rss) / 1024).toFixed(0)} KiB, heap +${((r1.heapUsed - r0.heapUsed) / 1024).toFixed(0)} KiB`);
