// How long the credentials have been refused: started by a 401, ended by any answer that accepted them.
import { describe, expect, it } from '@jest/globals';
import { UnauthorizedStreak } from '../src/internal/manager/unauthorized-streak.js';

describe('UnauthorizedStreak', () => {
  it('counts from the first 401 of a streak until an answer accepts the credentials', () => {
    let now = 1_000;
    const streak = new UnauthorizedStreak(() => now);
    expect(streak.refusedForMs).toBeUndefined();
    streak.observe(200);
    streak.observe(401);
    now += 5_000;
    streak.observe(401);
    now += 5_000;
    expect(streak.refusedForMs).toBe(10_000);
    streak.observe(403); // authenticated, though not allowed
    expect(streak.refusedForMs).toBeUndefined();
  });

  it('learns nothing from no answer or a 5xx', () => {
    let now = 0;
    const streak = new UnauthorizedStreak(() => now);
    streak.observe(401);
    now = 7_000;
    streak.observe(undefined);
    streak.observe(503);
    expect(streak.refusedForMs).toBe(7_000);
    streak.observe(404);
    expect(streak.refusedForMs).toBeUndefined();
  });
});
