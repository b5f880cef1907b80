// `--webhook-service`, checked while the flags are read: apart from start.ts, which is loaded only by an operator
// that serves webhooks.

/** `--webhook-service NAMESPACE/NAME`, checked; throws an Error naming the flag. */
export function parseWebhookService(value: string | undefined): { namespace: string; name: string } | undefined {
  if (value === undefined) return undefined;
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z]([-a-z0-9]*[a-z0-9])?)$/.exec(value);
  if (!match)
    throw new Error(
      `--webhook-service ${JSON.stringify(value)}: expected NAMESPACE/NAME, e.g. operators/my-operator-webhook`,
    );
  return { namespace: match[1]!, name: match[3]! };
}
