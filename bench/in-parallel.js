// Runs `task(0)` … `task(count - 1)` with at most `workers` at a time: how the benches create many objects at once.

export async function inParallel(count, workers, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
