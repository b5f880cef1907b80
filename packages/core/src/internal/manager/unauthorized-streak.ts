// How long the API server has refused the operator's credentials (401): fed by every request's status, read by /healthz.

export class UnauthorizedStreak {
  private refusedSince: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * The status of one answer: 401 starts (or continues) the streak; any other answer of the API server ends it, since
   * even a 403 or 404 means the credentials were accepted. No answer, or a 5xx (which may come from a proxy in front
   * of it), says nothing about them.
   */
  observe(status: number | undefined): void {
    if (status === undefined || status >= 500) return;
    if (status === 401) this.refusedSince ??= this.now();
    else this.refusedSince = undefined;
  }

  /** How long the credentials have been refused, in ms, or undefined when they are not. */
  get refusedForMs(): number | undefined {
    return this.refusedSince === undefined ? undefined : this.now() - this.refusedSince;
  }
}
