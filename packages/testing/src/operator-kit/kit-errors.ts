// The operator kit's own errors: misuse of a helper (a flag, a missing file, a call too early) and a lossy round trip.
import { KubeopError } from '@kubeop/core';

/** A helper of the kit was called in a way it cannot serve; the message names the helper and the fix. */
export class KitUsageError extends KubeopError {
  override readonly name = 'KitUsageError';
  readonly code = 'TEST_KIT_USAGE';
}

/** A conversion round trip lost or changed something (assertRoundTrips), or could not be run. */
export class RoundTripError extends KubeopError {
  override readonly name = 'RoundTripError';
  readonly code = 'ROUND_TRIP_FAILED';
}
